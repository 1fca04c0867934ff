/** A raw setting as the user gave it, with where it came from, so errors can name that place. */
export interface Given<T = string> {
  readonly value: T;
  /** The flag, variable or file key the value came from, e.g. "--rate", "TARGET_RPS". */
  readonly source: string;
  /**
   * Set when nobody asked for this value here: a default (modelprof's or a command's), or the seed's
   * environment variables, which its job template sets whether or not the tool reads them.
   */
  readonly implied?: 'environment' | 'default';
}

export const SCALAR_KEYS = [
  'url',
  'method',
  'payload',
  'payloadFile',
  'tool',
  'engine',
  'duration',
  'warmup',
  'connections',
  'threads',
  'rate',
  'clients',
  'timeout',
  'output',
  'toolPath',
  // An LLM or other model server's protocol, its workload and plan (settings/api-settings.ts).
  'api',
  'model',
  'stream',
  'ignoreEos',
  'inputTokens',
  'outputTokens',
  'dataset',
  'trace',
  'traceSpeedup',
  'arrival',
  'seed',
  'goodput',
  // An Azure ML deployment as the target (settings/azure-target.ts).
  'subscription',
  'resourceGroup',
  'workspace',
  'endpoint',
  'deployment',
  'armEndpoint',
  'azureApiVersion',
  'azureMetricsWait',
] as const;
export type ScalarKey = (typeof SCALAR_KEYS)[number];

/** One source of settings (flags, environment, job file): everything optional and unvalidated. */
export type SettingsLayer = { [K in ScalarKey]?: Given } & {
  /** Headers from this layer; a later (higher) layer overrides a header of the same name. */
  headers?: Given<Record<string, string>>;
};

/**
 * Merges layers, highest precedence first: the first layer that sets a scalar wins; headers are
 * merged by case-insensitive name with higher layers overriding lower ones.
 */
export function mergeLayers(layers: readonly SettingsLayer[]): SettingsLayer {
  const merged: SettingsLayer = {};
  for (const key of SCALAR_KEYS) {
    const found = layers.find((layer) => layer[key] !== undefined);
    if (found) merged[key] = found[key];
  }
  const headers = new Map<string, [string, string]>();
  const sources: string[] = [];
  for (const layer of [...layers].reverse()) {
    if (!layer.headers) continue;
    sources.push(layer.headers.source);
    for (const [name, value] of Object.entries(layer.headers.value)) headers.set(name.toLowerCase(), [name, value]);
  }
  if (headers.size > 0) {
    merged.headers = { value: Object.fromEntries(headers.values()), source: sources.reverse().join(', ') };
  }
  return merged;
}

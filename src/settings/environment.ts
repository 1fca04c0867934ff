import { SettingsError } from '../core/errors.js';
import type { ScalarKey, SettingsLayer } from './layers.js';

/**
 * The seed's environment-variable contract (Azure ML Online Endpoints Model Profiler), plus
 * modelprof's own additions (ENGINE, WARMUP, OUTPUT_DIR, TOOL_PATH, ARM_ENDPOINT,
 * AZUREML_API_VERSION, AZURE_METRICS_WAIT).
 */
const ENV_SCALARS: readonly [string, ScalarKey][] = [
  ['SCORING_URI', 'url'],
  ['PAYLOAD', 'payload'],
  ['PROFILING_TOOL', 'tool'],
  ['ENGINE', 'engine'],
  ['DURATION', 'duration'],
  ['WARMUP', 'warmup'],
  ['CONNECTIONS', 'connections'],
  ['THREAD', 'threads'],
  ['TARGET_RPS', 'rate'],
  ['CLIENTS', 'clients'],
  ['TIMEOUT', 'timeout'],
  ['OUTPUT_DIR', 'output'],
  ['TOOL_PATH', 'toolPath'],
  ['SUBSCRIPTION', 'subscription'],
  ['RESOURCE_GROUP', 'resourceGroup'],
  ['WORKSPACE', 'workspace'],
  ['ONLINE_ENDPOINT', 'endpoint'],
  ['DEPLOYMENT', 'deployment'],
  ['ARM_ENDPOINT', 'armEndpoint'],
  ['AZUREML_API_VERSION', 'azureApiVersion'],
  ['AZURE_METRICS_WAIT', 'azureMetricsWait'],
];

/**
 * The seed's defaults for SUBSCRIPTION, RESOURCE_GROUP and WORKSPACE are the profiling job's own:
 * Azure ML sets these in every job it runs.
 */
const AZUREML_JOB_DEFAULTS: readonly [string, ScalarKey][] = [
  ['AZUREML_ARM_SUBSCRIPTION', 'subscription'],
  ['AZUREML_ARM_RESOURCEGROUP', 'resourceGroup'],
  ['AZUREML_ARM_WORKSPACE_NAME', 'workspace'],
];

/** The seed's variable for a setting (TARGET_RPS for rate), if it has one. */
export function environmentVariableOf(key: ScalarKey): string | undefined {
  return ENV_SCALARS.find(([, each]) => each === key)?.[0];
}

/**
 * Every variable a job file's environment_variables block may hold: the seed's and modelprof's
 * settings variables (schema/job.schema.json lists the same names), so a typo such as DURATON is an
 * error, not a setting silently ignored. Credentials (IDENTITY_ACCESS_TOKEN) are read from the
 * process environment only, never from a file.
 */
export const SEED_VARIABLES: readonly string[] = [...ENV_SCALARS.map(([name]) => name), 'SCORING_HEADERS'];

/** Reads the seed's variables; empty variables count as unset, as in a job spec template. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): SettingsLayer {
  const layer: SettingsLayer = {};
  for (const [name, key] of ENV_SCALARS) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') layer[key] = { value: value.trim(), source: name, implied: 'environment' };
  }
  for (const [name, key] of AZUREML_JOB_DEFAULTS) {
    const value = env[name];
    if (!layer[key] && value !== undefined && value.trim() !== '') layer[key] = { value: value.trim(), source: `${name} (set by Azure ML)` };
  }
  const headers = env['SCORING_HEADERS'];
  const scoringHeaders = headers !== undefined && headers.trim() !== '' ? parseScoringHeaders(headers) : {};
  if (Object.keys(scoringHeaders).length > 0) layer.headers = { value: scoringHeaders, source: 'SCORING_HEADERS' };
  return layer;
}

function parseScoringHeaders(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SettingsError('SCORING_HEADERS must be a JSON object of header names to string values, e.g. {"Content-Type": "application/json"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const got = parsed === null ? 'JSON null' : Array.isArray(parsed) ? 'a JSON array' : `a JSON ${typeof parsed}`;
    throw new SettingsError(`SCORING_HEADERS must be a JSON object of header names to string values, got ${got}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new SettingsError(`SCORING_HEADERS header "${name}" must have a string value`);
    }
    headers[name] = String(value);
  }
  return headers;
}

import { SettingsError } from '../core/errors.js';
import type { ScalarKey, SettingsLayer } from './layers.js';

/**
 * The seed's environment-variable contract (Azure ML Online Endpoints Model Profiler), plus
 * modelprof's own additions (ENGINE, WARMUP, OUTPUT_DIR, TOOL_PATH).
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
];

/** Reads the seed's variables; empty variables count as unset, as in a job spec template. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): SettingsLayer {
  const layer: SettingsLayer = {};
  for (const [name, key] of ENV_SCALARS) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') layer[key] = { value: value.trim(), source: name };
  }
  const headers = env['SCORING_HEADERS'];
  const scoringHeaders = headers !== undefined && headers.trim() !== '' ? parseScoringHeaders(headers) : {};
  // The seed's default SCORING_HEADERS routes to DEPLOYMENT through this header.
  const deployment = env['DEPLOYMENT']?.trim();
  if (deployment && !Object.keys(scoringHeaders).some((name) => name.toLowerCase() === 'azureml-model-deployment')) {
    scoringHeaders['azureml-model-deployment'] = deployment;
  }
  if (Object.keys(scoringHeaders).length > 0) layer.headers = { value: scoringHeaders, source: 'SCORING_HEADERS' };
  if (!layer.url && (env['ONLINE_ENDPOINT']?.trim() || deployment)) {
    throw new SettingsError(
      'ONLINE_ENDPOINT/DEPLOYMENT are set but SCORING_URI is not: modelprof does not look endpoints up in Azure; set SCORING_URI (and SCORING_HEADERS for the key)',
    );
  }
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
    throw new SettingsError('SCORING_HEADERS must be a JSON object of header names to string values, got a JSON ' + (Array.isArray(parsed) ? 'array' : typeof parsed));
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

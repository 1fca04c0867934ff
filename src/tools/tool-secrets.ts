import { isSecretHeaderValue, urlHasSecrets } from '../core/redact.js';
import type { Settings } from '../settings/settings.js';

/** One secret header value, handed to an external tool through its environment, never in a file. */
export interface ToolSecret {
  header: string;
  /** The environment variable that holds the value for the tool. */
  variable: string;
  value: string;
}

/** The variable that holds the request target (path and query) when the query carries a key. */
export const REQUEST_TARGET_VARIABLE = 'MODELPROF_REQUEST_TARGET';

/**
 * The secret header values of a run (see isSecretHeaderValue), each with the variable an external
 * tool reads it from: the generated script or config names the variable (wrk's os.getenv, LaBench's
 * os.ExpandEnv), so neither the file in the output folder nor the command line holds a key. The
 * tool's environment is readable only by its own user (/proc/PID/environ).
 */
export function toolSecrets(settings: Pick<Settings, 'headers' | 'secretHeaders'>): ToolSecret[] {
  return Object.entries(settings.headers)
    .filter(([name, value]) => isSecretHeaderValue(name, value, settings.secretHeaders))
    .map(([header, value], index) => ({ header, variable: `MODELPROF_SECRET_${index}`, value }));
}

/** The environment an external tool runs with: modelprof's own, plus the secrets its script reads. */
export function toolEnvironment(settings: Pick<Settings, 'headers' | 'secretHeaders' | 'url'>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const secret of toolSecrets(settings)) env[secret.variable] = secret.value;
  if (urlHasSecrets(settings.url)) env[REQUEST_TARGET_VARIABLE] = `${settings.url.pathname}${settings.url.search}`;
  return env;
}

import { SettingsError } from '../core/errors.js';

/** HTTP token characters (RFC 9110) for header names. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parses `--header "Name: value"` flags. The value is never quoted in errors: it may be a key. */
export function parseHeaderFlags(flags: readonly string[], source: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const flag of flags) {
    const colon = flag.indexOf(':');
    const name = colon > 0 ? flag.slice(0, colon).trim() : '';
    if (!HEADER_NAME.test(name)) {
      throw new SettingsError(`${source} must be "Name: value" with a valid header name, got ${colon > 0 ? `name "${name}"` : 'no ":"'}`);
    }
    headers[name] = flag.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Expands `${VAR}` in header values from the environment, so keys stay out of files and flags.
 * A reference to an unset variable is an error naming the header and the variable, never the value.
 */
export function expandHeaderVariables(headers: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string> {
  const expanded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new SettingsError(`header name "${name}" is not a valid HTTP header name`);
    expanded[name] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const found = env[variable];
      if (found === undefined) throw new SettingsError(`header "${name}" refers to \${${variable}}, which is not set in the environment`);
      return found;
    });
    if (/[\r\n]/.test(expanded[name]!)) throw new SettingsError(`header "${name}" must not contain line breaks`);
  }
  return expanded;
}

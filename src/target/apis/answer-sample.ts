import { isSecretHeaderValue, isSecretQueryParameter, REDACTED } from '../../core/redact.js';

/** Keys whose values are credentials wherever they appear in a JSON body. */
const SECRET_KEY = /("[^"]*(?:auth|key|token|secret|password|passwd|cookie|signature|credential|session)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/** Auth schemes and JWTs in free text. */
const SECRET_TEXT = /\b(bearer|basic|digest)\s+[A-Za-z0-9._~+/=-]{8,}|\beyJ[\w-]+\.[\w-]+\.[\w-]*/gi;

/**
 * A bad answer's body as the report keeps it: the known secret values (the run's secret header
 * values and URL credentials) replaced wherever they appear, then values of credential-like JSON
 * keys, auth schemes and JWTs. A server that echoes the request must not leak its key into a report.
 */
export function redactSample(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) {
    if (secret.length >= 4) safe = safe.split(secret).join(REDACTED);
  }
  return safe.replace(SECRET_KEY, `$1"${REDACTED}"`).replace(SECRET_TEXT, REDACTED);
}

/**
 * The credential values of a run that a sample must not show: secret header values (whole, and the
 * token after an auth scheme; `secretNames` are the headers expanded from the environment, secret
 * whatever they are called) and the URL's user info.
 */
export function secretsOf(headers: Readonly<Record<string, string>>, url: URL, secretNames: readonly string[] = []): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!isSecretHeaderValue(name, value, secretNames)) continue;
    secrets.push(value.trim());
    const token = /^\s*\S+\s+(\S+)/.exec(value)?.[1];
    if (token !== undefined) secrets.push(token);
  }
  for (const part of [url.username, url.password]) if (part !== '') secrets.push(decodeURIComponent(part));
  // Credentials in the query (Azure Functions' code, SAS signatures): the same names redactUrl hides.
  for (const [name, value] of url.searchParams) if (isSecretQueryParameter(name) && value !== '') secrets.push(value);
  // Longest first, so a token inside a longer value does not leave the rest of it behind.
  return secrets.sort((a, b) => b.length - a.length);
}

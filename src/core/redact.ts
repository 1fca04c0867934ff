/** Header names whose values are credentials. Matched case-insensitively, also as parts of a name. */
const SECRET_NAME = /auth|key|token|secret|password|passwd|cookie|signature|credential|session/i;
/** Query parameters that carry credentials (Azure Functions' `code`, SAS `sig`, API keys). */
const SECRET_QUERY = /^(code|sig|signature|key|api[-_]?key|apikey|token|access[-_]?token|secret|password|sv|se|sp)$/i;

/** Values that are credentials whatever the header is called: auth schemes and JWTs. */
const SECRET_VALUE = /^\s*(bearer|basic|digest|sharedaccesssignature|apikey|token)\s|^\s*eyJ[\w-]+\.[\w-]+\./i;

export const REDACTED = '<redacted>';

export function isSecretHeader(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A URL query parameter whose value is a credential. */
export function isSecretQueryParameter(name: string): boolean {
  return SECRET_QUERY.test(name) || SECRET_NAME.test(name);
}

/**
 * Whether a header's value is a secret: by its name (auth, key, token, ...), by the look of its
 * value (an auth scheme, a JWT), or because it is named in `secretNames`, the headers whose value
 * came from the environment through `${VAR}` (Settings.secretHeaders), whatever they are called.
 */
export function isSecretHeaderValue(name: string, value: string, secretNames: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return isSecretHeader(name) || SECRET_VALUE.test(value) || secretNames.some((secret) => secret.toLowerCase() === lower);
}

/** Header map safe to print: secret values (see isSecretHeaderValue) replaced. */
export function redactHeaders(headers: Readonly<Record<string, string>>, secretNames: readonly string[] = []): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) safe[name] = isSecretHeaderValue(name, value, secretNames) ? REDACTED : value;
  return safe;
}

/** Whether the URL carries credentials: user info, or a key-like query parameter. */
export function urlHasSecrets(url: URL): boolean {
  return redactUrl(url) !== url.href;
}

/**
 * The one way a URL is shown (reports, consoles, errors, monitor names): user info and credential-like
 * query parameters replaced. Text is shown as written when it has nothing to hide; text that does not
 * parse as a URL (a hand-edited report, a bad flag) keeps everything but its user info.
 */
export function redactUrl(url: URL | string): string {
  if (typeof url === 'string') {
    if (!URL.canParse(url)) return url.replace(/\/\/[^/@]*@/, '//…@');
    // Text with nothing to hide is shown as written.
    const parsed = new URL(url);
    const redacted = redactUrl(parsed);
    return redacted === parsed.href ? url : redacted;
  }
  const safe = new URL(url.href);
  if (safe.username) safe.username = 'redacted';
  if (safe.password) safe.password = 'redacted';
  for (const name of [...safe.searchParams.keys()]) {
    if (isSecretQueryParameter(name)) safe.searchParams.set(name, 'redacted');
  }
  return safe.href;
}


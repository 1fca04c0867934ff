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

/** Header map safe to print: secret values replaced. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) safe[name] = isSecretHeader(name) || SECRET_VALUE.test(value) ? REDACTED : value;
  return safe;
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


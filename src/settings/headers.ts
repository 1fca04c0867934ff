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
      const got = colon < 0 ? 'no ":"' : name === '' ? 'an empty name before ":"' : `name "${name}"`;
      throw new SettingsError(`${source} must be "Name: value" with a valid header name, got ${got}`);
    }
    headers[name] = flag.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Expands `${VAR}` in header values from the environment, so keys stay out of files and flags.
 * A reference to an unset variable is an error naming the header and the variable, never the value.
 * `secret` lists the headers whose value took anything from the environment: it is a secret
 * wherever it goes, whatever the header is called.
 */
export function expandHeaderVariables(headers: Record<string, string>, env: NodeJS.ProcessEnv): { headers: Record<string, string>; secret: string[] } {
  const expanded: Record<string, string> = {};
  const secret: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(value)) secret.push(name);
    if (!HEADER_NAME.test(name)) throw new SettingsError(`header name "${name}" is not a valid HTTP header name`);
    expanded[name] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const found = env[variable];
      if (found === undefined) throw new SettingsError(`header "${name}" refers to \${${variable}}, which is not set in the environment`);
      return found;
    });
    checkFieldValue(name, expanded[name]!);
  }
  return { headers: expanded, secret };
}

/**
 * A field value as RFC 9110 section 5.5 allows it: visible characters, spaces and tabs, and obs-text
 * (0x80-0xFF, sent as bytes); no control character (a line break would split the request, any other
 * is refused by servers) and nothing beyond 0xFF, which has no single byte on the wire. The error
 * names the header and the character's code, never the value: it may be a key.
 */
function checkFieldValue(name: string, value: string): void {
  const bad = /[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]/u.exec(value);
  if (bad === null) return;
  const code = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const what = /[\r\n]/.test(bad[0]) ? `a line break (${code})` : bad[0].codePointAt(0)! > 0xff ? `a character beyond Latin-1 (${code})` : `a control character (${code})`;
  throw new SettingsError(`header "${name}" has ${what} in its value at character ${bad.index + 1}: RFC 9110 allows visible characters, spaces and tabs (percent-encode or base64 anything else)`);
}

/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1) and the message framing (RFC 9112 section 6) belong
 * to the engine: it keeps connections alive and frames every body with its own Content-Length, so
 * a user's value would contradict what is on the wire (a "Transfer-Encoding: chunked" over an
 * unchunked body is a 400 at best, a desynchronised connection at worst).
 */
const ENGINE_OWNED = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

/** host or host:port, as a Host header holds it (RFC 9110 section 7.2): no path, no user info, no spaces. */
const HOST_VALUE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(:\d{1,5})?$/;

/**
 * Refuses request headers that would break the framing or the connection handling the engine owns:
 * hop-by-hop headers, a Content-Length that is not every body's length in bytes, and a Host that
 * is not a host[:port] or that names another host than an https URL (the certificate and SNI are
 * the URL's host, so the server would answer 421 Misdirected Request). Over http a different Host
 * is allowed: it is how a load balancer's virtual host is reached by address.
 */
export function checkEngineOwnedHeaders(headers: Readonly<Record<string, string>>, url: URL, bodies: readonly string[]): void {
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (ENGINE_OWNED.includes(lower)) {
      throw new SettingsError(`header "${name}" is the engine's own (it keeps connections alive and frames each request itself): leave it out`);
    }
    if (lower === 'content-length') {
      const lengths = new Set((bodies.length > 0 ? bodies : ['']).map((body) => Buffer.byteLength(body, 'utf8')));
      if (lengths.size !== 1 || String([...lengths][0]) !== value.trim()) {
        const actual = lengths.size === 1 ? `the body is ${[...lengths][0]} bytes` : `the ${bodies.length} bodies differ in length`;
        throw new SettingsError(`header "${name}" does not match the body (${actual}): leave it out, the engine sets it for each request`);
      }
    }
    if (lower === 'host') {
      if (!HOST_VALUE.test(value.trim())) throw new SettingsError(`header "${name}" must be host or host:port, got a value with a path, spaces or user info`);
      const hostname = value.trim().replace(/:\d+$/, '').toLowerCase();
      if (url.protocol === 'https:' && hostname !== url.hostname.toLowerCase()) {
        throw new SettingsError(`header "${name}" names another host than the https URL (${url.hostname}), whose certificate and SNI the connection uses: the server would refuse it (421); put that host in the URL`);
      }
    }
  }
}

import { MODELPROF_VERSION } from '../core/version.js';
import type { Settings } from '../settings/settings.js';

/** Where and how to connect; plain data so it can cross into worker threads. */
export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  /** TLS server name (SNI); empty for IP literals. */
  servername: string;
}

export function endpointOf(url: URL): Endpoint {
  const tls = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const isIp = /^[\d.]+$/.test(host) || host.includes(':');
  return { host, port: Number(url.port) || (tls ? 443 : 80), tls, servername: isIp ? '' : host };
}

/**
 * Encodes every request of the rotation once, as complete HTTP/1.1 messages, so the hot path only
 * writes prepared bytes. One buffer per payload line; a single one when there is no body.
 */
export function encodeRequests(settings: Pick<Settings, 'url' | 'method' | 'headers' | 'payload'>): Buffer[] {
  const head = requestHead(settings);
  const bodies = settings.payload.bodies.length > 0 ? settings.payload.bodies : [undefined];
  return bodies.map((body) => encodeRequest(head, body));
}

/** The request line and headers of every request to the target, without Content-Length and the blank line. */
export function requestHead(settings: Pick<Settings, 'url' | 'method' | 'headers'>): string {
  const { url, method, headers } = settings;
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`];
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!names.has('host')) lines.push(`Host: ${url.host}`);
  if (!names.has('user-agent')) lines.push(`User-Agent: modelprof/${MODELPROF_VERSION}`);
  if (!names.has('accept')) lines.push('Accept: */*');
  if (url.username && !names.has('authorization')) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    lines.push(`Authorization: Basic ${Buffer.from(credentials).toString('base64')}`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'content-length') lines.push(`${name}: ${value}`);
  }
  return lines.join('\r\n');
}

/** One complete request: `head` (from requestHead) with the body, if any, and its Content-Length. */
export function encodeRequest(head: string, body: string | undefined): Buffer {
  if (body === undefined) return Buffer.from(`${head}\r\n\r\n`, 'latin1');
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`${head}\r\nContent-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
}

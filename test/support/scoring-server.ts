import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The scoring endpoint the fixtures in /work/shared/fixtures were captured against, for real runs of
 * the tools: keep-alive, answers POST with 200 and {"result":[1]} after a short delay, and counts
 * everything itself so a test can hold a tool's report against the server's own numbers.
 * - plain: nothing else
 * - errors: every 20th request gets 503, every 50th (1st, 51st, ...) gets 400
 * - timeouts: every 100th request is answered only after 3 s
 * - resets: every 50th request has its connection destroyed without an answer
 */
export type ServerMode = 'plain' | 'errors' | 'timeouts' | 'resets';

export interface ServerCounts {
  received: number;
  s200: number;
  s503: number;
  s400: number;
  slow: number;
  reset: number;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ScoringServer {
  url: string;
  counts: ServerCounts;
  /** The first `keepRequests` requests, as received. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

export interface ScoringServerOptions {
  mode?: ServerMode;
  /** Fixed service time in ms; by default a random 1-4 ms, as at capture time. */
  delayMs?: number;
  keepRequests?: number;
}

const SLOW_MS = 3000;

export async function startScoringServer(options: ScoringServerOptions = {}): Promise<ScoringServer> {
  const mode = options.mode ?? 'plain';
  const counts: ServerCounts = { received: 0, s200: 0, s503: 0, s400: 0, slow: 0, reset: 0 };
  const seen: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const n = ++counts.received;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (seen.length < (options.keepRequests ?? 0)) {
        seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      }
      if (mode === 'resets' && n % 50 === 0) {
        counts.reset++;
        request.socket.destroy();
        return;
      }
      let status = 200;
      if (mode === 'errors' && n % 50 === 1) status = 400;
      else if (mode === 'errors' && n % 20 === 0) status = 503;
      const slow = mode === 'timeouts' && n % 100 === 0;
      const delay = slow ? SLOW_MS : (options.delayMs ?? 1 + Math.random() * 3);
      setTimeout(() => {
        if (response.destroyed) return;
        if (slow) counts.slow++;
        else if (status === 200) counts.s200++;
        else if (status === 503) counts.s503++;
        else counts.s400++;
        const body = status === 200 ? '{"result":[1]}' : status === 503 ? 'busy' : 'bad request';
        response.writeHead(status, { 'Content-Type': status === 200 ? 'application/json' : 'text/plain', 'Content-Length': Buffer.byteLength(body) });
        response.end(body);
      }, delay);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/score`,
    counts,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Behaviour of a test target; every request is counted by the server itself. */
export interface TestServerOptions {
  /** Service time of every request, ms. */
  delayMs?: number;
  /** Stall windows: requests arriving in [atMs, atMs + forMs) after the first request wait until the window ends. */
  stalls?: { atMs: number; forMs: number }[];
  /** Answer this status instead of 200 for every n-th request (1-based). */
  statusEvery?: { every: number; status: number }[];
  /** Destroy the connection without an answer on every n-th request. */
  resetEvery?: number;
  /** Never answer every n-th request (the client's timeout must fire). */
  hangEvery?: number;
  /** Answer `status` to every request whose body contains `contains` (a payload line the model rejects). */
  rejectBody?: { contains: string; status: number };
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
}

export interface TestServer {
  url: string;
  port: number;
  received(): number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 for engine tests: keep-alive, configurable latency and faults. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  let received = 0;
  let firstAt = 0;
  const server = http.createServer((request, response) => {
    const n = ++received;
    const now = performance.now();
    if (firstAt === 0) firstAt = now;
    let body = '';
    if (options.rejectBody) request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    else request.resume();
    request.on('end', () => {
      if (options.resetEvery && n % options.resetEvery === 0) return void request.socket.destroy();
      if (options.hangEvery && n % options.hangEvery === 0) return;
      const rejected = options.rejectBody && body.includes(options.rejectBody.contains) ? options.rejectBody.status : undefined;
      const status = rejected ?? options.statusEvery?.find((rule) => n % rule.every === 0)?.status ?? 200;
      let wait = options.delayMs ?? 0;
      for (const stall of options.stalls ?? []) {
        const since = now - firstAt;
        if (since >= stall.atMs && since < stall.atMs + stall.forMs) wait = Math.max(wait, stall.atMs + stall.forMs - since);
      }
      const answer = (): void => {
        const body = status === 200 ? '{"result":[1]}' : '{"error":"test"}';
        response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        response.end(body);
      };
      if (wait > 0) setTimeout(answer, wait);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/score`,
    port,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { startTestServer } from './test-server.js';

/**
 * A test server as a program, for `--serve`: `node delay-server.js PORT DELAY_MS` answers every
 * request after DELAY_MS on 127.0.0.1:PORT, with no capacity limit, until SIGTERM or SIGINT.
 */
const [port, delayMs] = process.argv.slice(2).map(Number);
const server = await startTestServer({ delayMs: delayMs!, port: port! });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.close());

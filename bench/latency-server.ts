import http from 'node:http';

/**
 * The latency target of the bench: answers after DELAY_MS; with STALL_EVERY_MS set, every request
 * arriving in a STALL_MS window at each multiple of STALL_EVERY_MS waits until the window ends.
 */
const port = Number(process.env['PORT']);
const delayMs = Number(process.env['DELAY_MS'] ?? 10);
const stallEveryMs = Number(process.env['STALL_EVERY_MS'] ?? 0);
const stallMs = Number(process.env['STALL_MS'] ?? 0);
const started = performance.now();

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    let wait = delayMs;
    if (stallEveryMs > 0) {
      const into = (performance.now() - started) % stallEveryMs;
      if (into < stallMs) wait = Math.max(wait, stallMs - into);
    }
    setTimeout(() => response.end('{"result":[1]}'), wait);
  });
});
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));

// modelprof as a library: profile an endpoint, judge an SLA, compare two runs, write the HTML page.
// Run it with `node examples/library.mjs` after `npm run build` (or after `npm install modelprof`).
// It starts a small scoring endpoint of its own on 127.0.0.1 (5 ms per request) so it runs anywhere;
// point `url` at your model instead.
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSla, compare, ERROR_CODES, ModelprofError, profile, renderHtml } from 'modelprof';

const server = createServer((request, response) => {
  request.resume().on('end', () => setTimeout(() => response.end('{"result": [0.5]}'), 5));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/score`;
const output = mkdtempSync(join(tmpdir(), 'modelprof-example-'));

try {
  const options = {
    url,
    payload: '{"data": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]}',
    tool: 'wrk2', // constant rate, coordinated-omission corrected
    rate: 100,
    connections: 4,
    duration: '2s',
    warmup: 0,
    sla: 'p99<=250ms, error_rate<1%',
    onProgress: (p) => process.stderr.write(`  ${p.phase} ${p.elapsedSec.toFixed(0)} s: ${p.requests} requests\n`),
  };
  const baseline = await profile({ ...options, output: join(output, 'baseline') });
  const current = await profile({ ...options, output: join(output, 'current') });

  const { latency, throughput, requests, validity } = current;
  console.log(`requests: ${requests.total} (${requests.errors} errors), ${throughput.rps.toFixed(1)} req/s`);
  console.log(`latency: p50 ${latency.p50} ms, p99 ${latency.p99} ms`);
  console.log(`valid run: ${validity.valid}${validity.valid ? '' : ` (${validity.reasons.join('; ')})`}`);
  const verdict = checkSla(current, options.sla);
  // 'pass', 'fail', or 'not-judged' where the generator's own lag could account for a figure against its limit.
  console.log(`SLA: ${verdict.status} (${verdict.results.map((r) => r.message).join('; ')})`);
  const comparison = compare(baseline, current, 'p99=50%');
  const outcome = comparison.verdict === 'regression' || comparison.verdict === 'no-regression' ? comparison.verdict.replace('-', ' ') : `no verdict (${comparison.verdict}: ${[...comparison.unlike, ...comparison.invalid, ...comparison.notJudged][0]})`;
  console.log(`compare: ${outcome}`);
  writeFileSync(join(output, 'report.html'), renderHtml(current, options.sla));
  console.log(`page: ${join(output, 'report.html')}`);

  // Mistakes are typed errors with a stable code, thrown before anything is sent.
  await profile({ url, rate: -1 }).catch((error) => {
    if (!(error instanceof ModelprofError)) throw error;
    console.log(`refused: ${error.code === ERROR_CODES.settings ? 'settings' : error.code}: ${error.message}`);
  });
} finally {
  server.close();
}

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import { runCli } from '../../support/cli.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

// Failures that explain themselves: the real binary against real servers that fail as users' do.
const work = mkdtempSync(join(tmpdir(), 'modelprof-target-errors-'));
const servers: TestServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;

async function server(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const started = await startTestServer(options);
  servers.push(started);
  return started;
}

describe('modelprof run: a run with no successful answer is a target error', () => {
  it('a wrong key (401 on all): exit 4, the status named with what to check, a red banner; a seed variable the tool ignores is a note', async () => {
    const target = await server({ statusEvery: [{ every: 1, status: 401 }] });
    const out = join(work, 'wrong-key');
    const result = await runCli(['run', '--url', target.url, '--payload', '{}', '--tool', 'wrk2', '-R', '50', '-d', '1s', '--warmup', '0', '-o', out], { env: { CLIENTS: '3' } });
    assert.equal(result.code, EXIT.toolError, result.stderr);
    assert.match(result.stdout, /\n\nTARGET ERROR: none of \d+ requests succeeded: \d+ HTTP 401 \(Unauthorized: check the key \(the Authorization header\)\)\n/);
    assert.match(result.stderr, /^modelprof: note: wrk2 does not use CLIENTS=3 \(read by labench\): it is ignored$/m);
    assert.match(result.stderr, /^modelprof: target error: none of \d+ requests succeeded: .*; report written to .*report\.json$/m);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<section class="verdict verdict-fail" id="verdict">[\s\S]*Target error: no request succeeded/);
    assert.deepEqual(readReport(out).errors.samples!.map((s) => [s.status, s.sample]), Array(3).fill([401, '{"error":"test"}']), 'three bodies of the 401s kept');
    assert.match(result.stdout, /\n {2}HTTP 401 said: \{"error":"test"\}\n/);
  });

  it('--timeout 2ms against a 5 ms server: every answer a timeout, to the millisecond; "no HTTP answer at all"', async () => {
    const target = await server({ delayMs: 5 });
    const out = join(work, 'timeouts');
    const result = await runCli(['run', '--url', target.url, '--tool', 'wrk2', '-R', '40', '-d', '1s', '--warmup', '0', '--timeout', '2ms', '-o', out]);
    assert.equal(result.code, EXIT.toolError, result.stderr);
    const report = readReport(out);
    assert.equal(report.requests.ok, 0, 'no answer after 5 ms counts within a 2 ms timeout');
    assert.equal(report.errors.byKind.timeout, report.requests.total);
    assert.match(result.stdout, /TARGET ERROR: none of \d+ requests succeeded: no HTTP answer at all: \d+ timed out \(no answer within the 2 ms timeout\)/);
  });
});

describe('modelprof run: a high error rate without an SLA', () => {
  it('a payload file with one bad line: a prominent warning, and the failing line named in the report', async () => {
    const target = await server({ rejectBody: { contains: 'bad', status: 400 } });
    const payload = join(work, 'payload.jsonl');
    writeFileSync(payload, '{"data": [[1, 2]]}\n{"data": "bad"}\n{"data": [[3, 4]]}\n');
    const out = join(work, 'bad-line');
    const result = await runCli(['run', '--url', target.url, '--payload-file', payload, '--tool', 'wrk2', '-R', '60', '-d', '1s', '--warmup', '0', '-o', out]);
    // A busy machine may make the run invalid (exit 3); the warning and the line counts show either way.
    assert.ok(result.code === EXIT.ok || result.code === EXIT.runInvalid, `exit ${result.code}: ${result.stderr}`);
    assert.match(result.stdout, /\n\nHIGH ERROR RATE: [\d.]+% of \d+ requests failed: \d+ HTTP 400 \(Bad Request: the endpoint rejects the body; errors by payload line show which lines\)\n/);
    assert.match(result.stdout, /by payload line: 1 of 3 lines failed:\n {4}line 2 +\d+ of \d+ failed \(100\.00%\)/);
    const byLine = readReport(out).errors.byPayloadLine!;
    assert.equal(byLine.lines, 3);
    assert.equal(byLine.linesWithErrors, 1);
    assert.equal(byLine.worst[0]!.line, 2);
    assert.equal(byLine.worst[0]!.errors, byLine.worst[0]!.requests);
    assert.deepEqual(readReport(out).errors.samples![0], { status: 400, line: 2, sample: '{"error":"test"}' });
    assert.match(result.stdout, /\n {2}HTTP 400 said \(line 2\): \{"error":"test"\}\n/);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /High error rate: [\d.]+% of requests failed|HIGH ERROR RATE: [\d.]+% of \d+ requests failed/);
  });
});

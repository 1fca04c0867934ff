import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import type { SweepRecord } from '../../../src/sweep/sweep-record.js';
import { MAIN, runCli } from '../../support/cli.js';
import { freePort } from '../../support/free-port.js';
import { startTestServer } from '../../support/test-server.js';

const work = mkdtempSync(join(tmpdir(), 'modelprof-sweep-cli-'));
const PAYLOAD = '{"data": [[1,2,3,4,5,6,7,8,9,10]]}';
const readRecord = (dir: string): SweepRecord => JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as SweepRecord;

/**
 * Two local deployments of the sample endpoint that differ only in max_concurrent_requests_per_instance,
 * each started by its serve command, swept over 1 and 4 closed-loop connections. With a limit of 1, a
 * second concurrent request gets 429 at once, so 4 connections break "error_rate<1%"; a limit of 8 holds them.
 */
async function concurrencySweep(): Promise<string> {
  const [one, eight] = [await freePort(), await freePort()];
  const serve = (port: number, limit: number): string =>
    `'${process.execPath}' '${MAIN}' serve-sample --port ${port} --workers 2 --work-factor 8 --max-concurrent ${limit}`;
  const file = join(work, 'concurrency.yml');
  writeFileSync(
    file,
    `name: max_concurrent_requests_per_instance 1 vs 8
sla: "error_rate<1%"
cooldown: 0.5s
currency: USD
tool: wrk
payload:
  body: '${PAYLOAD}'
settings:
  duration: 2s
  warmup: 0.5s
grid:
  connections: [1, 4]
deployments:
  - name: limit-1
    url: http://127.0.0.1:${one}/score
    serve: ${JSON.stringify(serve(one, 1))}
    instance_type: Standard_F2s_v2
    price_per_hour: 0.1
    cores_per_instance: 2
    max_concurrent_requests_per_instance: 1
  - name: limit-8
    url: http://127.0.0.1:${eight}/score
    serve: ${JSON.stringify(serve(eight, 8))}
    instance_type: Standard_F2s_v2
    price_per_hour: 0.1
    cores_per_instance: 2
    max_concurrent_requests_per_instance: 8
`,
  );
  return file;
}

describe('modelprof sweep of two max_concurrent_requests_per_instance settings', () => {
  const out = join(work, 'concurrency');
  let file = '';
  let firstReport = { mtimeMs: 0, startTime: '' };
  let keptBeforeResume = 0;

  it('on Ctrl-C keeps the finished points and stops with 130', async () => {
    file = await concurrencySweep();
    let poll: NodeJS.Timeout | undefined;
    const result = await runCli(['sweep', '-f', file, '-o', out], {
      onStart: (pid) => {
        // Interrupt as soon as the first point is written down, while the second is running.
        poll = setInterval(() => {
          if (!existsSync(join(out, 'sweep.json'))) return;
          if (!readRecord(out).points.some((p) => p.status === 'measured')) return;
          clearInterval(poll);
          process.kill(pid, 'SIGINT');
        }, 50);
      },
    });
    clearInterval(poll);
    assert.equal(result.code, EXIT.interrupted, result.stderr);
    assert.match(result.stderr, /stopping the sweep; finished points are kept, --resume continues/);
    const record = readRecord(out);
    assert.equal(record.complete, false);
    const measured = record.points.filter((p) => p.status === 'measured');
    keptBeforeResume = measured.length;
    assert.ok(keptBeforeResume >= 1 && keptBeforeResume < 4, record.points.map((p) => p.status).join());
    assert.equal(record.points[0]!.status, 'measured');
    assert.ok(record.points.some((p) => p.status === 'interrupted' || p.status === 'pending'));
    const reportPath = join(out, record.points[0]!.report!);
    firstReport = { mtimeMs: statSync(reportPath).mtimeMs, startTime: (JSON.parse(readFileSync(reportPath, 'utf8')) as Report).startTime };
    assert.match(result.stdout, /INCOMPLETE: some points were not measured; run again with --resume/);
  });

  it('refuses to start over a sweep without --resume', async () => {
    const result = await runCli(['sweep', '-f', file, '-o', out]);
    assert.equal(result.code, EXIT.badSettings);
    assert.match(result.stderr, /already holds a sweep: pass --resume to continue it/);
  });

  it('--resume measures only the rest, leaving the finished points untouched', async () => {
    const result = await runCli(['sweep', '-f', file, '-o', out, '--resume']);
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.match(result.stderr, new RegExp(`${4 - keptBeforeResume} of 4 points to measure \\(${keptBeforeResume} kept from the earlier run\\)`));
    const record = readRecord(out);
    assert.equal(record.complete, true);
    assert.deepEqual(record.points.map((p) => p.status), ['measured', 'measured', 'measured', 'measured']);
    const reportPath = join(out, record.points[0]!.report!);
    assert.equal(statSync(reportPath).mtimeMs, firstReport.mtimeMs);
    assert.equal((JSON.parse(readFileSync(reportPath, 'utf8')) as Report).startTime, firstReport.startTime);
    for (const point of record.points) {
      assert.ok(existsSync(join(out, point.deployment, point.id, 'report.json')));
      assert.ok(existsSync(join(out, point.deployment, point.id, 'report.html')));
    }
  });

  it('ranks and draws consistently with the settings: the higher limit holds more load, so it is cheaper per request', () => {
    const record = readRecord(out);
    const point = (deployment: string, id: string) => record.points.find((p) => p.deployment === deployment && p.id === id)!;
    const summary = record.points.map((p) => `${p.deployment}/${p.id}: ${p.okRps} ok/s, errors ${p.errorRate}`).join('; ');
    // One connection never exceeds either limit.
    assert.equal(point('limit-1', 'c1').verdict, 'pass', summary);
    assert.equal(point('limit-8', 'c1').verdict, 'pass', summary);
    // Four connections: most requests over the limit of 1 are turned away, none under the limit of 8.
    assert.equal(point('limit-1', 'c4').verdict, 'fail', summary);
    assert.ok(point('limit-1', 'c4').errorRate! > 0.5, summary);
    assert.equal(point('limit-8', 'c4').verdict, 'pass', summary);
    assert.equal(point('limit-8', 'c4').errorRate, 0, summary);

    assert.equal(record.rankingBasis, 'cost');
    const [best, second] = record.ranking;
    assert.deepEqual([best!.deployment, best!.rank, best!.pointId], ['limit-8', 1, 'c4'], summary);
    assert.deepEqual([second!.deployment, second!.rank, second!.pointId], ['limit-1', 2, 'c1'], summary);
    assert.ok(best!.slaRps! > second!.slaRps!, summary);
    assert.ok(best!.costPerMillion! < second!.costPerMillion!);
    assert.ok(Math.abs(best!.costPerMillion! - (0.1 * 1e6) / (best!.slaRps! * 3600)) < 1e-4);

    const html = readFileSync(join(out, 'sweep.html'), 'utf8');
    assert.match(html, /<h2>Cheapest that meets the SLA<\/h2><p>limit-8, /);
    for (const id of ['chart-throughput-latency', 'chart-load-p99', 'chart-load-errors']) assert.match(html, new RegExp(`id="${id}"`));
    assert.equal([...html.matchAll(/data-series="limit-1" data-points="2"/g)].length, 3);
    assert.equal([...html.matchAll(/data-series="limit-8" data-points="2"/g)].length, 3);
  });
});

describe('modelprof sweep: failures', () => {
  it('marks the points of a deployment that cannot start as failed, measures the others, and exits 4', async () => {
    const server = await startTestServer({ delayMs: 1 });
    try {
      const file = join(work, 'broken.yml');
      writeFileSync(
        file,
        `cooldown: 0
settings: { duration: 1s, warmup: 0 }
deployments:
  - name: broken
    url: http://127.0.0.1:${await freePort()}/score
    serve: echo no model here >&2; exit 3
  - name: fine
    url: ${server.url}
`,
      );
      const out = join(work, 'broken');
      const result = await runCli(['sweep', '-f', file, '-o', out, '--json']);
      assert.equal(result.code, EXIT.toolError, result.stderr);
      const record = JSON.parse(result.stdout) as SweepRecord;
      assert.deepEqual(record, readRecord(out));
      assert.equal(record.points[0]!.status, 'failed');
      assert.match(record.points[0]!.reasons[0]!, /exited with code 3 .*; last stderr line: no model here/);
      assert.equal(record.points[1]!.status, 'measured');
      assert.equal(record.ranking[0]!.deployment, 'fine');
      assert.match(result.stderr, /broken: could not start/);
      assert.match(record.deployments[0]!.notStarted!, /exited with code 3/);
      assert.equal(record.deployments[1]!.notStarted, undefined);
    } finally {
      await server.close();
    }
  });

  it('stops on a mistake in the sweep file with one line and exit 2, before any request', async () => {
    const file = join(work, 'typo.yml');
    writeFileSync(file, 'deployments:\n  - name: a\n    url: http://127.0.0.1:9/score\n    instance_cout: 2\n');
    const result = await runCli(['sweep', '-f', file, '-o', join(work, 'typo')]);
    assert.equal(result.code, EXIT.badSettings);
    assert.equal(result.stderr, `modelprof: sweep file "${file}": unknown key "deployments[0].instance_cout" (did you mean "deployments[0].instance_count"?)\n`);
    assert.ok(!existsSync(join(work, 'typo')));
  });
});

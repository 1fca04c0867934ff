import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.js';
import { trustedThrough, VALID_THROUGH } from '../../src/judge/trust.js';
import { decodeHistogram } from '../../src/record/histogram.js';
import type { Report } from '../../src/report/report.js';
import { runCli, type CliResult } from '../support/cli.js';
import { assertValidReport } from '../support/report-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const work = mkdtempSync(join(tmpdir(), 'modelprof-scale-'));
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
/** Long enough for three Node processes to start on a busy 2-core machine before the common start. */
const START_LEAD_MS = 4000;
const SHARDS = 2;
const LOAD = ['--tool', 'wrk2', '--rate', '200', '--connections', '8', '--duration', '4s', '--warmup', '1s'];

let server: TestServer;
let single: Report;
let merged: Report;
let shards: Report[];
let mergeRun: CliResult;

before(async () => {
  server = await startTestServer({ delayMs: 20 });
  // The shards and the one process doing the whole load run at the same time against one server,
  // so both see the same machine: what differs is only the split.
  const startAt = new Date(Date.now() + START_LEAD_MS).toISOString();
  const common = ['run', '--url', server.url, ...LOAD, '--start-at', startAt, '--json'];
  const runs = await Promise.all([
    runCli([...common, '-o', join(work, 'single')]),
    // An SLA no shard can meet (the server takes 20 ms): a shard still exits 0, the verdict is the merge's.
    ...Array.from({ length: SHARDS }, (_, index) => runCli([...common, '--sla', 'p50<=1ms', '--shard', `${index}/${SHARDS}`, '-o', join(work, 'run', `shard-${index}`)])),
  ]);
  // A verdict of invalid (exit 3) on a busy machine still writes the figures compared here.
  assert.ok(runs[0]!.code === EXIT.ok || runs[0]!.code === EXIT.runInvalid, runs[0]!.stderr);
  for (const run of runs.slice(1)) assert.equal(run.code, EXIT.ok, `a shard that wrote its report exits 0: ${run.stderr}`);
  single = readReport(join(work, 'single'));
  shards = Array.from({ length: SHARDS }, (_, index) => readReport(join(work, 'run', `shard-${index}`)));
  // A run folder that also holds a report made without --shard (a baseline kept beside the shards).
  cpSync(join(work, 'single'), join(work, 'run', 'baseline'), { recursive: true });
  mergeRun = await runCli(['merge', join(work, 'run'), '--output', join(work, 'merged')]);
  merged = readReport(join(work, 'merged'));
});
after(() => server.close());

describe('scale-out: shards started together with --start-at, merged', () => {
  it('each shard records its index, the count and the whole run, and sends its part', () => {
    shards.forEach((report, index) => {
      assertValidReport(report);
      assert.deepEqual({ index: report.shard!.index, count: report.shard!.count }, { index, count: SHARDS });
      assert.equal(report.shard!.run.rate, 200);
      assert.equal(report.settings.rate, 100);
      assert.equal(report.settings.connections, 4);
      assert.ok(report.timeline.some((point) => point.histogram !== undefined), 'shard timelines keep per-second histograms');
    });
    assert.equal(single.shard, undefined);
  });

  it('the merge is a normal report whose counts are the sums of the shards, exactly', () => {
    assert.equal(mergeRun.code, merged.validity.valid ? EXIT.ok : EXIT.runInvalid, mergeRun.stderr);
    assertValidReport(merged);
    assert.equal(merged.requests.total, shards[0]!.requests.total + shards[1]!.requests.total);
    assert.equal(merged.requests.ok, shards[0]!.requests.ok + shards[1]!.requests.ok);
    assert.equal(decodeHistogram(merged.histogram!).totalCount, shards.reduce((n, s) => n + decodeHistogram(s.histogram!).totalCount, 0));
    assert.deepEqual(merged.settings, shards[0]!.shard!.run);
    assert.deepEqual(merged.merge!.missing, []);
    // The merge is judged by one run's rule, on the merged send lag: valid when every shard held its load and p50 to p99 are trusted.
    assert.equal(merged.validity.loadHeld, shards.every((s) => s.validity.loadHeld));
    assert.equal(merged.validity.valid, merged.validity.loadHeld && trustedThrough(merged.validity.trust!, VALID_THROUGH), JSON.stringify(merged.validity.trust));
  });

  it("leaves out a report in the run folder that is not a shard's, naming it", () => {
    const note = `skipped ${join(work, 'run', 'baseline', 'report.json')}: not a shard's report (run without --shard), so not part of this run`;
    assert.ok(mergeRun.stderr.includes(`modelprof: note: ${note}\n`), mergeRun.stderr);
    assert.equal(merged.notes[0], note);
    assert.equal(merged.merge!.shards.length, SHARDS);
  });

  it('equals one process doing the same load within noise: rate within 3%, p50 within 5% plus the send lag each measured', () => {
    const rate = Math.abs(merged.throughput.rps - single.throughput.rps) / single.throughput.rps;
    assert.ok(rate <= 0.03, `merged ${merged.throughput.rps} req/s vs one process ${single.throughput.rps} req/s`);
    // Each corrected p50 carries its own generator's send lag (at most its p90 reaches p50, by the
    // trust rule's (100+50)/2 = p75): three generators share a busy machine, so the lag each run
    // measured widens the 5% the split itself may cost.
    const lag = (report: Report): number => report.validity.sendLag?.p90 ?? 0;
    const tolerance = 0.05 * single.latency.p50! + lag(single) + lag(merged);
    assert.ok(
      Math.abs(merged.latency.p50! - single.latency.p50!) <= tolerance,
      `merged p50 ${merged.latency.p50} ms vs one process ${single.latency.p50} ms (tolerance ${tolerance.toFixed(3)} ms: 5% + send lag p90 ${lag(single)} and ${lag(merged)} ms)`,
    );
  });

  it('report, SLA gates and compare work on the merged report', async () => {
    const report = await runCli(['report', join(work, 'merged', 'report.json'), '--sla', 'p50<=10s,error_rate<=1%']);
    // Both clauses are judged whenever the load was held: no generator lag can move a p50 of a few ms past 10 s.
    assert.equal(report.code, merged.validity.loadHeld ? EXIT.ok : EXIT.runInvalid, report.stderr);
    const compare = await runCli(['compare', join(work, 'single', 'report.json'), join(work, 'merged', 'report.json')]);
    assert.ok(compare.code === EXIT.ok || compare.code === EXIT.slaFailed || compare.code === EXIT.runInvalid, compare.stderr);
    assert.match(compare.stdout, /p50/);
  });
});

describe('modelprof run: scale-out flags are checked before any request', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['a --start-at already past', ['--start-at', '2020-01-01T00:00:00Z'], {}, /^modelprof: --start-at 2020-01-01T00:00:00Z is \d+\.\d s in the past/],
    ['a shard index out of range', ['--shard', '2/2'], {}, /^modelprof: --shard: the shard index must be 0 to 1/],
    ['SHARD_INDEX without SHARD_COUNT', [], { SHARD_INDEX: '1' }, /^modelprof: SHARD_INDEX is set but SHARD_COUNT is not/],
    ['more shards than connections', ['--shard', '0/4', '-c', '2'], {}, /^modelprof: --connections \(2\) must be at least the shard count \(4\)/],
  ];
  for (const [name, args, env, says] of cases) {
    it(`refuses ${name}, exit 2`, async () => {
      const result = await runCli(['run', '--url', server.url, '-o', join(work, 'refused-run'), ...args], { env });
      assert.equal(result.code, EXIT.badSettings, result.stderr);
      assert.match(result.stderr, says);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    });
  }
});

describe('modelprof merge: refusals and missing shards', () => {
  it('refuses a missing shard with one line, exit 2', async () => {
    const result = await runCli(['merge', join(work, 'run', 'shard-0', 'report.json'), '--output', join(work, 'refused')]);
    assert.equal(result.code, EXIT.badSettings);
    assert.match(result.stderr, /^modelprof: shard 1 of 2 is missing: give every shard's report, or --allow-missing/);
  });

  it('refuses a report that is not a shard', async () => {
    const result = await runCli(['merge', join(work, 'single'), join(work, 'run', 'shard-0'), '--output', join(work, 'refused')]);
    assert.equal(result.code, EXIT.badSettings);
    assert.match(result.stderr, /single\/report.json is not a shard report/);
  });

  it('with --allow-missing, a shard that died leaves a merge that says what is missing, and is invalid', async () => {
    const result = await runCli(['merge', join(work, 'run', 'shard-1'), '--allow-missing', '--shards', '2', '--output', join(work, 'partial')]);
    assert.equal(result.code, EXIT.runInvalid, result.stderr);
    const partial = readReport(join(work, 'partial'));
    assert.deepEqual(partial.merge!.missing, [0]);
    assert.match(partial.validity.reasons[0]!, /^shard 0 of 2 sent no report/);
    assert.match(readFileSync(join(work, 'partial', 'report.html'), 'utf8'), /shard 0 of 2 sent no report/);
  });
});

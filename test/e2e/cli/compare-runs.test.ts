import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, exitCodeForComparison } from '../../../src/cli/exit-codes.js';
import { runBuiltin } from '../../../src/load/builtin-engine.js';
import { buildReport } from '../../../src/report/build-report.js';
import { compareReports } from '../../../src/judge/compare.js';
import type { Report } from '../../../src/report/report.js';
import { runCli, type CliResult } from '../../support/cli.js';
import { assertValidReport } from '../../support/report-schema.js';
import { settingsFor } from '../../support/settings.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

// Real runs of the builtin engine against real servers on 127.0.0.1 whose service time is known,
// compared the way `modelprof compare` compares report files. The closed-loop wrk model (4 connections)
// keeps the runs valid on a busy 2-core machine, where an open-loop schedule can slip; 5 s give the
// throughput its noise estimate (from the run's seconds), so a generator stall that slows one second
// of one run is seen as noise, not called a change.
//
// The runs are made at the same time: the servers share this machine with the generator, so on a
// busy machine their answers slow with whatever else runs then, and two runs taken one after the
// other differ by that drift (p90 +19% was seen), which no noise estimate made within one run can
// see. Run side by side, the compared runs meet the same machine, and what is left between them is
// the sampling noise the bootstrap measures. Half a second of warm-up keeps each run's start (its
// threads, connections and first compiled code, which the three meet at different moments) out of
// what is compared.

async function profileRun(server: TestServer): Promise<Report> {
  const settings = settingsFor({ url: server.url, tool: 'wrk', connections: '4', duration: '5s', warmup: '0.5s', payload: '{"x":[1]}' });
  const report = buildReport(settings, await runBuiltin(settings));
  assertValidReport(report);
  assert.ok(report.validity.valid, `the run must be valid to be compared: ${report.validity.reasons.join('; ')}`);
  assert.ok(report.requests.ok > 300, `${report.requests.ok} requests answered`);
  return report;
}

function compareCli(baseline: string, current: string): Promise<CliResult> {
  return runCli(['compare', baseline, current]);
}

describe('compare on real runs against servers with known latencies', () => {
  let fast: TestServer;
  let slow: TestServer;
  let dir: string;
  const paths: Record<'fast' | 'fastAgain' | 'slow', string> = { fast: '', fastAgain: '', slow: '' };
  const reports: Partial<Record<keyof typeof paths, Report>> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelprof-compare-runs-'));
    fast = await startTestServer({ delayMs: 10 });
    slow = await startTestServer({ delayMs: 15 });
    const runs = [
      ['fast', fast],
      ['fastAgain', fast],
      ['slow', slow],
    ] as const;
    const measured = await Promise.all(runs.map(([, server]) => profileRun(server)));
    for (const [index, [name]] of runs.entries()) {
      reports[name] = measured[index]!;
      paths[name] = join(dir, `${name}.json`);
      await writeFile(paths[name], JSON.stringify(reports[name]));
    }
  });

  after(async () => {
    await fast?.close();
    await slow?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a 10 ms server against a 15 ms server is a regression, beyond noise', async () => {
    const comparison = compareReports(reports.fast!, reports.slow!);
    const p50 = comparison.metrics.find((m) => m.metric === 'p50')!;
    assert.equal(p50.verdict, 'regression', p50.message);
    assert.ok(p50.relative! > 0.25 && p50.relative! < 0.75, `p50 rose ${p50.relative}: about +50% expected`);
    assert.ok(p50.noise!.low > 0.1, `noise interval ${p50.noise!.low}..${p50.noise!.high} excludes no change`);
    assert.equal(comparison.metrics.find((m) => m.metric === 'rps')!.verdict, 'regression', 'closed loop: slower answers, fewer requests');
    assert.equal(exitCodeForComparison(comparison), EXIT.slaFailed);
    const cli = await compareCli(paths.fast, paths.slow);
    assert.equal(cli.code, EXIT.slaFailed, cli.stdout);
    assert.match(cli.stdout, /\nresult: regression in p50/);
  });

  it('two runs of the same server are not a regression', async () => {
    const comparison = compareReports(reports.fast!, reports.fastAgain!);
    const messages = comparison.metrics.map((m) => m.message).join('\n');
    assert.equal(comparison.regression, false, messages);
    assert.ok(['no-regression', 'not-judged'].includes(comparison.verdict), messages);
    // p50 stands whatever the machine's load: it did not change beyond the tolerance or noise.
    assert.ok(['ok', 'within-noise'].includes(comparison.metrics.find((m) => m.metric === 'p50')!.verdict), messages);
    // On a busy machine the generator's measured event-loop delay may leave a tail figure unjudged (exit
    // 3), never called a regression; only a figure the run itself did not trust is withheld.
    for (const row of comparison.metrics.filter((m) => m.verdict === 'not-judged')) {
      const untrusted = [reports.fast!, reports.fastAgain!].some((report) => report.validity.trust?.some((f) => f.figure === row.metric && !f.trusted));
      assert.ok(untrusted, `${row.metric} withheld though both runs trust it: ${row.message}`);
    }
    const cli = await compareCli(paths.fast, paths.fastAgain);
    assert.equal(cli.code, comparison.verdict === 'no-regression' ? EXIT.ok : EXIT.runInvalid, cli.stdout);
  });
});

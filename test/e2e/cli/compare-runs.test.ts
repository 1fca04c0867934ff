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
// compared the way `modelprof compare` compares report files. The closed-loop wrk model (4 connections,
// 2 s) keeps the runs valid on a busy 2-core machine, where an open-loop schedule can slip.

async function profileRun(server: TestServer): Promise<Report> {
  const settings = settingsFor({ url: server.url, tool: 'wrk', connections: '4', duration: '2s', payload: '{"x":[1]}' });
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
    for (const [name, server] of [
      ['fast', fast],
      ['fastAgain', fast],
      ['slow', slow],
    ] as const) {
      reports[name] = await profileRun(server);
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
    assert.equal(comparison.regression, false, comparison.metrics.map((m) => m.message).join('\n'));
    const cli = await compareCli(paths.fast, paths.fastAgain);
    assert.equal(cli.code, EXIT.ok, cli.stdout);
  });
});

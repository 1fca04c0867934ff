import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMs } from '../../../src/report/format.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderJunit } from '../../../src/report/junit.js';
import type { Report } from '../../../src/report/report.js';
import { validityRows } from '../../../src/report/validity-rules.js';
import { measuredWindowText } from '../../../src/report/window-text.js';
import { syntheticReport } from '../../support/sample-reports.js';

/** A wrk2-model report with every check a run of any engine may carry, LaBench's included. */
function withEveryCheck(change: (report: Report) => void): Report {
  const report = structuredClone(syntheticReport({ seconds: 5, rps: 200, targetRps: 200, sendLag: () => 0.02 }));
  report.validity.checks = {
    targetRps: 200,
    sendRps: 200,
    achievedRps: 199.5,
    planHeldShare: 1,
    owedSends: 0,
    unsentPlanned: 0,
    timelySends: 0.998,
    timelyTicks: 1,
    missedTicks: 0,
    maxSendLagMs: 3.2,
    sendToleranceMs: 250,
    generatorCpu: 0.2,
  };
  change(report);
  return report;
}

describe('validityRows: the rule in force, for the engine and model that ran', () => {
  const cases: [name: string, change: (report: Report) => void, shown: string[], hidden: string[]][] = [
    [
      'builtin wrk2 model: the plan, saturation and the trust of p50..p99; none of LaBench\'s rows',
      () => {},
      ['planHeldShare', 'generatorCpu', 'maxSendLagMs', 'trust'],
      ['timelySends', 'timelyTicks', 'sendToleranceMs', 'missedTicks'],
    ],
    ['builtin labench model: its missed ticks too, still not LaBench\'s timely shares', (r) => (r.tool = 'labench'), ['planHeldShare', 'missedTicks', 'trust'], ['timelySends', 'timelyTicks', 'sendToleranceMs']],
    [
      'real LaBench: its own timely ticks and sends, at 99.9%',
      (r) => {
        r.tool = 'labench';
        r.engine = { name: 'external', version: 'labench' };
      },
      ['timelyTicks', 'timelySends'],
      ['planHeldShare', 'generatorCpu', 'trust', 'sendToleranceMs'],
    ],
    [
      'real wrk2: its rate',
      (r) => (r.engine = { name: 'external', version: 'wrk2 4.0.0' }),
      ['targetRps', 'achievedRps'],
      ['timelySends', 'planHeldShare', 'generatorCpu', 'trust'],
    ],
    [
      'real wrk (closed loop): nothing but what it achieved',
      (r) => {
        r.tool = 'wrk';
        r.engine = { name: 'external', version: 'wrk 4.2.0' };
      },
      ['achievedRps'],
      ['targetRps', 'timelySends', 'planHeldShare', 'trust'],
    ],
  ];
  for (const [name, change, shown, hidden] of cases) {
    it(name, () => {
      const report = withEveryCheck(change);
      const keys = validityRows(report).map((row) => row.key as string);
      for (const key of shown) assert.ok(keys.includes(key), `${key} missing from ${keys.join(', ')}`);
      for (const key of hidden) assert.ok(!keys.includes(key), `${key} shown in ${keys.join(', ')}`);
      const junit = renderJunit(undefined, report);
      for (const key of hidden) assert.doesNotMatch(junit, new RegExp(`${key}=`), `${key} in JUnit`);
    });
  }

  it('states each rule beside its value, on the page and in JUnit', () => {
    const report = withEveryCheck(() => {});
    const rows = validityRows(report);
    assert.equal(rows.find((r) => r.key === 'planHeldShare')!.rule, 'at least 99%, with no backlog growing through the run');
    assert.equal(rows.find((r) => r.key === 'generatorCpu')!.rule, 'at most 95%');
    const trust = rows.find((r) => r.key === 'trust')!;
    assert.match(trust.label, /^generator's part in p50\.\.p99 \(nearest its limit: p\d+\)$/);
    assert.match(trust.rule!, /^at most [\d.]+ ms \(the larger of 5% of [\d.]+ ms and 0\.1 ms\), and likewise at every figure from p50\.\.p99; the figures above are marked/);
    const html = renderHtmlReport(report);
    assert.doesNotMatch(html, /sends on schedule|counts as late after/);
    assert.match(html, /<th>planned sends made \(or kept back by a busy connection\)<\/th><td class="num">100(\.0+)?%<\/td><td class="rule">at least 99%/);
    assert.match(renderJunit(undefined, report), /planHeldShare=100(\.0+)?% \(at least 99%, with no backlog growing through the run\)/);
  });
});

describe('validityRows: the trust row shows the rule in force, p50 to p99', () => {
  it('names the first figure up to p99 the lag reaches, not p50, when p50 stands', () => {
    // Every 33rd send 2 ms late: p95 and above are not trusted, p50 to p90 are.
    const noisy = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 33 === 0 ? 2 : 0.02) });
    assert.equal(noisy.validity.valid, false);
    const row = validityRows(noisy).find((r) => r.key === 'trust')!;
    const p95 = noisy.validity.trust!.find((f) => f.figure === 'p95')!;
    assert.equal(p95.trusted, false);
    assert.match(row.label, /\(nearest its limit: p95\)$/);
    assert.equal(row.value, formatMs(p95.lagMs));
    assert.ok(row.rule!.startsWith(`at most ${formatMs(p95.limitMs)} (the larger of 5% of ${formatMs(p95.latencyMs)}`), row.rule);
  });
});

describe('measuredWindowText: what the figures cover', () => {
  const cases: [name: string, window: Pick<Report, 'measuredSeconds' | 'warmup' | 'engine' | 'tool'>, says: string][] = [
    ['builtin warm-up: in no figure', { measuredSeconds: 10, warmup: { seconds: 2, requests: 400 }, engine: { name: 'builtin', version: '0.1.0' }, tool: 'wrk2' }, '10s measured after 2s warm-up (in no figure)'],
    ['builtin, no warm-up', { measuredSeconds: 10, warmup: { seconds: 0, requests: 0 }, engine: { name: 'builtin', version: '0.1.0' }, tool: 'wrk2' }, '10s measured, no warm-up'],
    [
      "wrk2's calibration: out of the latency only",
      { measuredSeconds: 20, warmup: { seconds: 10.04, requests: 2008, excluded: 'latency' }, engine: { name: 'external', version: 'wrk2 4.0.0' }, tool: 'wrk2' },
      "20s run; latency only from the answers after its first ~10.04s (wrk2's calibration, 2008 answers), while counts and throughput cover the whole run, calibration included",
    ],
    ['real wrk: no warm-up', { measuredSeconds: 5, warmup: { seconds: 0, requests: 0 }, engine: { name: 'external', version: 'wrk 4.2.0' }, tool: 'wrk' }, '5s measured (wrk runs no warm-up)'],
  ];
  for (const [name, window, says] of cases) it(name, () => assert.equal(measuredWindowText(window), says));
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLatencyHistogram, recordLagMs, type Histogram } from '../../../src/record/histogram.js';
import type { LatencySummary, TimelinePoint } from '../../../src/record/result.js';
import { judgeValidity, type GeneratorObservation } from '../../../src/judge/validity.js';

/** A send-lag histogram of `count` sends: most at `typicalMs`, the last `late` of them at `lateMs`. */
function lags(count: number, typicalMs: number, late = 0, lateMs = 0): Histogram {
  const histogram = createLatencyHistogram();
  for (let i = 0; i < count; i++) recordLagMs(histogram, i >= count - late ? lateMs : typicalMs);
  return histogram;
}

/** A 10 ms server, as the corrected latency shows it. */
const TEN_MS: LatencySummary = { p50: 10.1, p75: 10.3, p90: 10.6, p95: 10.9, p99: 11.5, p999: 14, p9999: 20, max: 25 };
/** A closed loop's event-loop delay: `typicalMs` up to p95, `tailMs` from p99 on. */
const loopDelays = (typicalMs: number, tailMs: number): Record<string, number> => ({
  p50: typicalMs, p75: typicalMs, p90: typicalMs, p95: typicalMs, p99: tailMs, p999: tailMs, p9999: tailMs, max: tailMs,
});
const steadySeconds = (count: number, p50: number, p99: number): TimelinePoint[] =>
  Array.from({ length: count }, (_, t) => ({ t, requests: 100, errors: 0, sendLagP50: p50, sendLagP99: p99 }));

const healthy: GeneratorObservation = {
  tool: 'wrk2',
  completed: 1000,
  ok: 1000,
  unsentPlanned: 0,
  owedSends: 0,
  localResourceErrors: 0,
  targetRps: 100,
  achievedRps: 100,
  sendingSeconds: 10,
  plannedSends: 1000,
  noticedSends: 1000,
  lateSends: 0,
  maxSendLagMs: 0.4,
  toleranceMs: 10,
  ticks: 0,
  lateTicks: 0,
  missedTicks: 0,
  eventLoopWatched: true,
  eventLoopLagP99Ms: 0.5,
  eventLoopLagMaxMs: 2,
  generatorBusy: 0.2,
  latency: TEN_MS,
  sendLag: lags(1000, 0.03),
  timeline: steadySeconds(10, 0.03, 0.05),
};

describe('judgeValidity', () => {
  const cases: [name: string, change: Partial<GeneratorObservation>, expected: { valid: boolean; loadHeld: boolean; says?: RegExp }][] = [
    ['a healthy constant-rate run', {}, { valid: true, loadHeld: true }],
    ["late sends by LaBench's measure alone, their lag too small to move a figure", { lateSends: 200 }, { valid: true, loadHeld: true }],
    ['a target too slow for the rate (a warning only)', { achievedRps: 80 }, { valid: true, loadHeld: true, says: /achieved 80\.0 req\/s of the 100 req\/s target: the target answered too slowly for the connections available;/ }],
    ['answers still coming after the sending ended thin the achieved rate, not the served one: no shortfall', { achievedRps: 70, servedRps: 100 }, { valid: true, loadHeld: true }],
    ['a served rate short of the plan', { achievedRps: 70, servedRps: 80 }, { valid: true, loadHeld: true, says: /^served 80\.0 req\/s of the 100 req\/s target: the target answered too slowly/ }],
    [
      'a rate shortfall beside a generator busy most of the time names both: its late reads hold connections too',
      { achievedRps: 80, generatorBusy: 0.94 },
      { valid: true, loadHeld: true, says: /the target answered too slowly for the connections available, or the generator, busy or waiting for a CPU 94\.00% of the time, read the answers late/ },
    ],
    ['sends kept back by busy connections (a warning only)', { unsentPlanned: 70 }, { valid: true, loadHeld: true, says: /70 planned sends inside the window were never sent/ }],
    ['every answer an HTTP error (valid: the target error is judged apart, in judge/target-outcome)', { ok: 0 }, { valid: true, loadHeld: true }],
    ['a generator that owed 2% of its plan at the end', { owedSends: 20, plannedSends: 980 }, { valid: false, loadHeld: false, says: /made only 98\.00% of its planned sends .*: it cannot send 100 req\/s here; add threads \(-t\)/ }],
    ['a saturated open-loop generator', { generatorBusy: 0.99 }, { valid: false, loadHeld: false, says: /saturated \(busy, or waiting for a CPU, 99\.00% of the time\).*add threads/ }],
    [
      'a backlog that grows through the run',
      { timeline: Array.from({ length: 9 }, (_, t) => ({ t, requests: 100, errors: 0, sendLagP50: 0.5 * t, sendLagP99: 0.5 * t + 1 })) },
      { valid: false, loadHeld: false, says: /fell further behind its plan as the run went on \(send lag p50 0\.50 ms in the first third of the window, 3\.50 ms in the last\)/ },
    ],
    [
      'at 1 req/s one late send in the last third is no growing backlog (a second of one send has no median worth the name)',
      { timeline: Array.from({ length: 9 }, (_, t) => ({ t, requests: 1, errors: 0, sendLagP50: t < 6 ? 0.23 : 2.49, sendLagP99: t < 6 ? 0.23 : 2.49 })) },
      { valid: true, loadHeld: true },
    ],
    [
      'a lag spike in the last second alone is no growing backlog',
      { timeline: [...steadySeconds(8, 0.05, 0.1), { t: 8, requests: 100, errors: 0, sendLagP50: 9, sendLagP99: 10 }] },
      { valid: true, loadHeld: true },
    ],
    [
      'a lag that could move p99 (2% of sends 1 ms late: p99.5 lag 1 ms > 5% of 11.5 ms): invalid, though p50 to p95 stand',
      { sendLag: lags(1000, 0.03, 20, 1) },
      { valid: false, loadHeld: true, says: /p99, p99\.9, p99\.99, max are not trusted: the generator's own send lag \(p99\.5 1\.000 ms\) could have moved p99 \(11\.500 ms\).*: pin the generator/ },
    ],
    [
      'a lag that reaches p50 (30% of sends 1 ms late: p75 lag 1 ms > 5% of 10.1 ms): invalid',
      { sendLag: lags(1000, 0.03, 300, 1) },
      { valid: false, loadHeld: true, says: /p50, p75, .* are not trusted: the generator's own send lag \(p75 1\.000 ms\) could have moved p50 \(10\.100 ms\).*: pin the generator/ },
    ],
    [
      'a lag that reaches only the tail (0.1% of sends 3 ms late): valid, the tail not trusted',
      { sendLag: lags(1000, 0.03, 1, 3) },
      { valid: true, loadHeld: true, says: /p99\.9, p99\.99, max are not trusted: .* \(p99\.95 3\.001 ms\) could have moved p99\.9 \(14\.000 ms\)/ },
    ],
    [
      'a lag that comes only in the first second: a longer warm-up',
      { sendLag: lags(1000, 0.03, 20, 1), timeline: [{ t: 0, requests: 100, errors: 0, sendLagP50: 0.03, sendLagP99: 1 }, ...steadySeconds(9, 0.03, 0.05).map((p) => ({ ...p, t: p.t + 1 }))] },
      { valid: false, loadHeld: true, says: /first second: a longer warm-up/ },
    ],
    ['the generator out of sockets', { localResourceErrors: 3 }, { valid: false, loadHeld: false, says: /ran out of sockets or ports/ }],
    ['nothing completed', { completed: 0, ok: 0 }, { valid: false, loadHeld: false, says: /no request completed/ }],
    [
      "nothing completed because the warm-up's sends held every connection: the target, not the generator",
      { completed: 0, ok: 0, carried: { ok: 287, failed: 0, timedOut: 0 } },
      { valid: false, loadHeld: false, says: /^no send planned in the measured window was answered: its connections were busy all window with 287 sends planned in the warm-up \(287 answered, 0 failed\), so the target answers far slower than the plan of 100 req\/s; lower the rate/ },
    ],
    [
      'a hung target held every connection from the warm-up on',
      { completed: 0, ok: 0, carried: { ok: 0, failed: 4, timedOut: 4 } },
      { valid: false, loadHeld: false, says: /\(0 answered, 4 failed, 4 of them timed out\): the target answered none of them; check the target/ },
    ],
    [
      'stopped during the warm-up: nothing measured, and no rate to fall short of',
      { completed: 0, ok: 0, achievedRps: 0, sendingSeconds: 0, partial: 'interrupted before the planned end' },
      { valid: false, loadHeld: false, says: /^the run was stopped during the warm-up: nothing was measured; run it again past its warm-up \(or with a shorter --warmup\) \| partial run: interrupted before the planned end$/ },
    ],
    [
      'labench ticks with no free client',
      { tool: 'labench', ticks: 1000, missedTicks: 50, plannedSends: 950, noticedSends: 950 },
      { valid: false, loadHeld: false, says: /50 of 1000 ticks found every client busy and were not sent: raise CLIENTS/ },
    ],
    [
      'labench ticks missed by a pool too small for the rate, beside a stall that alone would outnumber it',
      { tool: 'labench', ticks: 1000, missedTicks: 600, plannedSends: 400, noticedSends: 400, senders: 4, serviceMeanMs: 10, maxSendLagMs: 3.2, targetRps: 2000 },
      { valid: false, loadHeld: false, says: /600 of 1000 ticks found every client busy and were not sent: 2000 req\/s at the target's mean 10\.00 ms keeps about 20 clients busy \(Little's law\) against a pool of 4; raise CLIENTS/ },
    ],
    [
      'labench ticks missed while the target held its answers: the pool is ample on average, the generator did not stall',
      { tool: 'labench', ticks: 5000, missedTicks: 595, plannedSends: 4405, noticedSends: 4405, senders: 32, serviceMeanMs: 5, serviceMaxMs: 151, maxSendLagMs: 4, targetRps: 1000 },
      { valid: false, loadHeld: false, says: /keeps about 5 of the 32 clients busy, but the target held answers for up to 151\.0 ms at times, and the 151 ticks due in such a stall outnumber the pool; raise CLIENTS/ },
    ],
    [
      "labench ticks missed after the generator's own stall: the pool is ample, the ticks due in the stall outnumber it",
      { tool: 'labench', ticks: 100000, missedTicks: 185, plannedSends: 99815, noticedSends: 99815, senders: 64, serviceMeanMs: 0.08, maxSendLagMs: 66, targetRps: 10000 },
      { valid: false, loadHeld: false, says: /keeps about 1 of the 64 clients busy, but the generator itself stalled for up to 66\.0 ms \(its send lag\) and the 660 ticks due in that time outnumbered the pool; pin the generator/ },
    ],
    ['a closed loop at ease', { tool: 'wrk', sendLag: undefined, loopDelay: loopDelays(0.2, 0.2) }, { valid: true, loadHeld: true }],
    ['a saturated closed loop: its figures are its own limit', { tool: 'wrk', sendLag: undefined, generatorBusy: 0.99 }, { valid: false, loadHeld: false, says: /modelprof's limit, not the target's/ }],
    [
      'a closed loop whose event loop stalls: valid (judged on saturation), the figures the stalls reach marked untrusted',
      { tool: 'wrk', sendLag: undefined, loopDelay: loopDelays(0.2, 25) },
      { valid: true, loadHeld: true, says: /p99, p99\.9, p99\.99, max are not trusted: the generator's own event-loop delay \(p99 25\.000 ms\) could have moved p99/ },
    ],
  ];
  for (const [name, change, expected] of cases) {
    it(name, () => {
      const verdict = judgeValidity({ ...healthy, ...change });
      const said = [...verdict.reasons, ...verdict.warnings].join(' | ');
      assert.equal(verdict.valid, expected.valid, said);
      assert.equal(verdict.loadHeld, expected.loadHeld, said);
      if (expected.says) assert.match(said, expected.says);
      else assert.deepEqual([verdict.reasons, verdict.warnings], [[], []]);
      // Every reason says what to do about it.
      for (const reason of verdict.reasons) assert.match(reason, /add |pin |raise |longer|lower |check |shorter /, reason);
    });
  }

  it('reports the send lag and the trust of every figure, up to the highest trusted one', () => {
    const verdict = judgeValidity({ ...healthy, sendLag: lags(1000, 0.03, 1, 3) });
    assert.deepEqual(Object.keys(verdict.sendLag!), ['p50', 'p90', 'p99', 'p999', 'max']);
    assert.equal(verdict.sendLag!.max, 3);
    assert.deepEqual(verdict.trust!.map((f) => f.figure), ['p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'p9999', 'max']);
    // Each request is exposed twice (send and answer): p99.9 is judged on the lag's p99.95.
    assert.equal(verdict.trustedUpTo, 'p99');
    const max = verdict.trust!.find((f) => f.figure === 'max')!;
    assert.deepEqual({ ...max, lagMs: Math.round(max.lagMs) }, { figure: 'max', latencyMs: 25, lagMs: 3, limitMs: 1.25, trusted: false });
    assert.deepEqual(verdict.trust!.find((f) => f.figure === 'p99'), { figure: 'p99', latencyMs: 11.5, lagMs: 0.03, limitMs: 0.575, trusted: true });
  });

  it('does not blame the generator for labench ticks the pool could not take', () => {
    const verdict = judgeValidity({ ...healthy, tool: 'labench', ticks: 1000, missedTicks: 600, plannedSends: 400, noticedSends: 400 });
    assert.equal(verdict.checks.timelySends, 1);
    assert.equal(verdict.checks.planHeldShare, 1);
    assert.doesNotMatch(verdict.reasons.join(' '), /planned sends/);
  });
});

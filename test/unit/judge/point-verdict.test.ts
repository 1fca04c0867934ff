import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSla } from '../../../src/judge/sla.js';
import { pointFigures } from '../../../src/report/point-figures.js';
import { HELD_SHARE, judgePoint } from '../../../src/judge/point-verdict.js';
import { syntheticReport } from '../../support/sample-reports.js';

// Reports built the way the run pipeline builds them (histograms from individual requests).
describe('judgePoint', () => {
  const sla = parseSla('p99<=100ms, error_rate<1%');
  const fast = { seconds: 5, rps: 100, medianMs: 10, sigma: 0.2 };

  it('passes a valid point that held its rate within every clause', () => {
    assert.deepEqual(judgePoint(syntheticReport({ ...fast, targetRps: 100 }), sla), { verdict: 'pass', reasons: [] });
  });

  it('fails a point per broken clause, naming each', () => {
    const report = syntheticReport({ ...fast, medianMs: 150, errorEvery: 20, targetRps: 100 });
    const { verdict, reasons } = judgePoint(report, sla);
    assert.equal(verdict, 'fail');
    assert.equal(reasons.length, 2);
    assert.match(reasons[0]!, /^p99 = .* breaks <= 100 ms/);
    assert.match(reasons[1]!, /^error_rate = 5%, breaks < 1%/);
  });

  it(`fails an open-loop point that served less than ${HELD_SHARE * 100}% of the offered rate, even without an SLA`, () => {
    const report = syntheticReport({ ...fast, targetRps: 120 });
    const { verdict, reasons } = judgePoint(report, []);
    assert.equal(verdict, 'fail');
    assert.match(reasons[0]!, /served 100\.0 of the offered 120 req\/s/);
    assert.equal(judgePoint(syntheticReport({ ...fast, targetRps: 102 }), []).verdict, 'pass');
    assert.equal(judgePoint(syntheticReport({ ...fast, targetRps: 104 }), []).verdict, 'fail', '100 of 104 is under 97%');
  });

  it("fails a point whose window measured nothing because the warm-up's sends held every connection", () => {
    const base = syntheticReport({ seconds: 5, valid: false, targetRps: 3000 });
    const empty = { ...base, requests: { total: 0, ok: 0, errors: 0 }, latency: {} };
    const { verdict, reasons } = judgePoint({ ...empty, warmup: { seconds: 1, requests: 300, carried: { ok: 287, failed: 0, timedOut: 0 } } }, sla);
    assert.equal(verdict, 'fail');
    assert.match(reasons[0]!, /^served none of the offered 3000 req\/s: the connections were busy all window with 287 sends of the warm-up/);
    // Nothing carried (a stop, or nothing sent): no verdict, as before.
    assert.equal(judgePoint(empty, sla).verdict, 'invalid');
  });

  it('has no verdict on a closed-loop point beyond the SLA: it offers no rate to hold', () => {
    assert.equal(judgePoint(syntheticReport({ ...fast, tool: 'wrk' }), sla).verdict, 'pass');
  });

  it("decides on figures the generator's lag could not have moved, and gives no verdict where it could", () => {
    // p95 and above are not trusted: every 33rd send left 2 ms late.
    const noisy = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 33 === 0 ? 2 : 0.02) });
    assert.equal(noisy.validity.valid, false, 'p95 and p99 not trusted: the run is not valid');
    assert.equal(noisy.validity.loadHeld, true);
    // Judged per clause, as the run's own gate is: no lag can lift a p99 of ~12 ms past 100 ms.
    assert.deepEqual(judgePoint(noisy, sla), { verdict: 'pass', reasons: [] });
    assert.equal(judgePoint(noisy, parseSla('p99<=5ms')).verdict, 'fail');
    const close = judgePoint(noisy, parseSla(`p99<=${(noisy.latency.p99! - 1).toFixed(3)}ms`));
    assert.equal(close.verdict, 'invalid');
    assert.match(close.reasons[0]!, /could account for the difference: not judged/);
  });

  it('judges a point on an invalid run clause by clause, even one whose p50 the lag could have moved', () => {
    // Every other send 2 ms late: the lag's p75 is 2 ms, beyond 5% of a 10 ms p50; p99 is ~12 ms.
    const laggy = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 2 === 0 ? 2 : 0.02) });
    assert.equal(laggy.validity.valid, false);
    assert.equal(laggy.validity.trustedUpTo, null);
    assert.deepEqual(judgePoint(laggy, sla), { verdict: 'pass', reasons: [] });
    assert.equal(judgePoint(laggy, parseSla('p50<=5ms')).verdict, 'fail', 'a 10 ms p50 breaks 5 ms whatever a 2 ms lag did');
    const close = judgePoint(laggy, parseSla(`p50<=${(laggy.latency.p50! - 0.5).toFixed(3)}ms`));
    assert.equal(close.verdict, 'invalid');
    assert.match(close.reasons[0]!, /not judged/);
  });

  it('leaves a served-rate shortfall unjudged on a run whose p50 to p99 are not all trusted', () => {
    const short = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 250, sendLag: (i) => (i % 33 === 0 ? 2 : 0.02) });
    assert.equal(short.validity.valid, false);
    const { verdict, reasons } = judgePoint(short, sla);
    assert.equal(verdict, 'invalid');
    assert.match(reasons[0]!, /served 200\.0 of the offered 250 req\/s .*the generator's own lag could account for it: not judged/);
  });

  it('gives no verdict on a run whose load was not held, or a cut-short one, however good its figures, and says why', () => {
    const invalid = judgePoint(syntheticReport({ ...fast, targetRps: 100, valid: false, reasons: ['the generator stalled'] }), sla);
    assert.deepEqual(invalid, { verdict: 'invalid', reasons: ['the generator stalled'] });
    // A report that names no reason still gets one.
    const silent = judgePoint(syntheticReport({ ...fast, targetRps: 100, valid: false, loadHeld: false, reasons: [] }), sla);
    assert.equal(silent.verdict, 'invalid');
    assert.match(silent.reasons[0]!, /did not deliver the load/);
    const partial = judgePoint(syntheticReport({ ...fast, targetRps: 100, partial: 'interrupted before the planned end' }), sla);
    assert.equal(partial.verdict, 'invalid');
    assert.match(partial.reasons[0]!, /partial run: interrupted/);
  });
});

describe('pointFigures', () => {
  it('reads the compared figures from a report', () => {
    const report = syntheticReport({ seconds: 5, rps: 100, medianMs: 10, errorEvery: 10, targetRps: 100 });
    const figures = pointFigures(report);
    assert.equal(figures.offeredRps, 100);
    assert.equal(figures.servedRps, 100);
    assert.equal(figures.okRps, 90);
    assert.equal(figures.errorRate, 0.1);
    assert.equal(figures.p99Ms, report.latency.p99);
    assert.equal(figures.valid, true);
    assert.equal(pointFigures(syntheticReport({ seconds: 2, tool: 'wrk' })).offeredRps, undefined);
  });
});

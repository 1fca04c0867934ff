import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatorPart, judgeTrust, lagPercentileFor, trustedThrough, trustedUpTo, trustLimitMs, untrustedKeys, VALID_THROUGH } from '../../../src/judge/trust.js';
import { createLatencyHistogram, recordLagMs } from '../../../src/record/histogram.js';

/** 1000 sends: `late` of them `lateMs` late, the rest `typicalMs`. */
function lags(typicalMs: number, late: number, lateMs: number) {
  const histogram = createLatencyHistogram();
  for (let i = 0; i < 1000; i++) recordLagMs(histogram, i < late ? lateMs : typicalMs);
  return histogram;
}

describe('the trust rule', () => {
  it('tolerates 5% of a figure, and never less than 0.1 ms', () => {
    assert.equal(trustLimitMs(200), 10);
    assert.equal(trustLimitMs(10), 0.5);
    assert.equal(trustLimitMs(1), 0.1);
    assert.equal(trustLimitMs(0.05), 0.1);
  });

  it('reads the lag halfway to 100 for a corrected percentile (exposed at send and answer), at p itself for an uncorrected one', () => {
    const cases: [percent: number, corrected: boolean, lagAt: number][] = [
      [50, true, 75],
      [99, true, 99.5],
      [99.9, true, 99.95],
      [100, true, 100],
      [99, false, 99],
    ];
    for (const [percent, corrected, lagAt] of cases) assert.equal(lagPercentileFor(percent, corrected), lagAt, `p${percent}`);
  });

  it("judges each figure on the generator's estimated part in it", () => {
    // 0.8% of sends 2 ms late: beyond p99.2 of the lag. p99 reads the lag at p99.5: 2 ms.
    const judged = judgeTrust({ p50: 10, p75: 10.2, p90: 10.5, p95: 10.8, p99: 12, p999: 12.1, p9999: 12.2, max: 12.3 }, lags(0.02, 8, 2));
    assert.deepEqual(
      judged.map((f) => [f.figure, f.trusted]),
      [['p50', true], ['p75', true], ['p90', true], ['p95', true], ['p99', false], ['p999', false], ['p9999', false], ['max', false]],
    );
    assert.equal(trustedUpTo(judged), 'p95');
    // A run is valid only when p50 to p99 are trusted (issue 9): this one is not, though p50 to p95 are.
    assert.equal(VALID_THROUGH, 'p99');
    assert.equal(trustedThrough(judged, VALID_THROUGH), false);
    assert.equal(trustedThrough(judged, 'p95'), true);
  });

  it('trusts no figure above one it does not trust, max included, whatever its own part (so the marks and trustedUpTo agree)', () => {
    // The target stalls 200 ms now and then: the generator's 2 ms hiccups are 1% of that tail, but p99 below it is not trusted.
    const judged = judgeTrust({ p50: 10, p75: 10.2, p90: 10.5, p95: 10.8, p99: 11, p999: 200, p9999: 201, max: 202 }, lags(0.02, 8, 2));
    assert.deepEqual(judged.filter((f) => !f.trusted).map((f) => f.figure), ['p99', 'p999', 'p9999', 'max']);
    assert.deepEqual(
      judged.filter((f) => f.belowUntrusted !== undefined).map((f) => [f.figure, f.belowUntrusted]),
      [['p999', 'p99'], ['p9999', 'p99'], ['max', 'p99']],
      'each says which figure below it is not trusted',
    );
    assert.equal(trustedUpTo(judged), 'p95');
    assert.deepEqual([...untrustedKeys(judged)], ['p99', 'p999', 'p9999', 'max']);
  });

  it('reads old reports that trusted a figure above one it did not as untrusted from there up', () => {
    const old = [
      { figure: 'p99', latencyMs: 1, lagMs: 0.5, limitMs: 0.1, trusted: true },
      { figure: 'p999', latencyMs: 3, lagMs: 2, limitMs: 0.15, trusted: false },
      { figure: 'max', latencyMs: 80, lagMs: 2, limitMs: 4, trusted: true },
    ];
    assert.deepEqual([...untrustedKeys(old)], ['p999', 'max']);
  });

  it('trusts nothing when even the median lag is beyond p50', () => {
    const judged = judgeTrust({ p50: 0.05, p99: 0.3, max: 2 }, lags(0.5, 0, 0));
    assert.equal(trustedUpTo(judged), null);
    assert.equal(trustedThrough(judged, 'p50'), false);
  });

  it("gives the generator's part in every statistic an SLA can name", () => {
    const histogram = lags(0.1, 10, 5);
    assert.deepEqual(generatorPart(histogram, { percentile: 99, corrected: true }), { ms: 5.003, from: 'p99.5' });
    // 1% of sends late: exposed once, an uncorrected p99 is still clear of them; exposed twice, a corrected one is not.
    assert.deepEqual(generatorPart(histogram, { percentile: 99, corrected: false }), { ms: 0.1, from: 'p99' });
    assert.deepEqual(generatorPart(histogram, { percentile: 99.5, corrected: false }), { ms: 5.003, from: 'p99.5' });
    assert.equal(generatorPart(histogram, { stat: 'max', corrected: true }).ms, 5);
    assert.ok(Math.abs(generatorPart(histogram, { stat: 'mean', corrected: true }).ms - 2 * (0.99 * 0.1 + 0.01 * 5)) < 0.001);
    assert.equal(generatorPart(histogram, { stat: 'min', corrected: true }).ms, 0.1);
  });
});

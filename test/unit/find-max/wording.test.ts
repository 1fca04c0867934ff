import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOutcome, restsOn, trustWording } from '../../../src/find-max/find-max-wording.js';
import type { StopReason, Verdict } from '../../../src/find-max/search.js';

describe('trustWording', () => {
  const cases: [trust: (string | null)[], says: string][] = [
    [[], ''],
    [['p99'], ', latency trusted up to p99'],
    [['max', 'max'], ', latency trusted up to max in both runs'],
    [['p999', 'p999', 'p999'], ', latency trusted up to p99.9 in all 3 runs'],
    [['max', 'p99'], ', latency trusted up to max in 1 run and up to p99 in 1 run'],
    [['max', 'p99', 'max'], ', latency trusted up to max in 2 runs and up to p99 in 1 run'],
    [['p99', null, 'p95'], ', latency trusted up to p99 in 1 run, not even at p50 in 1 run and up to p95 in 1 run'],
    [[null], ', latency not trusted even at p50'],
  ];
  for (const [trust, says] of cases) {
    it(`${JSON.stringify(trust)} -> "${says}"`, () => {
      const words = trustWording(trust);
      assert.equal(words, says);
      // Never the same figure twice ("up to max and max").
      const named = words.match(/up to [\w.]+/g) ?? [];
      assert.equal(new Set(named).size, named.length, words);
    });
  }
});

describe('restsOn', () => {
  const point = (rate: number, verdict: Verdict, trustedUpTo?: string | null) => ({ rate, verdict, reasons: [], counted: true, ...(trustedUpTo === undefined ? {} : { trustedUpTo }) });

  it('names each end of the bracket once, with the agreeing runs and their trust', () => {
    const points = [point(840, 'pass', 'max'), point(880, 'fail', 'max'), point(840, 'pass', 'max'), point(880, 'fail', 'p999')];
    assert.equal(
      restsOn({ low: 840, high: 880 }, points),
      '4 runs: at 840 req/s 2 of 2 runs met the SLA, latency trusted up to max in both runs; at 880 req/s 2 of 2 runs broke the SLA, latency trusted up to max in 1 run and up to p99.9 in 1 run',
    );
  });

  it('says nothing of trust for runs that judge none (external programs), and counts runs without a verdict', () => {
    assert.equal(restsOn({ low: 100 }, [point(100, 'pass'), point(200, 'invalid')]), '2 runs: at 100 req/s 1 of 1 runs met the SLA; 1 run gave no verdict');
  });
});

describe('describeOutcome: what stopped the search', () => {
  const asked = { precision: 0.05, confirm: true, maxTimeSec: 180 };
  const cases: [stop: StopReason, bracket: { low?: number; high?: number }, says: RegExp, never?: RegExp][] = [
    // 880 / 840 is 4.8% apart: the bracket did narrow; only the confirmation runs did not fit.
    [
      'time',
      { low: 840, high: 880 },
      /^the bracket narrowed to 4\.8% \(840 to 880 req\/s, within 5%\), but measuring its ends again to confirm them did not fit the time bound of 180s; the limit is between 840 and 880 req\/s, not confirmed/,
      /before the bracket narrowed/,
    ],
    [
      'time',
      { low: 640, high: 1280 },
      /^stopped by the time bound of 180s with the bracket still 100\.0% wide \(640 to 1280 req\/s, 5% asked\); the limit is between 640 and 1280 req\/s, not found$/,
    ],
    ['time', { low: 320 }, /^stopped by the time bound of 180s while still raising the rate \(no rate broke the SLA yet\); the limit is at least 320 req\/s, not found$/],
    ['time', {}, /^stopped by the time bound of 180s before any rate met the SLA; the limit is unknown, not found$/],
    ['precision', { low: 840, high: 880 }, /^the highest rate within the SLA is 840 req\/s \(it breaks at 880 req\/s; bracket within 5%, both ends measured twice\)$/],
    ['ceiling', { low: 500 }, /^the SLA held up to the ceiling of 500 req\/s/],
    ['invalid', { low: 320 }, /^stopped: 640 req\/s gave no verdict after a re-run \(the generator stalled\); the limit is at least 320 req\/s, not found$/],
  ];
  for (const [stop, bracket, says, never] of cases) {
    it(`${stop} ${JSON.stringify(bracket)}`, () => {
      const message = describeOutcome(stop, bracket, asked, [{ rate: 640, reasons: ['the generator stalled'] }]);
      assert.match(message, says);
      if (never) assert.doesNotMatch(message, never);
    });
  }
});

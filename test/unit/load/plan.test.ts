import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConstantRatePlan, EvenTickerPlan } from '../../../src/load/plan.js';
import { timelyToleranceMs } from '../../../src/load/worker-protocol.js';

describe('ConstantRatePlan (wrk2 model)', () => {
  it('spaces one sender evenly at the whole rate', () => {
    const plan = new ConstantRatePlan(200, 1, 0);
    assert.deepEqual([0, 1, 2, 3].map((i) => plan.intendedTimeMs(i)), [0, 5, 10, 15]);
  });

  it('splits the rate over senders and staggers them so the union stays even', () => {
    const senders = 4;
    const plans = Array.from({ length: senders }, (_, k) => new ConstantRatePlan(100, senders, k));
    assert.deepEqual([0, 1, 2].map((i) => plans[1]!.intendedTimeMs(i)), [10, 50, 90]);
    const union = plans.flatMap((plan) => [0, 1, 2, 3, 4].map((i) => plan.intendedTimeMs(i))).sort((a, b) => a - b);
    union.forEach((time, i) => assert.ok(Math.abs(time - i * 10) < 1e-9, `send ${i} at ${time}`));
  });

  it('does not drift over a long run (no accumulated rounding)', () => {
    const plan = new ConstantRatePlan(3, 1, 0);
    assert.ok(Math.abs(plan.intendedTimeMs(3_000_000) - 1_000_000_000) < 1e-3);
  });
});

describe('ConstantRatePlan: counting planned sends without walking them', () => {
  const walk = (plan: ConstantRatePlan, from: number, fromMs: number, toMs: number): number => {
    let count = 0;
    for (let i = from; plan.intendedTimeMs(i) < toMs; i++) if (plan.intendedTimeMs(i) >= fromMs) count++;
    return count;
  };

  it('agrees with a walk over the plan, boundaries included', () => {
    for (const [rate, senders, sender] of [[200, 1, 0], [1000, 8, 3], [3, 1, 0], [20000, 50, 49], [7, 3, 2]] as const) {
      const plan = new ConstantRatePlan(rate, senders, sender);
      for (const [from, fromMs, toMs] of [[0, 0, 1000], [2, 150, 2150], [0, 1000, 1000], [5, 0, 40], [0, plan.intendedTimeMs(4), plan.intendedTimeMs(9)]] as const) {
        assert.equal(plan.countBetween(from, fromMs, toMs), walk(plan, from, fromMs, toMs), `rate ${rate}, sender ${sender}/${senders}: [${fromMs}, ${toMs}) from ${from}`);
      }
      const t = plan.intendedTimeMs(6);
      assert.equal(plan.indexAtOrAfter(t), 6);
      assert.equal(plan.indexAfter(t), 7);
    }
  });

  it('compares with the origin added, as a model does, so a send at the window\'s very end is counted as the model sees it', () => {
    const origin = 1234.567;
    const plan = new ConstantRatePlan(90, 32, 5);
    for (let k = 0; k < 40; k++) {
      const end = origin + plan.intendedTimeMs(k);
      let walked = 0;
      for (let i = 0; origin + plan.intendedTimeMs(i) < end; i++) walked++;
      assert.equal(plan.countBetween(0, origin, end, origin), walked, `window ending at send ${k}`);
    }
  });

  it('costs the same at 10^12 req/s: no loop over the sends', () => {
    const plan = new ConstantRatePlan(1e12, 50, 7);
    const started = performance.now();
    assert.equal(plan.countBetween(0, 0, 2000), 2e12 / 50);
    assert.ok(performance.now() - started < 50);
  });
});

describe('EvenTickerPlan (labench model)', () => {
  it('ticks evenly at the rate', () => {
    const plan = new EvenTickerPlan(50);
    assert.deepEqual([0, 1, 2].map((i) => plan.intendedTimeMs(i)), [0, 20, 40]);
  });

  it('deals ticks round-robin when the pool is split over worker threads', () => {
    const first = new EvenTickerPlan(100, 2, 0);
    const second = new EvenTickerPlan(100, 2, 1);
    assert.deepEqual([0, 1, 2].map((i) => first.intendedTimeMs(i)), [0, 20, 40]);
    assert.deepEqual([0, 1, 2].map((i) => second.intendedTimeMs(i)), [10, 30, 50]);
  });
});

describe('timelyToleranceMs', () => {
  for (const [rate, expected] of [
    [50, 20],
    [1000, 1],
    [20000, 1],
  ] as const) {
    it(`is ${expected} ms at ${rate} req/s`, () => assert.equal(timelyToleranceMs(rate), expected));
  }
});

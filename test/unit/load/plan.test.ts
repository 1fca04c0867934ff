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

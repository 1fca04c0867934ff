import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DealtPlan, PoissonArrivals, TraceArrivals } from '../../../src/load/arrivals.js';

describe('PoissonArrivals', () => {
  it('starts at 0 and gives the same times for the same seed, others for another', () => {
    const a = new PoissonArrivals(100, 7);
    const b = new PoissonArrivals(100, 7);
    const c = new PoissonArrivals(100, 8);
    assert.equal(a.timeMs(0), 0);
    const times = [5, 1, 1000, 3].map((index) => a.timeMs(index));
    assert.deepEqual(times, [5, 1, 1000, 3].map((index) => b.timeMs(index)));
    assert.notEqual(a.timeMs(1000), c.timeMs(1000));
  });

  it('has exponential gaps with mean 1/rate', () => {
    const rate = 250;
    const arrivals = new PoissonArrivals(rate, 42);
    const count = 100_000;
    let above = 0;
    let sumSquares = 0;
    for (let index = 1; index <= count; index++) {
      const gap = arrivals.timeMs(index) - arrivals.timeMs(index - 1);
      assert.ok(gap >= 0);
      if (gap > 1000 / rate) above++;
      sumSquares += gap * gap;
    }
    const mean = arrivals.timeMs(count) / count;
    const cv = Math.sqrt(sumSquares / count - mean * mean) / mean;
    // Bounds are about five standard errors wide for 100,000 gaps.
    assert.ok(Math.abs(mean - 4) < 4 * 0.016, `mean gap ${mean} ms`);
    assert.ok(Math.abs(cv - 1) < 0.03, `coefficient of variation ${cv}`);
    assert.ok(Math.abs(above / count - Math.exp(-1)) < 0.008, `share above the mean ${above / count}`);
  });

  it('answers an index far behind the window the same as on the way up', () => {
    const fresh = new PoissonArrivals(1000, 3);
    const expected = fresh.timeMs(10);
    const moved = new PoissonArrivals(1000, 3);
    moved.timeMs(300_000);
    assert.equal(moved.timeMs(10), expected);
    assert.equal(moved.timeMs(300_000), new PoissonArrivals(1000, 3).timeMs(300_000));
  });

  it('rejects a rate that is not positive', () => {
    assert.throws(() => new PoissonArrivals(0, 1), RangeError);
  });
});

describe('TraceArrivals', () => {
  it('replays offsets at a speed-up and ends', () => {
    const trace = new TraceArrivals([0, 100, 100, 250], 2);
    assert.deepEqual([0, 1, 2, 3, 4].map((index) => trace.timeMs(index)), [0, 50, 50, 125, Infinity]);
    assert.equal(trace.length, 4);
  });
});

describe('DealtPlan', () => {
  it('deals the sequence round-robin so the senders together follow it exactly', () => {
    const arrivals = new PoissonArrivals(500, 11);
    const senders = 3;
    const union: number[] = [];
    for (let sender = 0; sender < senders; sender++) {
      const plan = new DealtPlan(arrivals, senders, sender);
      for (let index = 0; index < 10; index++) {
        assert.equal(plan.requestIndex(index), sender + index * senders);
        union.push(plan.intendedTimeMs(index));
      }
    }
    union.sort((a, b) => a - b);
    assert.deepEqual(union, Array.from({ length: 30 }, (_, index) => arrivals.timeMs(index)));
  });

  it('runs out with the trace', () => {
    const plan = new DealtPlan(new TraceArrivals([0, 10, 20]), 2, 1);
    assert.equal(plan.intendedTimeMs(0), 10);
    assert.equal(plan.intendedTimeMs(1), Infinity);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MergedPlans } from '../../../src/load/merged-plans.js';
import { ConstantRatePlan } from '../../../src/load/plan.js';

describe('MergedPlans', () => {
  // 3 senders sharing 1000 req/s: every 3 ms each, staggered by 1 ms, so the merge is every 1 ms.
  const plans = [0, 1, 2].map((k) => new ConstantRatePlan(1000, 3, k));

  it('gives every sender\'s planned times in time order, from the origin, and stops before the end', () => {
    const merged = new MergedPlans(plans, 100, () => 110);
    const times: number[] = [];
    const senders: number[] = [];
    while (merged.peekDue() < Infinity) {
      times.push(merged.peekDue());
      senders.push(merged.take());
    }
    assert.deepEqual(times, [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    assert.deepEqual(senders, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    assert.deepEqual([...merged.nextIndex], [4, 3, 3]);
    assert.equal(merged.takeTime(), Infinity);
  });

  it('reads the end at every step, so an end brought forward (Ctrl-C) takes effect at once', () => {
    let end = 1000;
    const merged = new MergedPlans(plans, 0, () => end);
    assert.equal(merged.takeTime(), 0);
    assert.equal(merged.takeTime(), 1);
    end = 2;
    assert.equal(merged.takeTime(), Infinity);
  });

  it('keeps two cursors over the same plans apart', () => {
    const noticed = new MergedPlans(plans, 0, () => 100);
    const woken = new MergedPlans(plans, 0, () => 100);
    noticed.take();
    noticed.take();
    assert.equal(woken.takeTime(), 0);
    assert.equal(noticed.peekDue(), 2);
    assert.equal(noticed.time(2, 5), 17);
  });
});

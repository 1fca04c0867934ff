import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WakeTimer } from '../../../src/load/wake-timer.js';

/** The precise wake the open-loop models send by: a ticker thread sleeping in Atomics.wait. */
describe('WakeTimer', () => {
  const now = (): number => performance.now();

  it('fires once a due time is reached, never before it, once per arming', async () => {
    const fired: number[] = [];
    let resolve: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const dues = [20, 25, 40, 41, 60].map((ms) => now() + ms);
    let next = 0;
    const timer = new WakeTimer(now, () => {
      fired.push(now());
      next++;
      if (next < dues.length) timer.arm(dues[next]!);
      else resolve();
    });
    timer.arm(dues[0]!);
    await done;
    timer.close();
    assert.equal(fired.length, dues.length);
    fired.forEach((at, i) => assert.ok(at >= dues[i]!, `fire ${i} came ${(dues[i]! - at).toFixed(3)} ms early`));
  });

  it('keeps the earlier of two armings, and an earlier one replaces a later', async () => {
    const fired: number[] = [];
    let resolve: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const timer = new WakeTimer(now, () => {
      fired.push(now());
      resolve();
    });
    // A second apart: no stall of a busy machine blurs which of the two fired.
    const late = now() + 1000;
    const early = now() + 30;
    timer.arm(late);
    timer.arm(early);
    timer.arm(late + 100);
    await done;
    // Wait past the later due times: they were replaced, so nothing more fires.
    await new Promise((r) => setTimeout(r, late + 200 - now()));
    timer.close();
    assert.equal(fired.length, 1);
    assert.ok(fired[0]! >= early && fired[0]! < late, `fired ${(fired[0]! - early).toFixed(3)} ms after the earlier due time`);
  });

  it('never fires after close', async () => {
    let fired = 0;
    const timer = new WakeTimer(now, () => fired++);
    timer.arm(now() + 30);
    timer.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fired, 0);
  });
});

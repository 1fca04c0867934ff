import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulatedAccelerator, type DeviceClock } from '../../../src/sample/accelerator.js';

/** A hand-driven clock: timers fire when the test advances time, `lateMs` after they were due (a busy host). */
function manualClock(lateMs = 0): DeviceClock & { advanceTo(ms: number): void } {
  let now = 0;
  const timers = new Set<{ at: number; run: () => void }>();
  return {
    now: () => now,
    after(ms, run) {
      const timer = { at: now + ms + lateMs, run };
      timers.add(timer);
      return timer;
    },
    cancel: (timer) => void timers.delete(timer as { at: number; run: () => void }),
    advanceTo(ms) {
      for (;;) {
        const due = [...timers].filter((t) => t.at <= ms).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.delete(due);
        now = due.at;
        due.run();
      }
      now = ms;
    },
  };
}

/** Submits `count` jobs at time 0 and returns when each finished, in the order they finished. */
function burst(device: SimulatedAccelerator, clock: ReturnType<typeof manualClock>, count: number, cancel: number[] = []): { id: number; at: number }[] {
  const finished: { id: number; at: number }[] = [];
  const jobs = Array.from({ length: count }, (_, id) => ({ cancelled: false, done: () => finished.push({ id, at: clock.now() }) }));
  for (const job of jobs) device.submit(job);
  for (const id of cancel) jobs[id]!.cancelled = true;
  clock.advanceTo(10_000);
  return finished;
}

describe('SimulatedAccelerator', () => {
  it('runs one job at a time, in order, each about serviceMs (±10%): capacity 1000 / serviceMs per second', () => {
    const clock = manualClock();
    const finished = burst(new SimulatedAccelerator(4, clock), clock, 100);
    assert.deepEqual(finished.map((f) => f.id), Array.from({ length: 100 }, (_, i) => i));
    const gaps = finished.map((f, i) => f.at - (i === 0 ? 0 : finished[i - 1]!.at));
    assert.ok(gaps.every((gap) => gap >= 3.6 - 1e-9 && gap <= 4.4 + 1e-9), `gaps ${gaps.join(', ')}`);
    const last = finished.at(-1)!.at;
    assert.ok(Math.abs(last - 400) < 20, `100 jobs of 4 ms took ${last} ms`);
  });

  it('keeps its own clock: timers a busy host fires late delay the answers, not the device', () => {
    const clock = manualClock(3);
    const finished = burst(new SimulatedAccelerator(4, clock), clock, 100);
    // Each answer is read up to 3 ms late, but the device runs back to back: 100 jobs still take about 400 ms.
    const last = finished.at(-1)!.at;
    assert.ok(last < 400 + 20 + 3, `100 jobs of 4 ms with late timers took ${last} ms`);
  });

  it('skips a queued job whose client went away, and answers nothing for a job cancelled on the device', () => {
    const clock = manualClock();
    const finished = burst(new SimulatedAccelerator(4, clock), clock, 5, [0, 2, 3]);
    assert.deepEqual(finished.map((f) => f.id), [1, 4]);
    // Job 0 was on the device (its time is spent); 2 and 3 never ran: 1 and 4 finish about 8 and 12 ms in.
    assert.ok(finished[1]!.at < 14, `job 4 finished at ${finished[1]!.at} ms`);
  });

  it('answers at once with no device time (deviceMs 0), and nothing after close', () => {
    const clock = manualClock();
    assert.deepEqual(burst(new SimulatedAccelerator(0, clock), clock, 3).map((f) => f.at), [0, 0, 0]);
    const device = new SimulatedAccelerator(4, clock);
    const finished: number[] = [];
    device.submit({ cancelled: false, done: () => finished.push(1) });
    device.close();
    clock.advanceTo(20_000);
    assert.deepEqual(finished, []);
  });
});

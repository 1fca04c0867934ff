import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { DUE, FIRED, FLOAT_OFFSET, FLOAT_SLOTS, SEQ, sharedClockOffsetMs, STOP } from './ticker-slots.js';

/**
 * The ticker: a thread that does nothing but sleep until the load worker's next planned send and
 * wake it. Node's timers fire on a whole-millisecond clock (libuv's loop time and epoll's timeout),
 * so a worker waiting on setTimeout sends up to a millisecond late; a worker that spins until its
 * send burns a core. This thread sleeps in Atomics.wait, whose timeout the kernel honours to tens
 * of microseconds (its timer slack); it learns how late its wakes come and aims that much early,
 * spins the last stretch, and bumps FIRED, which resolves the worker's Atomics.waitAsync and wakes
 * its event loop like any I/O.
 *
 * Spinning is bounded to SPIN_SHARE of the thread's wall time, so a high rate (where the worker is
 * awake anyway and sends between answers) never turns the ticker into a busy loop.
 */
const SPIN_SHARE = 0.005;
const MAX_SPIN_BUDGET_MS = 0.25;
/** A wait shorter than this is mostly timer slack: spin (or take the slack) instead. */
const MIN_SLEEP_MS = 0.03;
/** Bounds on how early to aim, ms. */
const AIM_MIN_MS = 0.02;
const AIM_MAX_MS = 0.3;

// Loaded ahead of its run (wake-timer.ts, startTickers): say so, then wait for the WakeTimer's buffer.
const port = parentPort!;
const received = once(port, 'message');
port.postMessage('ready');
const [{ buffer }] = (await received) as [{ buffer: SharedArrayBuffer }];
const slots = new Int32Array(buffer, 0, 4);
const times = new Float64Array(buffer, FLOAT_OFFSET, FLOAT_SLOTS);
const offset = sharedClockOffsetMs();
const clock = (): number => performance.now() + offset;

/** How late a timed wait ends past its timeout: a moving estimate. */
let oversleep = 0.08;
let spinBudget = MAX_SPIN_BUDGET_MS;
let budgetAt = clock();

while (Atomics.load(slots, STOP) === 0) {
  const seq = Atomics.load(slots, SEQ);
  const due = times[DUE]!;
  if (!(due < Infinity)) {
    Atomics.wait(slots, SEQ, seq);
    continue;
  }
  const sleep = due - clock() - Math.min(Math.max(oversleep, AIM_MIN_MS), AIM_MAX_MS);
  if (sleep > MIN_SLEEP_MS) {
    const wakeAt = clock() + sleep;
    if (Atomics.wait(slots, SEQ, seq, sleep) === 'timed-out') oversleep += 0.1 * (clock() - wakeAt - oversleep);
    continue;
  }
  if (!approach(due, seq)) continue;
  Atomics.add(slots, FIRED, 1);
  Atomics.notify(slots, FIRED);
  // One fire per arming: sleep until the worker arms its next due time (or stops the ticker).
  Atomics.wait(slots, SEQ, seq);
}

/** Waits out the last stretch to `fireAt`, spinning while the budget lasts; false when re-armed meanwhile. */
function approach(fireAt: number, seq: number): boolean {
  const start = clock();
  spinBudget = Math.min(MAX_SPIN_BUDGET_MS, spinBudget + (start - budgetAt) * SPIN_SHARE);
  const spinUntil = start + spinBudget;
  let now = start;
  let rearmed = false;
  while (now < fireAt && !rearmed) {
    if (Atomics.load(slots, SEQ) !== seq) rearmed = true;
    else if (now >= spinUntil) {
      // Out of budget: sleep the rest, accepting the kernel's slack.
      rearmed = Atomics.wait(slots, SEQ, seq, fireAt - now) !== 'timed-out';
      break;
    } else now = clock();
  }
  const end = clock();
  spinBudget -= Math.min(end, spinUntil) - start;
  budgetAt = end;
  return !rearmed && Atomics.load(slots, SEQ) === seq;
}

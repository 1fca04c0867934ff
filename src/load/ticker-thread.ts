import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { ACK_TIME, ACKED, FIRED, FLOAT_OFFSET, FLOAT_SLOTS, RING, RING_SIZE, sharedClockOffsetMs, STOP, TAKEN, WAITING, WAKE, WRITTEN } from './ticker-slots.js';

/**
 * The ticker: a thread that does nothing but sleep until the load worker's next due time and wake
 * it. Node's timers fire on a whole-millisecond clock (libuv's loop time and epoll's timeout), so a
 * worker waiting on setTimeout sends up to a millisecond late; a worker that spins until its send
 * burns a core. This thread sleeps in Atomics.wait, whose timeout the kernel honours to tens of
 * microseconds (its timer slack); it learns how late its wakes come and aims that much early, spins
 * the last stretch, and bumps FIRED, which resolves the worker's Atomics.waitAsync and wakes its
 * event loop like any I/O.
 *
 * The worker puts its coming due times in a ring ahead of time (ticker-slots.ts), so after a wake the
 * ticker goes straight on to the next due time: the worker does not rouse it to say what comes next.
 * While the worker has yet to start on a wake, the ticker gives no other (that wake's handling
 * notices everything due by then), and it passes over the due times the worker has noticed
 * meanwhile: at a high rate, where the worker is awake anyway and sends between answers, it wakes the
 * worker once per pass of the worker's event loop, not once per send.
 *
 * Spinning is bounded to SPIN_SHARE of the thread's wall time, so it never turns into a busy loop.
 */
const SPIN_SHARE = 0.005;
const MAX_SPIN_BUDGET_MS = 0.25;
/** A wait shorter than this is mostly timer slack: spin (or take the slack) instead. */
const MIN_SLEEP_MS = 0.03;
/** Bounds on how early to aim, ms. */
const AIM_MIN_MS = 0.02;
const AIM_MAX_MS = 0.3;
const RING_MASK = RING_SIZE - 1;

// Loaded ahead of its run (wake-timer.ts, startTickers): say so, then wait for the WakeTimer's buffer.
const port = parentPort!;
const received = once(port, 'message');
port.postMessage('ready');
const [{ buffer }] = (await received) as [{ buffer: SharedArrayBuffer }];
const slots = new Int32Array(buffer, 0, FLOAT_OFFSET / 4);
const times = new Float64Array(buffer, FLOAT_OFFSET, FLOAT_SLOTS);
const offset = sharedClockOffsetMs();
const clock = (): number => performance.now() + offset;

/** How late a timed wait ends past its timeout: a moving estimate. */
let oversleep = 0.08;
let spinBudget = MAX_SPIN_BUDGET_MS;
let budgetAt = clock();
/** This thread's copies of TAKEN and FIRED (only it writes them); Int32 arithmetic, as the slots wrap. */
let taken = 0;
let fired = 0;

while (Atomics.load(slots, STOP) === 0) {
  const written = Atomics.load(slots, WRITTEN);
  if (written === taken) {
    waitUntil(() => Atomics.load(slots, WRITTEN) !== taken);
    continue;
  }
  const due = times[RING + (taken & RING_MASK)]!;
  // Noticed by the worker already; the ring's last due time is never passed over, as its wake is
  // what has the worker fill the ring again.
  if (due <= times[ACK_TIME]! && ((written - taken) | 0) > 1) {
    take();
    continue;
  }
  const sleep = due - clock() - Math.min(Math.max(oversleep, AIM_MIN_MS), AIM_MAX_MS);
  if (sleep > MIN_SLEEP_MS) {
    const wakeAt = clock() + sleep;
    if (Atomics.wait(slots, WAKE, Atomics.load(slots, WAKE), sleep) === 'timed-out') oversleep += 0.1 * (clock() - wakeAt - oversleep);
    continue;
  }
  if (!approach(due)) continue;
  // Taken before the look at ACKED: a worker acking now sees it in TAKEN and waits its clock up to it.
  take();
  // The worker has yet to start on the last wake: starting later, it notices this due time too.
  if (Atomics.load(slots, ACKED) !== fired) continue;
  fired = (fired + 1) | 0;
  Atomics.store(slots, FIRED, fired);
  Atomics.notify(slots, FIRED);
}

function take(): void {
  taken = (taken + 1) | 0;
  Atomics.store(slots, TAKEN, taken);
}

/**
 * Sleeps until `ready()` (or STOP), with no time limit. WAITING tells the worker to bump WAKE once
 * it makes `ready()` true (it fills the ring); both publish before they look at the other's slot, so
 * one of them sees it.
 */
function waitUntil(ready: () => boolean): void {
  const wake = Atomics.load(slots, WAKE);
  Atomics.store(slots, WAITING, 1);
  if (!ready() && Atomics.load(slots, STOP) === 0) Atomics.wait(slots, WAKE, wake);
  Atomics.store(slots, WAITING, 0);
}

/** Waits out the last stretch to `fireAt`, spinning while the budget lasts; false when stopped meanwhile. */
function approach(fireAt: number): boolean {
  const start = clock();
  spinBudget = Math.min(MAX_SPIN_BUDGET_MS, spinBudget + (start - budgetAt) * SPIN_SHARE);
  const spinUntil = start + spinBudget;
  let now = start;
  while (now < fireAt) {
    if (Atomics.load(slots, STOP) !== 0) return false;
    // Out of budget: sleep the rest, accepting the kernel's slack.
    if (now >= spinUntil) Atomics.wait(slots, WAKE, Atomics.load(slots, WAKE), fireAt - now);
    now = clock();
  }
  spinBudget -= Math.min(now, spinUntil) - start;
  budgetAt = now;
  return true;
}

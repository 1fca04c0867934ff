/**
 * The memory a load worker and its ticker thread share (a SharedArrayBuffer): Int32 slots the two
 * wait on with Atomics, and Float64 slots for times on the shared clock (ms of process.hrtime).
 */
export const TICKER_BYTES = 64;

/** Int32 slots. */
export const SEQ = 0; // bumped by the worker whenever the due time changes
export const FIRED = 1; // bumped by the ticker when the due time is reached
export const STOP = 2; // set to 1 to end the ticker

/** Float64 slots (byte offset 16). */
export const DUE = 0; // the time to wake the worker at, shared-clock ms; Infinity: nothing armed
export const FLOAT_OFFSET = 16;
export const FLOAT_SLOTS = 1;

/**
 * Milliseconds of the monotonic clock every thread of the process shares (process.hrtime) minus this
 * thread's performance.now(): add it to performance.now() to get the shared clock without
 * allocating. Read a few times and the closest pair kept, so the offset is good to a microsecond.
 */
export function sharedClockOffsetMs(): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const shared = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      offset = shared - (before + after) / 2;
    }
  }
  return offset;
}

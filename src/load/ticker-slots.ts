/**
 * The memory a load worker and its ticker thread share (a SharedArrayBuffer): Int32 slots the two
 * wait on and publish with Atomics, and Float64 slots for times on the shared clock (ms of
 * process.hrtime).
 *
 * The worker hands the ticker its coming due times ahead, in a ring; the ticker takes them in order
 * and wakes the worker at each one. Because the next due time is already in the ring when the ticker
 * fires, neither thread wakes the other to say what comes next: one wake per due time, not three.
 */
export const RING_SIZE = 64;

/** Int32 slots. */
export const WRITTEN = 0; // due times the worker has put in the ring, ever
export const TAKEN = 1; // due times the ticker has taken from the ring, ever (fired or passed over)
export const FIRED = 2; // wakes the ticker has given; the worker waits on it (Atomics.waitAsync)
export const ACKED = 3; // the FIRED count the worker last started acting on
export const WAKE = 4; // bumped by the worker to rouse a ticker waiting without a time limit
export const WAITING = 5; // 1 while the ticker waits without a time limit, for due times
export const STOP = 6; // set to 1 to end the ticker
const INT_SLOTS = 8;

/** Float64 slots. */
export const FLOAT_OFFSET = INT_SLOTS * 4;
export const ACK_TIME = 0; // shared-clock time of the worker's last ack: it notices every due time up to it
export const RING = 1; // RING_SIZE due times, shared-clock ms, slot RING + n % RING_SIZE
export const FLOAT_SLOTS = 1 + RING_SIZE;
export const TICKER_BYTES = FLOAT_OFFSET + FLOAT_SLOTS * 8;

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

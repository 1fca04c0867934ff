import { Worker } from 'node:worker_threads';
import { ACK_TIME, ACKED, FIRED, FLOAT_OFFSET, FLOAT_SLOTS, RING, RING_SIZE, sharedClockOffsetMs, STOP, TAKEN, TICKER_BYTES, WAITING, WAKE, WRITTEN } from './ticker-slots.js';

const TICKER_URL = new URL('./ticker-thread.js', import.meta.url);
/** How far the worker's and the ticker's clocks may disagree, ms. */
const SKEW_MS = 0.02;
const RING_MASK = RING_SIZE - 1;

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Ticker threads started ahead of the run (startTickers), each waiting for the WakeTimer that takes it. */
const spareTickers: Worker[] = [];

/**
 * Starts `count` ticker threads now and resolves once each has loaded its code. A load worker calls
 * it before it says it is ready: a ticker started when the run begins would load its code while the
 * run opens its connections, and where they take the last file descriptors (ulimit -n) the load
 * fails with EMFILE and takes the run down, instead of the run reporting that it ran out of sockets;
 * its start-up would also land in the first measured seconds.
 * @throws the ticker thread's own error when one cannot start.
 */
export async function startTickers(count: number): Promise<void> {
  const started = Array.from({ length: count }, () => new Worker(TICKER_URL));
  await Promise.all(
    started.map(
      (ticker) =>
        new Promise<void>((resolve, reject) => {
          ticker.once('message', () => resolve());
          ticker.once('error', reject);
        }),
    ),
  );
  for (const ticker of started) ticker.unref();
  spareTickers.push(...started);
}

/** Ends the ticker threads started ahead and never taken. */
export function stopSpareTickers(): void {
  for (const ticker of spareTickers.splice(0)) void ticker.terminate();
}

/**
 * Calls `fire` at each of a sequence of due times, within tens of microseconds, without spinning on
 * this thread's event loop: a ticker thread (ticker-thread.ts) sleeps until just before each due
 * time and resolves an Atomics.waitAsync here, which wakes the event loop like any I/O. The due
 * times are handed to the ticker ahead, in a ring (ticker-slots.ts), so it needs no word from this
 * thread between wakes.
 *
 * `fire` must handle everything due by the clock when it is called: the ticker gives no second wake
 * while one is being handled, and passes over the due times that handling had reached.
 */
export class WakeTimer {
  private readonly slots: Int32Array;
  private readonly times: Float64Array;
  private readonly offset = sharedClockOffsetMs();
  /** Held (ref'd) from start to close: a pending Atomics.waitAsync alone does not keep the event loop alive. */
  private readonly ticker: Worker;
  private upcoming: () => number = () => Infinity;
  /** The next due time not yet in the ring; Infinity once there is none. */
  private pending = Infinity;
  /** Due times put in the ring, ever (Int32 arithmetic, as the shared slot wraps). */
  private written = 0;
  /** The FIRED count last acted on. */
  private acked = 0;
  private listening = false;
  private closed = false;
  private readonly onFired = (): void => {
    this.listening = false;
    if (this.closed) return;
    // Acked before handling: a due time that falls due meanwhile gets its wake at once, and this
    // thread, awake anyway, takes it as it listens again (no second pass through the event loop).
    const fired = Atomics.load(this.slots, FIRED);
    this.acked = fired;
    this.times[ACK_TIME] = this.now() + this.offset;
    Atomics.store(this.slots, ACKED, fired);
    // Read after the ack: every due time the ticker took, with a wake or without one (it looks at
    // ACKED after it takes), is in TAKEN. Its clock said their time had come; this thread's may be a
    // hair behind.
    const taken = Atomics.load(this.slots, TAKEN);
    const latest = Math.min(this.times[RING + ((taken - 1) & RING_MASK)]! - this.offset, this.now() + SKEW_MS);
    while (this.now() < latest);
    this.fire();
    if (this.closed) return;
    this.fill();
    this.listen();
  };

  constructor(
    private readonly now: () => number,
    private readonly fire: () => void,
  ) {
    const buffer = new SharedArrayBuffer(TICKER_BYTES);
    this.slots = new Int32Array(buffer, 0, FLOAT_OFFSET / 4);
    this.times = new Float64Array(buffer, FLOAT_OFFSET, FLOAT_SLOTS);
    this.times[ACK_TIME] = -Infinity;
    // One started ahead (startTickers) if there is one; otherwise (a test, a probe of its own) now.
    this.ticker = spareTickers.pop() ?? new Worker(TICKER_URL);
    this.ticker.postMessage({ buffer });
    this.ticker.unref();
  }

  /**
   * Starts firing at the due times `upcoming` returns, one per call, ms on this thread's clock, never
   * decreasing, then Infinity once there are no more. Call once.
   */
  start(upcoming: () => number): void {
    if (this.closed) return;
    this.upcoming = upcoming;
    this.pending = upcoming();
    this.ticker.ref();
    this.fill();
    this.listen();
  }

  /** Ends the ticker thread; `fire` is not called again. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ticker.unref();
    Atomics.store(this.slots, STOP, 1);
    Atomics.add(this.slots, WAKE, 1);
    Atomics.notify(this.slots, WAKE);
  }

  /** Tops the ring up with the coming due times. */
  private fill(): void {
    const taken = Atomics.load(this.slots, TAKEN);
    const before = this.written;
    while (((this.written - taken) | 0) < RING_SIZE && this.pending < Infinity) {
      this.times[RING + (this.written & RING_MASK)] = this.pending + this.offset;
      this.written = (this.written + 1) | 0;
      this.pending = this.upcoming();
    }
    if (this.written === before) return;
    Atomics.store(this.slots, WRITTEN, this.written);
    this.rouseTicker();
  }

  /** Bumps WAKE when the ticker waits on it without a time limit (it publishes WAITING before it looks again). */
  private rouseTicker(): void {
    if (Atomics.load(this.slots, WAITING) === 0) return;
    Atomics.add(this.slots, WAKE, 1);
    Atomics.notify(this.slots, WAKE);
  }

  /** Waits for FIRED to move on from the count last acted on. */
  private listen(): void {
    if (this.listening || this.closed) return;
    this.listening = true;
    const waited = waitAsync(this.slots, FIRED, this.acked);
    if (waited.async) void waited.value.then(this.onFired);
    else queueMicrotask(this.onFired);
  }
}

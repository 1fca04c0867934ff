import { Worker } from 'node:worker_threads';
import { DUE, FIRED, FLOAT_OFFSET, FLOAT_SLOTS, SEQ, sharedClockOffsetMs, STOP, TICKER_BYTES } from './ticker-slots.js';

const TICKER_URL = new URL('./ticker-thread.js', import.meta.url);
/** How far the worker's and the ticker's clocks may disagree, ms. */
const SKEW_MS = 0.02;

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
 * Calls `fire` once the clock reaches a due time, within tens of microseconds, without spinning on
 * this thread's event loop: a ticker thread (ticker-thread.ts) sleeps until just before the due
 * time and resolves an Atomics.waitAsync here, which wakes the event loop like any I/O.
 */
export class WakeTimer {
  private readonly slots: Int32Array;
  private readonly times: Float64Array;
  private readonly offset = sharedClockOffsetMs();
  /** Held (ref'd) while a wake is armed: a pending Atomics.waitAsync alone does not keep the event loop alive. */
  private readonly ticker: Worker;
  private armedFor = Infinity;
  private listening = false;
  private closed = false;
  private readonly onFired = (): void => {
    this.listening = false;
    if (this.closed) return;
    const due = this.armedFor;
    if (due === Infinity) return;
    const early = due - this.now();
    // A fire a hair early (the threads' clocks agree to a microsecond) is waited out; one meant for
    // an earlier arming is not this one's: arm again, which also tells the ticker.
    if (early > SKEW_MS) return this.rearm(due);
    while (this.now() < due);
    this.armedFor = Infinity;
    this.ticker.unref();
    this.fire();
  };

  constructor(
    private readonly now: () => number,
    private readonly fire: () => void,
  ) {
    const buffer = new SharedArrayBuffer(TICKER_BYTES);
    this.slots = new Int32Array(buffer, 0, 4);
    this.times = new Float64Array(buffer, FLOAT_OFFSET, FLOAT_SLOTS);
    this.times[DUE] = Infinity;
    // One started ahead (startTickers) if there is one; otherwise (a test, a probe of its own) now.
    this.ticker = spareTickers.pop() ?? new Worker(TICKER_URL);
    this.ticker.postMessage({ buffer });
    this.ticker.unref();
  }

  /** Makes sure `fire` runs by `dueMs` (this thread's clock); an earlier pending wake is kept. */
  arm(dueMs: number): void {
    if (dueMs >= this.armedFor || this.closed) return;
    this.rearm(dueMs);
  }

  /** Ends the ticker thread. */
  close(): void {
    this.closed = true;
    this.armedFor = Infinity;
    this.ticker.unref();
    Atomics.store(this.slots, STOP, 1);
    this.bump();
  }

  private rearm(dueMs: number): void {
    const fired = Atomics.load(this.slots, FIRED);
    this.armedFor = dueMs;
    this.ticker.ref();
    this.times[DUE] = dueMs + this.offset;
    this.bump();
    this.listen(fired);
  }

  private bump(): void {
    Atomics.add(this.slots, SEQ, 1);
    Atomics.notify(this.slots, SEQ);
  }

  /** Waits for FIRED to move on from `fired` (a pending wait serves: any fire wakes it). */
  private listen(fired: number): void {
    if (this.listening) return;
    this.listening = true;
    const waited = waitAsync(this.slots, FIRED, fired);
    if (waited.async) void waited.value.then(this.onFired);
    else queueMicrotask(this.onFired);
  }
}

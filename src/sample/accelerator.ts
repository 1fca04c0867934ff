import { performance } from 'node:perf_hooks';
import { seededRandom } from '../core/seeded-random.js';

/** The clock and timer the device runs on; tests pass their own. */
export interface DeviceClock {
  /** Milliseconds from any fixed origin. */
  now(): number;
  /** Calls `run` after about `ms` (a busy host may call it late); returns what `cancel` takes. */
  after(ms: number, run: () => void): unknown;
  cancel(timer: unknown): void;
}

const REAL_CLOCK: DeviceClock = {
  now: () => performance.now(),
  after: (ms, run) => setTimeout(run, ms),
  cancel: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** One request's turn on the device. */
export interface DeviceJob {
  /** Set once the answer no longer matters: a queued job is skipped, never run. */
  cancelled: boolean;
  /** Called when the device has finished this job's inference. */
  done(): void;
}

/** Each job's device time varies by this share either side of the mean, as kernels on a real device do. */
const SERVICE_SPREAD = 0.1;
const SERVICE_SEED = 0xacce1;

/**
 * A simulated accelerator: one device that runs one inference at a time, for `serviceMs` of device
 * time each (±10%, seeded), with a FIFO queue in front of it. Its time is spent on timers, not on a
 * CPU, so like a model on a GPU it answers in the same few milliseconds however busy the host's
 * cores are, and it saturates like one: capacity 1000 / serviceMs requests a second, and beyond it
 * the queue, and the latency, grow.
 *
 * The device keeps its own clock: a job queued while another runs starts when that one ends as
 * planned, not when the host's timer fires (a late event loop delays the answers it reads, but a
 * device with work queued is never idle for it), so a busy host does not cost the device capacity.
 */
export class SimulatedAccelerator {
  readonly #serviceMs: number;
  readonly #clock: DeviceClock;
  readonly #random = seededRandom(SERVICE_SEED);
  readonly #queue: { job: DeviceJob; queuedAt: number }[] = [];
  /** When the job on the device finishes, by the device's clock (performance.now ms); 0 when idle. */
  #busyUntil = 0;
  #running = false;
  #timer: unknown;
  #closed = false;

  constructor(serviceMs: number, clock: DeviceClock = REAL_CLOCK) {
    this.#serviceMs = serviceMs;
    this.#clock = clock;
  }

  /** Jobs waiting for the device (counting abandoned ones until the device skips them). */
  get queued(): number {
    return this.#queue.length;
  }

  submit(job: DeviceJob): void {
    if (this.#closed) return;
    if (this.#serviceMs <= 0) {
      job.done();
      return;
    }
    this.#queue.push({ job, queuedAt: this.#clock.now() });
    if (!this.#running) this.#startNext();
  }

  /** Drops every queued job and stops the device; a job on it never finishes. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    if (this.#timer !== undefined) this.#clock.cancel(this.#timer);
  }

  #startNext(): void {
    let next = this.#queue.shift();
    while (next?.job.cancelled) next = this.#queue.shift();
    if (next === undefined || this.#closed) {
      this.#running = false;
      return;
    }
    this.#running = true;
    const now = this.#clock.now();
    // Queued before the last job ended: the device took it then, whenever the host noticed.
    const start = Math.max(this.#busyUntil, next.queuedAt);
    const end = start + this.#serviceMs * (1 - SERVICE_SPREAD + 2 * SERVICE_SPREAD * this.#random());
    this.#busyUntil = end;
    const { job } = next;
    this.#timer = this.#clock.after(Math.max(0, end - now), () => {
      this.#timer = undefined;
      if (!job.cancelled) job.done();
      this.#startNext();
    });
  }
}

import { Worker } from 'node:worker_threads';

/** What each worker thread is started with. */
export interface ScoringWorkerData {
  readonly workFactor: number;
}

/** Pool -> worker: one request's rows (the buffer is transferred, not copied). */
export interface ScoreJobMessage {
  readonly id: number;
  readonly features: ArrayBuffer;
  readonly rows: number;
}

/** Worker -> pool: the finished JSON answer, or why scoring failed. */
export type ScoreReplyMessage = { readonly id: number; readonly body: string } | { readonly id: number; readonly error: string };

export type ScoringOutcome = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly error: string };

export interface ScoringJob {
  readonly features: Float64Array;
  readonly rows: number;
  /** Set once the answer no longer matters (timed out, client gone): a queued job is skipped, a running one's result dropped. */
  cancelled: boolean;
  done(outcome: ScoringOutcome): void;
}

interface Slot {
  worker: Worker;
  job: ScoringJob | undefined;
  jobId: number;
  ready: boolean;
}

const WORKER_URL = new URL('./scoring-worker.js', import.meta.url);

/**
 * A fixed set of worker threads running the model, so the HTTP thread never computes.
 * Jobs wait in FIFO order while every worker is busy, as requests queue in a scoring container.
 */
export class ScoringPool {
  readonly #slots: Slot[] = [];
  readonly #queue: ScoringJob[] = [];
  readonly #workFactor: number;
  #nextJobId = 1;
  #closing = false;

  private constructor(workFactor: number) {
    this.#workFactor = workFactor;
  }

  /** Starts `size` workers and resolves once each has built its model. */
  static async start(size: number, workFactor: number): Promise<ScoringPool> {
    const pool = new ScoringPool(workFactor);
    try {
      await Promise.all(Array.from({ length: size }, () => pool.#spawn().ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Jobs waiting for a free worker, counting abandoned ones until a worker skips them. */
  get queued(): number {
    return this.#queue.length;
  }

  submit(job: ScoringJob): void {
    const idle = this.#slots.find((slot) => slot.job === undefined);
    if (idle === undefined) this.#queue.push(job);
    else this.#run(idle, job);
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#queue.length = 0;
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  /** Adds a worker to the pool at once; jobs posted before it is ready wait in its message port. */
  #spawn(): { slot: Slot; ready: Promise<void> } {
    const data: ScoringWorkerData = { workFactor: this.#workFactor };
    const slot: Slot = { worker: new Worker(WORKER_URL, { workerData: data }), job: undefined, jobId: 0, ready: false };
    this.#slots.push(slot);
    const ready = new Promise<void>((resolve, reject) => {
      slot.worker.once('message', () => {
        slot.ready = true;
        slot.worker.on('message', (reply: ScoreReplyMessage) => this.#finish(slot, reply));
        resolve();
      });
      slot.worker.once('error', reject);
      slot.worker.once('exit', (code) => this.#replace(slot, code));
    });
    return { slot, ready };
  }

  #run(slot: Slot, job: ScoringJob): void {
    slot.job = job;
    slot.jobId = this.#nextJobId++;
    const message: ScoreJobMessage = { id: slot.jobId, features: job.features.buffer as ArrayBuffer, rows: job.rows };
    slot.worker.postMessage(message, [message.features]);
  }

  #finish(slot: Slot, reply: ScoreReplyMessage): void {
    const job = slot.job;
    if (job === undefined || reply.id !== slot.jobId) return;
    slot.job = undefined;
    if (!job.cancelled) job.done('body' in reply ? { ok: true, body: reply.body } : { ok: false, error: reply.error });
    this.#runNext(slot);
  }

  #runNext(slot: Slot): void {
    let next = this.#queue.shift();
    while (next?.cancelled) next = this.#queue.shift();
    if (next !== undefined) this.#run(slot, next);
  }

  /** A worker died (a bug, or out of memory): fail its job and start another so capacity stays the same. */
  #replace(slot: Slot, code: number): void {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    const job = slot.job;
    if (job !== undefined && !job.cancelled) job.done({ ok: false, error: `scoring worker exited with code ${code}` });
    // A worker that never got ready would fail again: start() reports that instead of looping here.
    if (this.#closing || !slot.ready) return;
    const fresh = this.#spawn();
    fresh.ready.catch(() => undefined);
    this.#runNext(fresh.slot);
  }
}

import { seededRandom } from '../core/seeded-random.js';
import { createLatencyHistogram, recordLagMs, type Histogram } from '../record/histogram.js';
import { WakeTimer } from './wake-timer.js';

/** What the probe needs of a WakeTimer. */
export interface ProbeWake {
  /** Runs the callback at each due time `upcoming` returns (ms, never decreasing; Infinity: no more), or once for several that fall due together. */
  start(upcoming: () => number): void;
  close(): void;
}

/** Mean gap between probes, ms: 500 a second, so a 5 s window's p99 rests on 25 samples. */
export const PROBE_MEAN_INTERVAL_MS = 2;

/**
 * How late the worker's event loop answers an event from outside it: the delay a token's bytes wait
 * between reaching the socket and being read and timed, which is what could move an ITL figure (and
 * a closed-loop latency, read the same way).
 *
 * A WakeTimer (a ticker thread that sleeps in Atomics.wait and wakes this loop like any I/O, to tens
 * of microseconds) is armed for probe times drawn as a Poisson process, and each probe's lateness,
 * the time the loop ran it minus its due time, goes into an HdrHistogram (us). Poisson probes see
 * the loop as a random arrival does (PASTA), so the histogram is the distribution of the delay an
 * arriving token meets, busy stretches weighted by their length: every probe that fell due during a
 * stall is recorded at the stall's end with its own lateness. The ticker shares the worker's core
 * when the generator is pinned, so a wake it could not deliver because that core was busy counts too.
 *
 * Node's monitorEventLoopDelay cannot do this: its timer fires on libuv's millisecond clock, so its
 * samples carry up to a millisecond of the timer's own jitter, and a stall of any length gives it
 * one sample.
 */
export class LoopLagProbe {
  readonly histogram: Histogram = createLatencyHistogram();
  private readonly wake: ProbeWake;
  private readonly meanIntervalMs: number;
  /** The probe times not yet run: the same Poisson sequence the wake is handed (the same seed). */
  private nextProbe: () => number = () => Infinity;
  private dueMs = Infinity;
  /** Probes due before this are not recorded (see clear). */
  private keepFromMs = -Infinity;

  /** `wake` makes the timer that runs a callback at each of a sequence of times (a WakeTimer; tests pass their own). */
  constructor(
    private readonly now: () => number,
    options: { meanIntervalMs?: number; wake?: (fire: () => void) => ProbeWake } = {},
  ) {
    this.meanIntervalMs = options.meanIntervalMs ?? PROBE_MEAN_INTERVAL_MS;
    this.wake = (options.wake ?? ((fire) => new WakeTimer(now, fire)))(() => this.fired());
  }

  /** Starts probing (clearing what was recorded). Call once. */
  start(): void {
    this.histogram.reset();
    const startMs = this.now();
    this.nextProbe = this.probeTimes(startMs);
    this.dueMs = this.nextProbe();
    this.wake.start(this.probeTimes(startMs));
  }

  /**
   * Drops what was recorded so far and keeps only probes due at or after `fromMs`: probing goes on.
   * A probe due before it but run after (a stall across `fromMs`) is not kept either.
   */
  clear(fromMs: number): void {
    this.histogram.reset();
    this.keepFromMs = fromMs;
  }

  /** Stops probing for good and ends the ticker thread. */
  stop(): void {
    this.dueMs = Infinity;
    this.wake.close();
  }

  /** The lag at `percent` (100: the maximum), ms; 0 before any probe. */
  lagMs(percent: number): number {
    if (this.histogram.totalCount === 0) return 0;
    return (percent >= 100 ? this.histogram.maxValue : this.histogram.getValueAtPercentile(percent)) / 1000;
  }

  private fired(): void {
    const t = this.now();
    // Every probe due by now is late by its own amount: a stall of 20 ms holds ten of them.
    while (this.dueMs <= t) {
      if (this.dueMs >= this.keepFromMs) recordLagMs(this.histogram, t - this.dueMs);
      this.dueMs = this.nextProbe();
    }
  }

  /** Probe times from `startMs` on, a Poisson process's (exponential gaps), the same for every call. */
  private probeTimes(startMs: number): () => number {
    const random = seededRandom(0x10071a6);
    let at = startMs;
    return () => (at += -Math.log(1 - random()) * this.meanIntervalMs);
  }
}

import { performance } from 'node:perf_hooks';
import type { RunAggregator } from '../record/aggregator.js';
import type { Settings } from '../settings/settings.js';
import type { Progress } from './engine.js';

/** Slots each worker writes in the shared live counters. */
export const LIVE_SLOTS = { warmup: 0, measured: 1, errors: 2 } as const;
const SLOTS_PER_WORKER = 3;
/** How often the progress callback is told: often enough that a terminal line never lags. */
const PROGRESS_INTERVAL_MS = 250;
/** The rate shown is completions over this trailing window. */
const RATE_WINDOW_MS = 1000;

/**
 * Counters the workers bump as answers arrive (one writer per slot, so no Atomics are needed) and
 * the main thread reads for the progress line: the per-second snapshots behind the report arrive a
 * second late, these at once.
 */
export class LiveCounters {
  private readonly counts: Float64Array;

  constructor(private readonly workers: number) {
    this.counts = new Float64Array(new SharedArrayBuffer(workers * SLOTS_PER_WORKER * Float64Array.BYTES_PER_ELEMENT));
  }

  /** The worker's own slots, shared with it through its workerData. */
  forWorker(index: number): Float64Array {
    return this.counts.subarray(index * SLOTS_PER_WORKER, (index + 1) * SLOTS_PER_WORKER);
  }

  total(slot: number): number {
    let sum = 0;
    for (let worker = 0; worker < this.workers; worker++) sum += this.counts[worker * SLOTS_PER_WORKER + slot]!;
    return sum;
  }
}

/**
 * Calls `onProgress` every 250 ms with what was answered so far (live counts, the rate over the
 * last second), and the latency and send-lag percentiles of the seconds handed over. Returns the
 * stop function.
 */
export function startLiveProgress(onProgress: (progress: Progress) => void, live: LiveCounters, aggregator: RunAggregator, loadStartEpochMs: number, settings: Settings): () => void {
  const recent: { atMs: number; done: number }[] = [];
  const timer = setInterval(() => {
    const nowMs = performance.timeOrigin + performance.now();
    const elapsed = (nowMs - loadStartEpochMs) / 1000;
    const measured = elapsed - settings.warmupSec;
    const phase = measured < 0 ? 'warmup' : measured < settings.durationSec ? 'measuring' : 'draining';
    const done = live.total(LIVE_SLOTS.warmup) + live.total(LIVE_SLOTS.measured);
    recent.push({ atMs: nowMs, done });
    while (recent.length > 1 && nowMs - recent[0]!.atMs > RATE_WINDOW_MS) recent.shift();
    const span = (nowMs - recent[0]!.atMs) / 1000;
    const { histogram, histogramSendLag: sendLag } = aggregator;
    onProgress({
      phase,
      elapsedSec: Math.min(Math.max(0, measured), settings.durationSec),
      durationSec: settings.durationSec,
      warmupSec: settings.warmupSec,
      ...(phase === 'warmup' ? { warmupElapsedSec: Math.max(0, elapsed) } : {}),
      requests: live.total(LIVE_SLOTS.measured),
      errors: live.total(LIVE_SLOTS.errors),
      rps: span > 0 ? Math.round((done - recent[0]!.done) / span) : 0,
      p50Ms: histogram.totalCount > 0 ? histogram.getValueAtPercentile(50) / 1000 : undefined,
      p99Ms: histogram.totalCount > 0 ? histogram.getValueAtPercentile(99) / 1000 : undefined,
      // Open loop: how late sends leave against their plan, the figure the verdict judges.
      ...(sendLag && sendLag.totalCount > 0 ? { sendLagP99Ms: sendLag.getValueAtPercentile(99) / 1000 } : {}),
    });
  }, PROGRESS_INTERVAL_MS);
  return () => clearInterval(timer);
}

/**
 * For an external program, which says nothing until it ends: `onProgress` gets the time only, every
 * 250 ms, so the terminal and the CI log still show the run is alive. Returns the stop function.
 */
export function startClockProgress(onProgress: (progress: Progress) => void, settings: Settings, program: string): () => void {
  const startedMs = performance.now();
  const timer = setInterval(() => {
    const elapsed = (performance.now() - startedMs) / 1000;
    onProgress({
      phase: elapsed < settings.durationSec ? 'measuring' : 'draining',
      elapsedSec: Math.min(elapsed, settings.durationSec),
      durationSec: settings.durationSec,
      requests: 0,
      errors: 0,
      rps: 0,
      p99Ms: undefined,
      program,
    });
  }, PROGRESS_INTERVAL_MS);
  return () => clearInterval(timer);
}

import { ERROR_KINDS, type ErrorCounts, type TimelinePoint } from './result.js';
import { createLatencyHistogram, decodeHistogram, encodeHistogram, type Histogram } from './histogram.js';
import type { IntervalSnapshot } from './interval-recorder.js';

interface SecondTotals {
  requests: number;
  errors: number;
  histograms: string[];
}

/**
 * Merges the per-second snapshots of all workers: running totals and histograms for live progress
 * and the final report, and a per-second timeline. Seconds keep only their encoded histograms
 * (a few hundred bytes each), so memory stays small however long the run.
 */
export class RunAggregator {
  ok = 0;
  errors = 0;
  readonly byKind: number[] = new Array<number>(ERROR_KINDS.length).fill(0);
  readonly byStatus = new Map<string, number>();
  readonly histogram: Histogram = createLatencyHistogram();
  readonly histogramUncorrected: Histogram | undefined;
  private readonly seconds = new Map<number, SecondTotals>();

  constructor(trackUncorrected: boolean) {
    this.histogramUncorrected = trackUncorrected ? createLatencyHistogram() : undefined;
  }

  add(snapshot: IntervalSnapshot): void {
    this.ok += snapshot.ok;
    this.errors += snapshot.errors;
    snapshot.byKind.forEach((count, kind) => (this.byKind[kind]! += count));
    for (const [status, count] of Object.entries(snapshot.byStatus)) this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + count);
    this.histogram.add(decodeHistogram(snapshot.histogram));
    if (this.histogramUncorrected && snapshot.histogramUncorrected) {
      this.histogramUncorrected.add(decodeHistogram(snapshot.histogramUncorrected));
    }
    const second = this.seconds.get(snapshot.second) ?? { requests: 0, errors: 0, histograms: [] };
    second.requests += snapshot.ok + snapshot.errors;
    second.errors += snapshot.errors;
    second.histograms.push(snapshot.histogram);
    this.seconds.set(snapshot.second, second);
  }

  get total(): number {
    return this.ok + this.errors;
  }

  /** Requests completed in second `t` (0-based from measurement start). */
  requestsIn(second: number): number {
    return this.seconds.get(second)?.requests ?? 0;
  }

  errorCounts(): ErrorCounts {
    const byKind = Object.fromEntries(ERROR_KINDS.map((kind, index) => [kind, this.byKind[index]!])) as ErrorCounts['byKind'];
    const byStatus = Object.fromEntries([...this.byStatus].sort(([a], [b]) => Number(a) - Number(b)));
    return { byKind, byStatus };
  }

  /**
   * One point per second from 0 to the last second with data; empty seconds are zeros, not gaps.
   * With `keepHistograms`, each point also carries its second's encoded histogram.
   */
  timeline(keepHistograms = false): TimelinePoint[] {
    const last = Math.max(-1, ...this.seconds.keys());
    const scratch = createLatencyHistogram();
    const points: TimelinePoint[] = [];
    for (let t = 0; t <= last; t++) {
      const second = this.seconds.get(t);
      const point: TimelinePoint = { t, requests: second?.requests ?? 0, errors: second?.errors ?? 0 };
      if (second) {
        scratch.reset();
        for (const encoded of second.histograms) scratch.add(decodeHistogram(encoded));
        if (scratch.totalCount > 0) {
          point.p50 = scratch.getValueAtPercentile(50) / 1000;
          point.p99 = scratch.getValueAtPercentile(99) / 1000;
          if (keepHistograms) point.histogram = encodeHistogram(scratch);
        }
      }
      points.push(point);
    }
    return points;
  }

  encoded(): { histogram: string; histogramUncorrected?: string } {
    const result: { histogram: string; histogramUncorrected?: string } = { histogram: encodeHistogram(this.histogram) };
    if (this.histogramUncorrected) result.histogramUncorrected = encodeHistogram(this.histogramUncorrected);
    return result;
  }
}

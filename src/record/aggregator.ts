import { ERROR_KINDS, TARGET_BLAMELESS_KINDS, type ErrorCounts, type SecondOfService, type TimelinePoint } from './result.js';
import { addBuckets, createLatencyHistogram, encodeHistogram, type Histogram } from './histogram.js';
import type { IntervalSnapshot } from './interval-recorder.js';

/** One second while some worker has yet to hand it over. */
interface PendingSecond {
  requests: number;
  errors: number;
  latency: Float64Array[];
  sendLag: Float64Array[];
}

const BLAMELESS = TARGET_BLAMELESS_KINDS.map((kind) => ERROR_KINDS.indexOf(kind));

/**
 * Merges the per-second snapshots of all workers: running totals and histograms for live progress
 * and the final report, and a per-second timeline. A second's percentiles are taken as soon as
 * every worker has handed it over, and its buckets dropped, so memory stays small however long the
 * run; the work is a few hundred bucket additions a second, so the main thread (which may share a
 * core with a worker) barely wakes.
 */
export class RunAggregator {
  ok = 0;
  errors = 0;
  readonly byKind: number[] = new Array<number>(ERROR_KINDS.length).fill(0);
  readonly byStatus = new Map<string, number>();
  readonly histogram: Histogram = createLatencyHistogram();
  readonly histogramUncorrected: Histogram | undefined;
  readonly histogramSendLag: Histogram | undefined;
  /** Per worker: the last second it handed over (Infinity once it is done). */
  private readonly handedOver: number[];
  private readonly pending = new Map<number, PendingSecond>();
  private readonly points = new Map<number, TimelinePoint>();
  /** Per second: successes, failures on the target's account, and when the first and last success came (ms). */
  private readonly served = new Map<number, { ok: number; failed: number; firstOkMs?: number; lastOkMs?: number }>();
  private readonly scratch = createLatencyHistogram();

  constructor(
    workers: number,
    openLoop: boolean,
    /** Keep each second's latency histogram in its timeline point (shard reports, so a merge is exact). */
    private readonly keepHistograms = false,
  ) {
    this.handedOver = new Array<number>(workers).fill(-1);
    this.histogramUncorrected = openLoop ? createLatencyHistogram() : undefined;
    this.histogramSendLag = openLoop ? createLatencyHistogram() : undefined;
  }

  add(worker: number, snapshot: IntervalSnapshot): void {
    this.ok += snapshot.ok;
    this.errors += snapshot.errors;
    snapshot.byKind.forEach((count, kind) => (this.byKind[kind]! += count));
    for (const [status, count] of Object.entries(snapshot.byStatus)) this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + count);
    addBuckets(this.histogram, snapshot.latency);
    if (this.histogramUncorrected && snapshot.latencyUncorrected) addBuckets(this.histogramUncorrected, snapshot.latencyUncorrected);
    if (this.histogramSendLag && snapshot.sendLag) addBuckets(this.histogramSendLag, snapshot.sendLag);
    const second = this.pending.get(snapshot.second) ?? { requests: 0, errors: 0, latency: [], sendLag: [] };
    second.requests += snapshot.ok + snapshot.errors;
    second.errors += snapshot.errors;
    if (snapshot.latency.length > 0) second.latency.push(snapshot.latency);
    if (snapshot.sendLag && snapshot.sendLag.length > 0) second.sendLag.push(snapshot.sendLag);
    this.pending.set(snapshot.second, second);
    const served = this.served.get(snapshot.second) ?? { ok: 0, failed: 0 };
    served.ok += snapshot.ok;
    served.failed += snapshot.errors - BLAMELESS.reduce((sum, kind) => sum + (snapshot.byKind[kind] ?? 0), 0);
    if (snapshot.firstOkMs !== undefined) served.firstOkMs = Math.min(served.firstOkMs ?? Infinity, snapshot.firstOkMs);
    if (snapshot.lastOkMs !== undefined) served.lastOkMs = Math.max(served.lastOkMs ?? -Infinity, snapshot.lastOkMs);
    this.served.set(snapshot.second, served);
    this.handedOver[worker] = Math.max(this.handedOver[worker]!, snapshot.second);
    this.settle();
  }

  /** The worker has handed over its last second. */
  workerDone(worker: number): void {
    this.handedOver[worker] = Infinity;
    this.settle();
  }

  get total(): number {
    return this.ok + this.errors;
  }

  /** Requests completed in second `t` (0-based from measurement start), once every worker handed it over. */
  requestsIn(second: number): number {
    return this.points.get(second)?.requests ?? this.pending.get(second)?.requests ?? 0;
  }

  errorCounts(): ErrorCounts {
    const byKind = Object.fromEntries(ERROR_KINDS.map((kind, index) => [kind, this.byKind[index]!])) as ErrorCounts['byKind'];
    const byStatus = Object.fromEntries([...this.byStatus].sort(([a], [b]) => Number(a) - Number(b)));
    return { byKind, byStatus };
  }

  /**
   * One point per second from 0 to the last second with requests; empty seconds are zeros, not gaps.
   * Call after every worker is done.
   */
  timeline(): TimelinePoint[] {
    let last = -1;
    for (const [t, point] of this.points) if (point.requests > 0 || point.sendLagP50 !== undefined) last = Math.max(last, t);
    const points: TimelinePoint[] = [];
    for (let t = 0; t <= last; t++) points.push(this.points.get(t) ?? { t, requests: 0, errors: 0 });
    return points;
  }

  /** Each second's successes and failures on the target's account, for finding outages. */
  service(): SecondOfService[] {
    return [...this.served]
      .map(([t, second]) => ({
        t,
        ok: second.ok,
        failed: second.failed,
        ...(second.firstOkMs !== undefined ? { firstOkSec: second.firstOkMs / 1000, lastOkSec: second.lastOkMs! / 1000 } : {}),
      }))
      .sort((a, b) => a.t - b.t);
  }

  encoded(): { histogram: string; histogramUncorrected?: string; histogramSendLag?: string } {
    const result: { histogram: string; histogramUncorrected?: string; histogramSendLag?: string } = { histogram: encodeHistogram(this.histogram) };
    if (this.histogramUncorrected) result.histogramUncorrected = encodeHistogram(this.histogramUncorrected);
    if (this.histogramSendLag) result.histogramSendLag = encodeHistogram(this.histogramSendLag);
    return result;
  }

  /** Turns every second all workers have handed over into its timeline point. */
  private settle(): void {
    const through = Math.min(...this.handedOver);
    for (const [t, second] of this.pending) {
      if (t > through) continue;
      this.pending.delete(t);
      const point: TimelinePoint = { t, requests: second.requests, errors: second.errors };
      const latency = this.percentiles(second.latency);
      if (latency) {
        [point.p50, point.p99] = latency;
        if (this.keepHistograms) point.histogram = encodeHistogram(this.scratch);
      }
      const lag = this.percentiles(second.sendLag);
      if (lag) [point.sendLagP50, point.sendLagP99] = lag;
      this.points.set(t, point);
    }
  }

  /** p50 and p99 in ms of the merged buckets; undefined when empty. */
  private percentiles(parts: Float64Array[]): [number, number] | undefined {
    if (parts.length === 0) return undefined;
    this.scratch.reset();
    for (const buckets of parts) addBuckets(this.scratch, buckets);
    if (this.scratch.totalCount === 0) return undefined;
    return [this.scratch.getValueAtPercentile(50) / 1000, this.scratch.getValueAtPercentile(99) / 1000];
  }
}

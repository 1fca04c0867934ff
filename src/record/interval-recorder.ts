import { ERROR_KINDS } from './result.js';
import { createLatencyHistogram, histogramBuckets, recordLagMs, recordLatencyMs, type Histogram } from './histogram.js';

/** What one worker measured in one second of the run, sent to the main thread and merged there. */
export interface IntervalSnapshot {
  /** Seconds since the start of measurement. Every second is sent, empty ones too, in order. */
  second: number;
  ok: number;
  errors: number;
  /** Counts indexed like ERROR_KINDS. */
  byKind: number[];
  byStatus: Record<string, number>;
  /** Histogram buckets as histogramBuckets gives them: [value us, count, ...]. */
  latency: Float64Array;
  latencyUncorrected?: Float64Array;
  /** Send lag of the planned sends made in this second (open-loop models). */
  sendLag?: Float64Array;
  /** When the second's first and last successful answers came, ms from the start of measurement; absent without one. */
  firstOkMs?: number;
  lastOkMs?: number;
}

/**
 * Per-worker recording, one second at a time. A second's histograms are handed over as their
 * non-empty buckets when the clock leaves it: no compression on the worker's thread (it would
 * stall the sender for milliseconds every second), memory flat however long the run, and the main
 * thread merges seconds across workers without loss.
 */
export class IntervalRecorder {
  private second = 0;
  private ok = 0;
  private errors = 0;
  private readonly byKind = new Array<number>(ERROR_KINDS.length).fill(0);
  private byStatus = new Map<number, number>();
  /**
   * Doubles from the start (NaN, read only once an answer is ok): a field born a small integer
   * changes its representation at the first double stored, and V8 then deprecates the shape of
   * every recorder built with it. The warm-up's throwaway recorder (see SendContext) stores the
   * first, and the measured one, untouched until the window opens, would meet its first measured
   * answer on a deprecated shape: its compiled code thrown away in the window's first second.
   */
  private firstOkMs = NaN;
  private lastOkMs = NaN;
  private readonly corrected: Histogram = createLatencyHistogram();
  private readonly uncorrected: Histogram | undefined;
  private readonly sendLag: Histogram | undefined;

  constructor(
    /** Clock reading (ms) where second 0 starts. */
    private readonly originMs: number,
    /** Open-loop models: keep the latency from the actual send, and the send lag. */
    openLoop: boolean,
    private readonly emit: (snapshot: IntervalSnapshot) => void,
  ) {
    this.uncorrected = openLoop ? createLatencyHistogram() : undefined;
    this.sendLag = openLoop ? createLatencyHistogram() : undefined;
  }

  /** A response arrived at `nowMs`; `intendedMs` and `sentMs` are when it was meant to go and went. */
  recordResponse(nowMs: number, intendedMs: number, sentMs: number, status: number): void {
    this.advanceTo(nowMs);
    recordLatencyMs(this.corrected, nowMs - intendedMs);
    if (this.uncorrected) recordLatencyMs(this.uncorrected, nowMs - sentMs);
    if (status >= 400) {
      this.errors++;
      this.byKind[HTTP_STATUS]!++;
      this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    } else {
      if (this.ok === 0) this.firstOkMs = nowMs - this.originMs;
      this.lastOkMs = nowMs - this.originMs;
      this.ok++;
    }
  }

  /** A request failed without a response; no latency is recorded for it (as wrk does). */
  recordFailure(nowMs: number, kind: number): void {
    this.advanceTo(nowMs);
    this.errors++;
    this.byKind[kind]!++;
  }

  /** A planned send of the measured window left at `nowMs`, `lagMs` after it was due. */
  recordSendLag(nowMs: number, lagMs: number): void {
    if (!this.sendLag) return;
    this.advanceTo(nowMs);
    recordLagMs(this.sendLag, lagMs);
  }

  /** Hands over the seconds before `nowMs` (call periodically so idle seconds are reported too). */
  advanceTo(nowMs: number): void {
    const second = Math.floor((nowMs - this.originMs) / 1000);
    while (second > this.second) {
      this.flush();
      this.second++;
    }
  }

  /** Hands over the current second, however far it got. */
  flush(): void {
    const byStatus: Record<string, number> = {};
    for (const [status, count] of this.byStatus) byStatus[status] = count;
    const snapshot: IntervalSnapshot = {
      second: this.second,
      ok: this.ok,
      errors: this.errors,
      byKind: [...this.byKind],
      byStatus,
      latency: histogramBuckets(this.corrected),
      ...(this.ok > 0 ? { firstOkMs: this.firstOkMs, lastOkMs: this.lastOkMs } : {}),
    };
    if (this.uncorrected) {
      snapshot.latencyUncorrected = histogramBuckets(this.uncorrected);
      this.uncorrected.reset();
    }
    if (this.sendLag) {
      snapshot.sendLag = histogramBuckets(this.sendLag);
      this.sendLag.reset();
    }
    this.emit(snapshot);
    this.ok = 0;
    this.errors = 0;
    this.byKind.fill(0);
    if (this.byStatus.size > 0) this.byStatus = new Map();
    this.corrected.reset();
  }
}

const HTTP_STATUS = ERROR_KINDS.indexOf('http_status');

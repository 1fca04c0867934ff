import { ERROR_KINDS } from './result.js';
import { createLatencyHistogram, encodeHistogram, recordLatencyMs, type Histogram } from './histogram.js';

/** What one worker measured in one second of the run, sent to the main thread and merged there. */
export interface IntervalSnapshot {
  /** Seconds since the start of measurement. */
  second: number;
  ok: number;
  errors: number;
  /** Counts indexed like ERROR_KINDS. */
  byKind: number[];
  byStatus: Record<string, number>;
  histogram: string;
  histogramUncorrected?: string;
}

/**
 * Per-worker recording, one second at a time. A second's histograms are encoded and handed over
 * when the clock leaves it, so memory stays flat however long the run is, and the main thread can
 * merge seconds across workers without loss.
 */
export class IntervalRecorder {
  private second = 0;
  private ok = 0;
  private errors = 0;
  private readonly byKind = new Array<number>(ERROR_KINDS.length).fill(0);
  private byStatus = new Map<number, number>();
  private readonly corrected: Histogram = createLatencyHistogram();
  private readonly uncorrected: Histogram | undefined;

  constructor(
    /** Clock reading (ms) where second 0 starts. */
    private readonly originMs: number,
    trackUncorrected: boolean,
    private readonly emit: (snapshot: IntervalSnapshot) => void,
  ) {
    this.uncorrected = trackUncorrected ? createLatencyHistogram() : undefined;
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
      this.ok++;
    }
  }

  /** A request failed without a response; no latency is recorded for it (as wrk does). */
  recordFailure(nowMs: number, kind: number): void {
    this.advanceTo(nowMs);
    this.errors++;
    this.byKind[kind]!++;
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
    if (this.ok === 0 && this.errors === 0) return;
    const byStatus: Record<string, number> = {};
    for (const [status, count] of this.byStatus) byStatus[status] = count;
    const snapshot: IntervalSnapshot = {
      second: this.second,
      ok: this.ok,
      errors: this.errors,
      byKind: [...this.byKind],
      byStatus,
      histogram: encodeHistogram(this.corrected),
    };
    if (this.uncorrected) {
      snapshot.histogramUncorrected = encodeHistogram(this.uncorrected);
      this.uncorrected.reset();
    }
    this.emit(snapshot);
    this.ok = 0;
    this.errors = 0;
    this.byKind.fill(0);
    this.byStatus = new Map();
    this.corrected.reset();
  }
}

const HTTP_STATUS = ERROR_KINDS.indexOf('http_status');

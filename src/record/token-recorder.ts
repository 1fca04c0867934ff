import { createLatencyHistogram, decodeHistogram, encodeHistogram, recordLatencyMs, type Histogram } from './histogram.js';
import { judgeRequest, type GoodputObjective, type RequestFigures } from './goodput.js';
import { emptyTokenCounts, RATE_SCALE, TOKEN_HISTOGRAMS, type TokenCounts, type TokenHistogramName, type TokenSnapshot } from './token-snapshot.js';

export { emptyTokenCounts, RATE_SCALE, TOKEN_HISTOGRAMS, type TokenCounts, type TokenHistogramName, type TokenSnapshot } from './token-snapshot.js';

/** One valid answer as the token recorder sees it. Times are ms on one clock. */
export interface AnswerTiming {
  /** When the plan meant the request to go (equal to sentMs for the closed loop). */
  intendedMs: number;
  sentMs: number;
  /** When the last byte of the answer arrived. */
  endMs: number;
  /** Arrival times of the events that carried output, in order; the first `tokenEvents` count. */
  tokenTimes: Float64Array;
  tokenEvents: number;
  /** The answer was an event stream. */
  streamed: boolean;
  endedWithoutDone: boolean;
  /** The server's `usage` counts; -1 when not given. */
  completionTokens: number;
  promptTokens: number;
  /** Input tokens the request was built to hold (synthetic and trace workloads); -1 when unknown. */
  plannedInputTokens: number;
}

/**
 * Records the token figures of valid answers into HdrHistograms (µs, like the latency ones):
 * - ttft: from the request's send to the arrival of its first output event;
 * - itl: every gap between two consecutive output events of a request, all requests pooled;
 * - tpot: per request, (e2e - ttft) / (output tokens - 1), for answers of two tokens or more;
 * - e2e: from the send to the last byte of the answer;
 * - requestTokensPerSec: per request, output tokens / e2e.
 * With an open-loop plan (`corrected`), ttft and e2e count from the planned send
 * (coordinated-omission corrected, as wrk2 does) and the Uncorrected histograms from the actual one.
 * Output tokens are the server's `usage.completion_tokens` when given, else the output events counted.
 */
export class TokenRecorder {
  readonly counts = emptyTokenCounts();
  private readonly histograms: Record<TokenHistogramName, Histogram>;
  /**
   * Every field there from the start, e2e a double (NaN): a field added later, or born a small
   * integer and then given a double, changes the object's map, and the warm-up's throwaway recorder
   * (see LlmAnswers) would change it first, leaving the measured recorder's on a deprecated map
   * and the code compiled for it to be thrown away at the first measured answer.
   */
  private readonly figures: RequestFigures = { e2e: NaN, ttft: undefined, tpot: undefined, itl: undefined };

  constructor(
    private readonly corrected: boolean,
    private readonly objectives: readonly GoodputObjective[] = [],
  ) {
    this.histograms = Object.fromEntries(TOKEN_HISTOGRAMS.map((name) => [name, createLatencyHistogram()])) as Record<TokenHistogramName, Histogram>;
  }

  record(answer: AnswerTiming): void {
    const { counts, histograms, figures } = this;
    const start = this.corrected ? answer.intendedMs : answer.sentMs;
    counts.answers++;
    const e2e = answer.endMs - answer.sentMs;
    recordLatencyMs(histograms.e2e, answer.endMs - start);
    if (this.corrected) recordLatencyMs(histograms.e2eUncorrected, e2e);
    figures.e2e = answer.endMs - start;
    figures.ttft = undefined;
    figures.tpot = undefined;
    figures.itl = undefined;

    let output = -1;
    if (answer.completionTokens >= 0) {
      output = answer.completionTokens;
      counts.outputFromUsage++;
    } else if (answer.streamed) {
      output = answer.tokenEvents;
      counts.outputCounted++;
    }
    if (output >= 0) counts.outputTokens += output;
    if (answer.promptTokens >= 0) {
      counts.inputTokens += answer.promptTokens;
      counts.inputFromUsage++;
    } else if (answer.plannedInputTokens >= 0) {
      counts.inputTokens += answer.plannedInputTokens;
      counts.inputPlanned++;
    }

    if (answer.streamed) {
      counts.streamed++;
      if (answer.endedWithoutDone) counts.endedWithoutDone++;
      const times = answer.tokenTimes;
      if (answer.tokenEvents > 0) {
        const first = times[0]!;
        recordLatencyMs(histograms.ttft, first - start);
        if (this.corrected) recordLatencyMs(histograms.ttftUncorrected, first - answer.sentMs);
        figures.ttft = first - start;
        let longest = -1;
        for (let index = 1; index < answer.tokenEvents; index++) {
          const gap = times[index]! - times[index - 1]!;
          recordLatencyMs(histograms.itl, gap);
          if (gap > longest) longest = gap;
        }
        if (longest >= 0) figures.itl = longest;
        if (output >= 2) {
          const tpot = (answer.endMs - first) / (output - 1);
          recordLatencyMs(histograms.tpot, tpot);
          figures.tpot = tpot;
        }
      }
    }
    if (output > 0 && e2e > 0) histograms.requestTokensPerSec.recordValue(Math.max(1, Math.round((output * 1000 * RATE_SCALE) / e2e)));
    if (this.objectives.length > 0) {
      const verdict = judgeRequest(figures, this.objectives, answer.streamed);
      if (verdict === 'good') counts.good++;
      else if (verdict === 'undetermined') counts.undetermined++;
    }
  }

  snapshot(): TokenSnapshot {
    const histograms: TokenSnapshot['histograms'] = {};
    for (const name of TOKEN_HISTOGRAMS) {
      const histogram = this.histograms[name];
      if (histogram.totalCount > 0) histograms[name] = encodeHistogram(histogram);
    }
    return { counts: { ...this.counts }, histograms };
  }
}

/** Adds snapshots (workers of one run, or shards of one run): counts add, histograms merge. */
export function mergeTokenSnapshots(snapshots: readonly TokenSnapshot[]): TokenSnapshot {
  const counts = emptyTokenCounts();
  const merged: Partial<Record<TokenHistogramName, Histogram>> = {};
  for (const snapshot of snapshots) {
    for (const key of Object.keys(counts) as (keyof TokenCounts)[]) counts[key] += snapshot.counts[key];
    for (const name of TOKEN_HISTOGRAMS) {
      const encoded = snapshot.histograms[name];
      if (encoded === undefined) continue;
      const histogram = decodeHistogram(encoded);
      const into = merged[name];
      if (into === undefined) merged[name] = histogram;
      else into.add(histogram);
    }
  }
  const histograms: TokenSnapshot['histograms'] = {};
  for (const name of TOKEN_HISTOGRAMS) {
    const histogram = merged[name];
    if (histogram !== undefined) histograms[name] = encodeHistogram(histogram);
  }
  return { counts, histograms };
}

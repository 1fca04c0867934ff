/** The token recorder's figures as plain data: what crosses threads, shards and report files, and merges by adding. */

/** Histograms of the token figures, in the order the snapshot lists them. */
export const TOKEN_HISTOGRAMS = ['ttft', 'ttftUncorrected', 'itl', 'tpot', 'e2e', 'e2eUncorrected', 'requestTokensPerSec'] as const;
export type TokenHistogramName = (typeof TOKEN_HISTOGRAMS)[number];

/** Counters of one recorder; all add up across workers and shards. */
export interface TokenCounts {
  /** Valid answers recorded (measured window only). */
  answers: number;
  /** Of them, answers that came as an event stream. */
  streamed: number;
  /** Streams that ended on a finish_reason without `data: [DONE]`. */
  endedWithoutDone: number;
  outputTokens: number;
  /** Answers whose output tokens came from the server's usage; the rest were counted as output events. */
  outputFromUsage: number;
  outputCounted: number;
  inputTokens: number;
  inputFromUsage: number;
  inputPlanned: number;
  /** Answers that met every goodput objective. */
  good: number;
  /** Answers an objective could not judge (no TTFT of an answer that was not streamed). */
  undetermined: number;
}

/** What a recorder hands over: plain data that crosses threads and merges by adding. */
export interface TokenSnapshot {
  counts: TokenCounts;
  /** HdrHistogram V2 compressed base64 (the latency histograms' encoding), µs; tokens/s histograms hold milli-tokens per second. Absent when empty. */
  histograms: Partial<Record<TokenHistogramName, string>>;
}

/** Per-request tokens/s are kept as integers of 1/1000 token per second. */
export const RATE_SCALE = 1000;

export function emptyTokenCounts(): TokenCounts {
  return { answers: 0, streamed: 0, endedWithoutDone: 0, outputTokens: 0, outputFromUsage: 0, outputCounted: 0, inputTokens: 0, inputFromUsage: 0, inputPlanned: 0, good: 0, undetermined: 0 };
}

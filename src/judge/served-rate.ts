import { histogramBuckets, type Histogram } from '../record/histogram.js';

/** The share of answers left out at each end of the answers' span: a lone slow (or first) answer moves nothing. */
export const PACE_TRIM_SHARE = 0.025;

/**
 * The rate the target served, in answers per second: the lower of
 * - the answers per second of the sending window (`answers / sendingSeconds`): a request never
 *   answered (timed out, abandoned, never sent because its connection was still busy) is not served;
 * - the pace the answers came back at: the middle 95% of them (PACE_TRIM_SHARE off each end) over
 *   the time they took to arrive, so answers late but at the offered pace (a long, steady latency)
 *   count in full, and a target that fell behind reads at its own pace, not the offered one, however
 *   many answers it still gave after the sending stopped.
 * `completions` holds each answer's arrival, in microseconds from the start of measurement (a
 * latency histogram's range and precision: 0.1% of the value). 0 when nothing was answered.
 */
export function servedRps(completions: Histogram, sendingSeconds: number): number {
  const answers = completions.totalCount;
  if (answers === 0 || sendingSeconds <= 0) return 0;
  const perSendingSecond = answers / sendingSeconds;
  const pace = answerPace(histogramBuckets(completions), answers);
  return pace === undefined ? perSendingSecond : Math.min(perSendingSecond, pace);
}

/** Answers per second between the first and last answer kept after trimming; undefined when they arrived together. */
function answerPace(buckets: Float64Array, answers: number): number | undefined {
  const trimmed = Math.floor(answers * PACE_TRIM_SHARE);
  const first = trimmed + 1;
  const last = answers - trimmed;
  if (last <= first) return undefined;
  const spanUs = valueAtRank(buckets, last) - valueAtRank(buckets, first);
  return spanUs > 0 ? ((last - first) * 1e6) / spanUs : undefined;
}

/** The value holding the `rank`-th smallest entry (1-based) of histogramBuckets' [value, count, ...] pairs. */
function valueAtRank(buckets: Float64Array, rank: number): number {
  let seen = 0;
  for (let i = 0; i < buckets.length; i += 2) {
    seen += buckets[i + 1]!;
    if (seen >= rank) return buckets[i]!;
  }
  return buckets[buckets.length - 2]!;
}

import { histogramBuckets, type Histogram } from '../record/histogram.js';

/** The share of entries left out at each end of a span: a lone slow (or first) answer moves nothing. */
export const PACE_TRIM_SHARE = 0.025;

/**
 * The share of an open-loop plan the target served (1: all of it, at its pace): the lower of
 * - the answers per planned send of the window (`answers.totalCount / plan`): a request never
 *   answered (timed out, abandoned, kept back by a busy connection, never sent) is not served;
 * - the pace the answers came back at over the pace their sends were due at, each the middle 95%
 *   of its entries (PACE_TRIM_SHARE off each end) over the time they spanned. Answers late but at
 *   the plan's pace (a long, steady latency) count in full; a target that fell behind answers at its
 *   own pace, however many answers it still gives after the sending stops; and since both paces come
 *   from the same plan, a Poisson or trace plan that happened to offer fewer requests than its nominal
 *   rate in the window is not taken for a shortfall.
 * `answers`: when each measured answer arrived; `planned`: when each planned send of the window that
 * went out was due; both in us from the start of measurement (a latency histogram's range and
 * precision: 0.1% of the value). `plan`: the window's planned sends, made or not. 0 when nothing was
 * answered; 1 when nothing was planned.
 */
export function servedShare(answers: Histogram, planned: Histogram, plan: number): number {
  if (plan <= 0) return 1;
  const counted = answers.totalCount / plan;
  const answerPace = pace(answers);
  const planPace = pace(planned);
  return answerPace === undefined || planPace === undefined ? counted : Math.min(counted, answerPace / planPace);
}

/** Entries per second between the first and last entry kept after trimming; undefined when they fell together. */
function pace(times: Histogram): number | undefined {
  const count = times.totalCount;
  const trimmed = Math.floor(count * PACE_TRIM_SHARE);
  const first = trimmed + 1;
  const last = count - trimmed;
  if (last <= first) return undefined;
  const buckets = histogramBuckets(times);
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

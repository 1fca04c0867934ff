import { figureLabel } from '../judge/trust.js';
import type { StopReason, Verdict } from './search.js';

/** What the wording reads of a measured point (find-max.ts's FindMaxPoint). */
interface PointSaid {
  rate: number;
  verdict: Verdict;
  reasons: readonly string[];
  counted: boolean;
  trustedUpTo?: string | null;
}

/** What the wording reads of the search's settings. */
interface SearchAsked {
  precision: number;
  confirm: boolean;
  maxTimeSec: number;
}

/**
 * How far the agreeing runs at one rate trusted their latency, in words: ", latency trusted up to
 * p99" when they agree (" in both runs", " in all 3 runs" for more than one), each figure once with
 * its count of runs when they do not, "" when no run judged trust (external programs). `null` (p50
 * not trusted) reads "not trusted even at p50".
 */
export function trustWording(trust: readonly (string | null)[]): string {
  if (trust.length === 0) return '';
  const groups = new Map<string | null, number>();
  for (const t of trust) groups.set(t, (groups.get(t) ?? 0) + 1);
  if (groups.size === 1) {
    const all = trust.length === 1 ? '' : trust.length === 2 ? ' in both runs' : ` in all ${trust.length} runs`;
    const only = trust[0]!;
    return only === null ? `, latency not trusted even at p50${all}` : `, latency trusted up to ${figureLabel(only)}${all}`;
  }
  const parts = [...groups].map(([t, n]) => `${t === null ? 'not even at p50' : `up to ${figureLabel(t)}`} in ${n} run${n === 1 ? '' : 's'}`);
  return `, latency trusted ${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

/** The evidence at each end of the bracket: how many runs said what, and how far their figures are trusted. */
export function restsOn(bracket: { low?: number; high?: number }, points: readonly PointSaid[]): string {
  const counted = points.filter((p) => p.counted);
  const at = (rate: number | undefined, meaning: 'pass' | 'fail'): string | undefined => {
    if (rate === undefined) return undefined;
    const runs = counted.filter((p) => p.rate === rate);
    const agreeing = runs.filter((p) => p.verdict === meaning);
    const trust = agreeing.map((p) => p.trustedUpTo).filter((t): t is string | null => t !== undefined);
    return `at ${rate} req/s ${agreeing.length} of ${runs.length} runs ${meaning === 'pass' ? 'met' : 'broke'} the SLA${trustWording(trust)}`;
  };
  const ends = [at(bracket.low, 'pass'), at(bracket.high, 'fail')].filter((e): e is string => e !== undefined);
  const noVerdict = counted.filter((p) => p.verdict === 'invalid').length;
  const unjudged = noVerdict > 0 ? `; ${noVerdict} run${noVerdict === 1 ? '' : 's'} gave no verdict` : '';
  return `${counted.length} runs${ends.length > 0 ? `: ${ends.join('; ')}` : ''}${unjudged}`;
}

/** The outcome in one sentence: what stopped the search, and what that leaves of the answer. */
export function describeOutcome(
  stop: StopReason,
  bracket: { low?: number; high?: number },
  request: SearchAsked,
  points: readonly Pick<PointSaid, 'rate' | 'reasons'>[],
): string {
  const { low, high } = bracket;
  const range = low !== undefined && high !== undefined ? `between ${low} and ${high} req/s` : low !== undefined ? `at least ${low} req/s` : 'unknown';
  const precision = `${request.precision * 100}%`;
  switch (stop) {
    case 'precision':
      return `the highest rate within the SLA is ${low} req/s (it breaks at ${high} req/s; bracket within ${precision}${request.confirm ? ', both ends measured twice' : ''})`;
    case 'ceiling':
      return `the SLA held up to the ceiling of ${low} req/s (--max-rate); the real limit is higher`;
    case 'lowest-rate-fails': {
      const first = points[0];
      return `even the lowest rate, ${first?.rate} req/s, breaks the SLA: ${first?.reasons.join('; ')}`;
    }
    case 'invalid': {
      const last = points.at(-1);
      return `stopped: ${last?.rate} req/s gave no verdict after a re-run (${last?.reasons[0] ?? 'invalid'}); the limit is ${range}, not found`;
    }
    case 'time':
      return timeStop(low, high, request);
    case 'max-points':
      return `stopped after ${points.length} points; the limit is ${range}, not found`;
    case 'aborted':
      return `interrupted; the limit is ${range}`;
  }
}

/** Stopped by the time bound: which stage of the search it cut short. */
function timeStop(low: number | undefined, high: number | undefined, request: SearchAsked): string {
  const bound = `the time bound of ${request.maxTimeSec}s`;
  const precision = `${request.precision * 100}%`;
  if (low === undefined) return `stopped by ${bound} before any rate met the SLA; the limit is ${high === undefined ? 'unknown' : `below ${high} req/s`}, not found`;
  if (high === undefined) return `stopped by ${bound} while still raising the rate (no rate broke the SLA yet); the limit is at least ${low} req/s, not found`;
  const width = `${(((high - low) / low) * 100).toFixed(1)}%`;
  if (high - low <= request.precision * low) {
    // Only the confirmation (or a tie-break) was left: the bracket itself had closed.
    return `the bracket narrowed to ${width} (${low} to ${high} req/s, within ${precision}), but measuring its ends again to confirm them did not fit ${bound}; the limit is between ${low} and ${high} req/s, not confirmed (--no-confirm skips confirmation, --max-time allows it)`;
  }
  return `stopped by ${bound} with the bracket still ${width} wide (${low} to ${high} req/s, ${precision} asked); the limit is between ${low} and ${high} req/s, not found`;
}

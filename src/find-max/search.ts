/**
 * The SLA search, free of clocks, networks and files: `measure` is injected, so the search is tested
 * against a made-up capacity curve and run for real against an endpoint by the same code.
 *
 * It ramps the rate up by a factor until a rate fails (the bracket), then bisects the bracket until
 * its width is within `precision` of its low end. With `confirm`, both ends of the final bracket are
 * measured a second time, and a rate whose two verdicts disagree a third: one noisy point can then
 * neither lift the answer nor sink it. The answer is always a measured rate that met the SLA.
 */

/** What one measured rate says: met the SLA, broke it, or no verdict (the run was not valid). */
export type Verdict = 'pass' | 'fail' | 'invalid';

export interface SearchOptions {
  /** The lowest rate tried, and the first; req/s. */
  startRate: number;
  /** A rate the search never goes above; the answer is this rate when it passes. */
  maxRate?: number;
  /** Ramp multiplier between rates until one fails (> 1). */
  factor: number;
  /** Stop once (high - low) <= precision * low, e.g. 0.05. */
  precision: number;
  /** Measure both ends of the final bracket again (and a third time where two verdicts disagree). */
  confirm?: boolean;
  /** The whole search ends before this many ms would pass; a point that would not fit is not started. */
  timeBudgetMs?: number;
  /** What one point is expected to take (warm-up, duration, cool-down), until one has been timed. */
  pointEstimateMs?: number;
  /** Never measure more points than this. */
  maxPoints?: number;
  /** Milliseconds from any fixed origin. */
  now: () => number;
  /** Checked before each point and after it: an aborted search stops and discards that point's verdict. */
  signal?: AbortSignal;
}

export interface SearchStep<T> {
  rate: number;
  outcome: T;
  /** False when the search was aborted during this point: its verdict is not used. */
  counted: boolean;
}

export type StopReason =
  /** The bracket is as narrow as asked (and confirmed, with `confirm`). */
  | 'precision'
  /** The ceiling (maxRate) met the SLA: the answer is at least this. */
  | 'ceiling'
  /** The first (lowest) rate failed. */
  | 'lowest-rate-fails'
  /** A point had no valid measurement: the search cannot go on. */
  | 'invalid'
  /** The next point would not fit in the time budget. */
  | 'time'
  | 'max-points'
  | 'aborted';

export interface SearchResult<T> {
  /** The highest rate that met the SLA below every rate that broke it; absent when none did. */
  maxRate?: number;
  /** That rate and the lowest rate that broke the SLA (the answer lies between). */
  bracket: { low?: number; high?: number };
  /** True when the bracket reached the precision, or the ceiling passed. */
  converged: boolean;
  stop: StopReason;
  steps: SearchStep<T>[];
}

type Next = { measure: number } | { stop: StopReason };

export async function findMaxRate<T extends { verdict: Verdict }>(
  measure: (rate: number) => Promise<T>,
  options: SearchOptions,
): Promise<SearchResult<T>> {
  checkOptions(options);
  const started = options.now();
  const steps: SearchStep<T>[] = [];
  const verdicts = new Map<number, Verdict[]>();
  let longestPointMs = options.pointEstimateMs ?? 0;

  for (;;) {
    const next = nextStep(verdicts, options);
    let stop = 'stop' in next ? next.stop : undefined;
    if (stop === undefined && options.signal?.aborted) stop = 'aborted';
    if (stop === undefined && options.maxPoints !== undefined && steps.length >= options.maxPoints) stop = 'max-points';
    const before = options.now();
    if (stop === undefined && options.timeBudgetMs !== undefined && before - started + longestPointMs > options.timeBudgetMs) stop = 'time';
    if (stop !== undefined) return result(verdicts, steps, stop);

    const rate = (next as { measure: number }).measure;
    const outcome = await measure(rate);
    longestPointMs = Math.max(longestPointMs, options.now() - before);
    const counted = !options.signal?.aborted;
    steps.push({ rate, outcome, counted });
    if (!counted) return result(verdicts, steps, 'aborted');
    if (outcome.verdict === 'invalid') return result(verdicts, steps, 'invalid');
    verdicts.set(rate, [...(verdicts.get(rate) ?? []), outcome.verdict]);
  }
}

/** The majority of a rate's verdicts; undefined while they are tied. */
function verdictOf(measured: readonly Verdict[] | undefined): 'pass' | 'fail' | undefined {
  const passes = measured?.filter((v) => v === 'pass').length ?? 0;
  const fails = measured?.filter((v) => v === 'fail').length ?? 0;
  return passes > fails ? 'pass' : fails > passes ? 'fail' : undefined;
}

/** The lowest rate that failed, and the highest that passed below it. */
function bracketOf(verdicts: ReadonlyMap<number, Verdict[]>): { low?: number; high?: number } {
  const rates = [...verdicts.keys()].sort((a, b) => a - b);
  const high = rates.find((rate) => verdictOf(verdicts.get(rate)) === 'fail');
  const low = rates.filter((rate) => (high === undefined || rate < high) && verdictOf(verdicts.get(rate)) === 'pass').at(-1);
  return { ...(low === undefined ? {} : { low }), ...(high === undefined ? {} : { high }) };
}

function nextStep(verdicts: ReadonlyMap<number, Verdict[]>, options: SearchOptions): Next {
  const { low, high } = bracketOf(verdicts);
  const ceiling = options.maxRate;
  const start = ceiling === undefined ? options.startRate : Math.min(options.startRate, ceiling);
  const times = (rate: number | undefined): number => (rate === undefined ? 0 : (verdicts.get(rate)?.length ?? 0));
  // A tie (one pass, one fail) at or inside the bracket is settled by one more measurement.
  const tied = [...verdicts.keys()].find((rate) => verdictOf(verdicts.get(rate)) === undefined && (high === undefined || rate <= high));
  if (tied !== undefined) return { measure: tied };

  if (low === undefined) {
    if (high === undefined) return { measure: start };
    if (options.confirm && times(high) < 2) return { measure: high };
    return { stop: 'lowest-rate-fails' };
  }
  if (high === undefined) {
    if (ceiling !== undefined && low >= ceiling) return options.confirm && times(low) < 2 ? { measure: low } : { stop: 'ceiling' };
    return { measure: roundRate(ceiling === undefined ? low * options.factor : Math.min(low * options.factor, ceiling)) };
  }
  if (high - low > options.precision * low) {
    const middle = roundRate((low + high) / 2);
    if (middle > low && middle < high) return { measure: middle };
  }
  if (options.confirm && times(low) < 2) return { measure: low };
  if (options.confirm && times(high) < 2) return { measure: high };
  return { stop: 'precision' };
}

function result<T>(verdicts: ReadonlyMap<number, Verdict[]>, steps: SearchStep<T>[], stop: StopReason): SearchResult<T> {
  const bracket = bracketOf(verdicts);
  return {
    ...(bracket.low === undefined ? {} : { maxRate: bracket.low }),
    bracket,
    converged: stop === 'precision' || stop === 'ceiling',
    stop,
    steps,
  };
}

/** Rates people can read back: four significant digits, far finer than any precision worth asking. */
export function roundRate(rate: number): number {
  const scale = 10 ** Math.min(6, 3 - Math.floor(Math.log10(rate)));
  return Math.round(rate * scale) / scale;
}

function checkOptions(options: SearchOptions): void {
  if (!(options.startRate > 0)) throw new RangeError(`startRate must be > 0, got ${options.startRate}`);
  if (options.maxRate !== undefined && !(options.maxRate > 0)) throw new RangeError(`maxRate must be > 0, got ${options.maxRate}`);
  if (!(options.factor > 1)) throw new RangeError(`factor must be > 1, got ${options.factor}`);
  if (!(options.precision > 0 && options.precision < 1)) throw new RangeError(`precision must be in (0, 1), got ${options.precision}`);
}

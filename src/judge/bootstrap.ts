import type { JsHistogram } from 'hdr-histogram-js';
import type { TimelinePoint } from '../record/result.js';
import { decodeHistogram } from '../record/histogram.js';
import type { Report } from '../report/report.js';
import { seededRandom } from '../core/seeded-random.js';
import type { MetricRef } from './metrics.js';

/**
 * The noise behind `compare`'s verdicts.
 *
 * Why a bootstrap and not Mann-Whitney: tolerances are about one statistic each (p99 may rise 10%), and
 * a Mann-Whitney U test answers a different question (is the whole distribution shifted?). With the
 * 10^4..10^6 requests of a run it also calls negligible shifts significant, and says nothing about the
 * tail. A bootstrap gives a confidence interval for the very statistic the tolerance is on. It runs on
 * the histogram buckets as a Poisson bootstrap (each bucket's count redrawn as Poisson(count), the
 * standard approximation of resampling n requests), so its cost depends on the bucket count, not on the
 * number of requests. Throughput and error rate have no histogram: their bootstrap resamples the
 * seconds of the timeline. The seed is fixed so the same two reports always give the same answer.
 *
 * A limit to keep in mind: resampling within one run measures sampling noise; slow drift between runs
 * (another tenant on the host, a cold cache) is only caught when the runs are long enough to show it.
 */

export interface NoiseInterval {
  /** 99% interval of the change: relative (share) for ratio statistics, absolute for error_rate. */
  scale: 'relative' | 'absolute';
  low: number;
  high: number;
  /** The interval excludes "no change". */
  beyond: boolean;
  method: 'histogram-bootstrap' | 'timeline-bootstrap';
}

const BOOTSTRAP_REPLICATES = 1000;
/** Two-sided: a CI gate should cry wolf rarely, and several metrics are judged at once. */
const CONFIDENCE = 0.99;
const BOOTSTRAP_SEED = 0x5eed;
const MIN_TIMELINE_SECONDS = 5;

/**
 * A Poisson(lambda) draw. `zeroChance` is exp(-lambda), passed in because each bucket's is computed once
 * and used for every replicate.
 */
function poisson(lambda: number, zeroChance: number, random: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    // Inversion: walk the cumulative distribution with one uniform; exact, and cheap for small counts.
    const u = random();
    let k = 0;
    let p = zeroChance;
    let cumulative = p;
    while (u > cumulative && k < 1000) {
      k++;
      p *= lambda / k;
      cumulative += p;
    }
    return k;
  }
  const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian));
}

interface Buckets {
  /** Highest equivalent value of each non-empty bucket, ms (what HdrHistogram reports for a percentile). */
  highs: Float64Array;
  /** Median equivalent value, ms (for means). */
  mids: Float64Array;
  counts: Float64Array;
}

function decodeBuckets(base64: string): Buckets | undefined {
  const histogram = decodeHistogram(base64) as JsHistogram;
  if (histogram.totalCount === 0) return undefined;
  const highs: number[] = [];
  const mids: number[] = [];
  const counts: number[] = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    highs.push(histogram.highestEquivalentValue(step.valueIteratedTo) / 1000);
    mids.push(histogram.medianEquivalentValue(step.valueIteratedTo) / 1000);
    counts.push(step.countAtValueIteratedTo);
  }
  return { highs: Float64Array.from(highs), mids: Float64Array.from(mids), counts: Float64Array.from(counts) };
}

type Statistic = { kind: 'percentile'; percentile: number } | { kind: 'mean' };

/** Bootstrap replicates of several statistics: one Poisson redraw of the buckets serves them all. */
function replicateStatistics(buckets: Buckets, statistics: readonly Statistic[], seed: number): Float64Array[] {
  const random = seededRandom(seed);
  const out = statistics.map(() => new Float64Array(BOOTSTRAP_REPLICATES));
  const weights = new Float64Array(buckets.counts.length);
  const zeroChances = buckets.counts.map((count) => Math.exp(-count));
  for (let r = 0; r < BOOTSTRAP_REPLICATES; r++) {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      weights[i] = poisson(buckets.counts[i]!, zeroChances[i]!, random);
      total += weights[i]!;
    }
    statistics.forEach((statistic, s) => {
      out[s]![r] = total === 0 ? Number.NaN : statisticOf(buckets, weights, total, statistic);
    });
  }
  return out;
}

function statisticKey(statistic: Statistic): string {
  return statistic.kind === 'mean' ? 'mean' : `p${statistic.percentile}`;
}

function statisticOf(buckets: Buckets, weights: Float64Array, total: number, statistic: Statistic): number {
  if (statistic.kind === 'mean') {
    let sum = 0;
    for (let i = 0; i < weights.length; i++) sum += weights[i]! * buckets.mids[i]!;
    return sum / total;
  }
  // HdrHistogram's rule: the first bucket whose cumulative count reaches the percentile's rank.
  const rank = Math.max(1, Math.floor((statistic.percentile / 100) * total + 0.5));
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i]!;
    if (cumulative >= rank) return buckets.highs[i]!;
  }
  return buckets.highs[buckets.highs.length - 1]!;
}

/** Timeline bootstrap: resample seconds with replacement. */
/**
 * The whole seconds inside the planned window: the drain after it (answers still arriving) and a
 * cut-off last second would read as slow seconds and widen the noise interval.
 */
function fullSeconds(report: Report): TimelinePoint[] {
  return report.timeline.filter((point) => point.t + 1 <= report.settings.durationSec);
}

function replicateTimeline(timeline: TimelinePoint[], of: (seconds: TimelinePoint[]) => number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(BOOTSTRAP_REPLICATES);
  const sample: TimelinePoint[] = new Array<TimelinePoint>(timeline.length);
  for (let r = 0; r < BOOTSTRAP_REPLICATES; r++) {
    for (let i = 0; i < timeline.length; i++) sample[i] = timeline[Math.floor(random() * timeline.length)]!;
    out[r] = of(sample);
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

function intervalFrom(changes: number[], scale: 'relative' | 'absolute', method: NoiseInterval['method']): NoiseInterval | undefined {
  const finite = changes.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length < BOOTSTRAP_REPLICATES / 2) return undefined;
  const low = quantile(finite, (1 - CONFIDENCE) / 2);
  const high = quantile(finite, 1 - (1 - CONFIDENCE) / 2);
  return { scale, low, high, beyond: low > 0 || high < 0, method };
}

/** Noise intervals for the compared metrics; the bootstrap runs once per histogram, for all its statistics. */
export class NoiseEstimator {
  private readonly replicates = new Map<string, Map<string, [Float64Array, Float64Array]> | undefined>();

  constructor(
    private readonly baseline: Report,
    private readonly current: Report,
    private readonly refs: readonly MetricRef[],
  ) {}

  interval(ref: MetricRef): NoiseInterval | undefined {
    switch (ref.kind) {
      case 'percentile':
      case 'token-percentile':
        return this.histogramInterval(histogramSource(ref)!, { kind: 'percentile', percentile: ref.percentile });
      case 'latency':
      case 'token-latency':
        return ref.stat === 'mean' ? this.histogramInterval(histogramSource(ref)!, { kind: 'mean' }) : undefined;
      case 'rps':
        return this.timelineRatio((s) => sum(s, (p) => p.requests) / s.length);
      case 'ok_rps':
        return this.timelineRatio((s) => sum(s, (p) => p.requests - p.errors) / s.length);
      case 'error_rate':
        return this.timelineDifference((s) => {
          const requests = sum(s, (p) => p.requests);
          return requests === 0 ? 0 : sum(s, (p) => p.errors) / requests;
        });
      default:
        return undefined;
    }
  }

  /** Replicates of every histogram statistic the compared metrics need, for one histogram pair. */
  private replicatesFor(source: string): Map<string, [Float64Array, Float64Array]> | undefined {
    if (this.replicates.has(source)) return this.replicates.get(source);
    const before = encodedHistogram(this.baseline, source);
    const after = encodedHistogram(this.current, source);
    const beforeBuckets = before === undefined ? undefined : decodeBuckets(before);
    const afterBuckets = after === undefined ? undefined : decodeBuckets(after);
    let result: Map<string, [Float64Array, Float64Array]> | undefined;
    if (beforeBuckets && afterBuckets) {
      const statistics = this.histogramStatistics(source);
      const a = replicateStatistics(beforeBuckets, statistics, BOOTSTRAP_SEED);
      const b = replicateStatistics(afterBuckets, statistics, BOOTSTRAP_SEED + 1);
      result = new Map(statistics.map((statistic, i) => [statisticKey(statistic), [a[i]!, b[i]!]]));
    }
    this.replicates.set(source, result);
    return result;
  }

  private histogramStatistics(source: string): Statistic[] {
    const statistics: Statistic[] = [];
    for (const ref of this.refs) {
      if (histogramSource(ref) !== source) continue;
      if (ref.kind === 'percentile' || ref.kind === 'token-percentile') statistics.push({ kind: 'percentile', percentile: ref.percentile });
      if ((ref.kind === 'latency' || ref.kind === 'token-latency') && ref.stat === 'mean') statistics.push({ kind: 'mean' });
    }
    return statistics;
  }

  private histogramInterval(source: string, statistic: Statistic): NoiseInterval | undefined {
    const pair = this.replicatesFor(source)?.get(statisticKey(statistic));
    if (!pair) return undefined;
    const [a, b] = pair;
    return intervalFrom(Array.from(a, (x, i) => b[i]! / x - 1), 'relative', 'histogram-bootstrap');
  }

  private timelines(): [TimelinePoint[], TimelinePoint[]] | undefined {
    const a = fullSeconds(this.baseline);
    const b = fullSeconds(this.current);
    if (a.length < MIN_TIMELINE_SECONDS || b.length < MIN_TIMELINE_SECONDS) return undefined;
    return [a, b];
  }

  private timelineRatio(of: (seconds: TimelinePoint[]) => number): NoiseInterval | undefined {
    const pair = this.timelines();
    if (!pair) return undefined;
    const a = replicateTimeline(pair[0], of, BOOTSTRAP_SEED);
    const b = replicateTimeline(pair[1], of, BOOTSTRAP_SEED + 1);
    return intervalFrom(Array.from(a, (x, i) => b[i]! / x - 1), 'relative', 'timeline-bootstrap');
  }

  private timelineDifference(of: (seconds: TimelinePoint[]) => number): NoiseInterval | undefined {
    const pair = this.timelines();
    if (!pair) return undefined;
    const a = replicateTimeline(pair[0], of, BOOTSTRAP_SEED);
    const b = replicateTimeline(pair[1], of, BOOTSTRAP_SEED + 1);
    return intervalFrom(Array.from(a, (x, i) => b[i]! - x), 'absolute', 'timeline-bootstrap');
  }
}

/** Which histogram of a report a latency metric is read from: `histogram`, `histogramUncorrected`, or an `llm.histograms` name. */
function histogramSource(ref: MetricRef): string | undefined {
  switch (ref.kind) {
    case 'latency':
    case 'percentile':
      return ref.corrected ? 'histogram' : 'histogramUncorrected';
    case 'token-latency':
    case 'token-percentile':
      return `llm.${ref.corrected ? ref.metric : `${ref.metric}Uncorrected`}`;
    default:
      return undefined;
  }
}

function encodedHistogram(report: Report, source: string): string | undefined {
  if (source === 'histogram') return report.histogram;
  if (source === 'histogramUncorrected') return report.histogramUncorrected;
  const histograms: Readonly<Record<string, string | undefined>> = report.llm?.histograms ?? {};
  return histograms[source.slice('llm.'.length)];
}

function sum(points: TimelinePoint[], of: (point: TimelinePoint) => number): number {
  let total = 0;
  for (const point of points) total += of(point);
  return total;
}

import hdr from 'hdr-histogram-js';
import { LATENCY_PERCENTILES, type LatencySummary, type SendLagSummary } from './result.js';

export type Histogram = hdr.Histogram;

/** Latencies are recorded in microseconds from 1 us to 1 hour with 3 significant digits. */
const LOWEST_US = 1;
const HIGHEST_US = 3_600_000_000;

export function createLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 64,
    useWebAssembly: false,
  });
}

/** Records a latency in ms, clamped into the trackable range so nothing is ever dropped. */
export function recordLatencyMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(us < LOWEST_US ? LOWEST_US : us > HIGHEST_US ? HIGHEST_US : us);
}

/** Records a send lag in ms; 0 (on time) is kept as 0, so the share of sends that left on time shows. */
export function recordLagMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(us <= 0 ? 0 : us > HIGHEST_US ? HIGHEST_US : us);
}

/** The parts of hdr-histogram-js's JsHistogram that walk its buckets (public methods, not in its Histogram interface). */
interface BucketAccess {
  countsArrayLength: number;
  minNonZeroValue: number;
  maxValue: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
}

/**
 * The non-empty buckets of `histogram` as pairs [value, count, value, count, ...], each value the
 * highest one its bucket holds (the value HdrHistogram reports for it). Costs one pass over the
 * recorded range and no compression, so a worker can hand a second over without a pause;
 * `addBuckets` rebuilds exactly the same buckets.
 */
export function histogramBuckets(histogram: Histogram): Float64Array {
  const access = histogram as unknown as BucketAccess;
  const pairs: number[] = [];
  const zeros = access.getCountAtIndex(0);
  if (zeros > 0) pairs.push(0, zeros);
  if (access.maxValue > 0) {
    const last = Math.min(access.countsArrayIndex(access.maxValue), access.countsArrayLength - 1);
    for (let index = access.countsArrayIndex(access.minNonZeroValue); index <= last; index++) {
      const count = access.getCountAtIndex(index);
      if (count > 0) pairs.push(access.highestEquivalentValue(access.valueFromIndex(index)), count);
    }
  }
  return Float64Array.from(pairs);
}

/** Adds the buckets `histogramBuckets` gave (from a histogram of the same range and precision). */
export function addBuckets(histogram: Histogram, pairs: Float64Array): void {
  for (let i = 0; i < pairs.length; i += 2) histogram.recordValueWithCount(pairs[i]!, pairs[i + 1]!);
}

/** HdrHistogram V2 compressed, base64: the format other HdrHistogram tools read. */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  // Sized to the full range, not just what was recorded, so merging into it never overflows.
  return hdr.decodeFromCompressedBase64(encoded, 64, false, HIGHEST_US);
}

/** Summary in ms; empty when nothing was recorded (a run with only errors has no latency). */
export function summarizeHistogram(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0) return {};
  const summary: LatencySummary = {
    min: toMs(histogram.minNonZeroValue),
    mean: toMs(histogram.mean),
    stdev: toMs(histogram.stdDeviation),
  };
  for (const { key, percent } of LATENCY_PERCENTILES) summary[key] = toMs(histogram.getValueAtPercentile(percent));
  summary.max = toMs(histogram.maxValue);
  return summary;
}

/** The send lag's summary in ms; undefined when no planned send was made. */
export function summarizeSendLag(histogram: Histogram): SendLagSummary | undefined {
  if (histogram.totalCount === 0) return undefined;
  return {
    p50: toMs(histogram.getValueAtPercentile(50)),
    p90: toMs(histogram.getValueAtPercentile(90)),
    p99: toMs(histogram.getValueAtPercentile(99)),
    p999: toMs(histogram.getValueAtPercentile(99.9)),
    max: toMs(histogram.maxValue),
  };
}

function toMs(us: number): number {
  return Math.round(us) / 1000;
}

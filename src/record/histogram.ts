import hdr from 'hdr-histogram-js';
import { LATENCY_PERCENTILES, type LatencySummary } from './result.js';

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

function toMs(us: number): number {
  return Math.round(us) / 1000;
}

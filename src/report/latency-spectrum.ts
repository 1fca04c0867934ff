import { decodeHistogram } from '../record/histogram.js';
import { LATENCY_PERCENTILES, type LatencySummary } from '../record/result.js';
import { TAIL_CAP } from './html-charts.js';

/** The latency percentile spectrum the HTML report draws: [percentile, ms] points along the tail. */

export type SpectrumPoint = [number, number];

/** Percentile -> latency (ms) at 20 points per decade of the tail, up to the last percentile the sample resolves. */
export function spectrumFromHistogram(base64: string): SpectrumPoint[] {
  const histogram = decodeHistogram(base64);
  const n = histogram.totalCount;
  if (n === 0) return [];
  const last = Math.min(Math.log10(n), TAIL_CAP);
  const points: SpectrumPoint[] = [];
  for (let k = 0; k / 20 < last; k++) {
    const p = 100 * (1 - 10 ** (-k / 20));
    points.push([p, histogram.getValueAtPercentile(p) / 1000]);
  }
  points.push([100 * (1 - 10 ** -last), histogram.maxValue / 1000]);
  return points;
}

/** A summary's points on the spectrum: its percentiles, with min standing at 0. */
const SUMMARY_PERCENTILES: readonly { key: keyof LatencySummary; percent: number }[] = [{ key: 'min', percent: 0 }, ...LATENCY_PERCENTILES];

export function spectrumFromSummary(summary: LatencySummary): SpectrumPoint[] {
  return SUMMARY_PERCENTILES.filter(({ key }) => summary[key] !== undefined).map(({ key, percent }) => [percent, summary[key]!]);
}

import { formatBytes, formatCount, formatMs, formatNumber, formatRps, formatShare } from './format.js';
import type { MetricRef } from '../judge/metrics.js';

export function isPercentUnit(unit: string): boolean {
  return unit === '%' || unit.toLowerCase() === 'percent';
}

/** A value of `ref` in its base unit, as people read it. */
export function formatMetricValue(ref: MetricRef, value: number, resourceUnit?: string): string {
  switch (ref.kind) {
    case 'latency':
    case 'percentile':
    case 'token-latency':
    case 'token-percentile':
      return formatMs(value);
    case 'output_tps':
      return `${formatNumber(value, 4)} tokens/s`;
    case 'goodput':
      return formatShare(value);
    case 'goodput_rps':
      return formatRps(value);
    case 'rps':
    case 'ok_rps':
      return formatRps(value);
    case 'error_rate':
    case 'availability':
      return formatShare(value);
    case 'downtime':
      return `${formatNumber(value / 1000)} s`;
    case 'errors':
    case 'requests':
      return formatCount(value);
    case 'resource':
      return formatResourceValue(value, resourceUnit);
  }
}

/** A monitor's value in its own unit; bytes get binary prefixes. `withUnit` false gives axis ticks. */
export function formatResourceValue(value: number, unit: string | undefined, withUnit = true): string {
  if (unit === 'bytes') return formatBytes(value);
  const number = formatNumber(value, 4);
  if (!withUnit || unit === undefined || unit === '' || unit === 'count') return number;
  return isPercentUnit(unit) ? `${number}%` : `${number} ${unit}`;
}

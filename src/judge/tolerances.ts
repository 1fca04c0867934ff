import { SettingsError } from '../core/errors.js';
import { indexTopLevel, parseMetricName, splitTopLevel, type MetricRef } from './metrics.js';

export interface Tolerance {
  /** relative: allowed worsening as a share of the baseline; absolute: in the metric's base unit. */
  kind: 'relative' | 'absolute';
  value: number;
  /** As written, e.g. "10%". */
  text: string;
}

/** Canonical metric name -> tolerance, or 'off' to show the metric without gating on it. */
export type Tolerances = Record<string, Tolerance | 'off'>;

/** Gated unless overridden. error_rate's tolerance is in percentage points: a relative rise from 0% means nothing. */
export const DEFAULT_TOLERANCES: Readonly<Tolerances> = {
  p50: { kind: 'relative', value: 0.1, text: '10%' },
  p90: { kind: 'relative', value: 0.1, text: '10%' },
  p99: { kind: 'relative', value: 0.1, text: '10%' },
  mean: { kind: 'relative', value: 0.1, text: '10%' },
  rps: { kind: 'relative', value: 0.1, text: '10%' },
  error_rate: { kind: 'absolute', value: 0.001, text: '0.1%' },
};

/**
 * Parses "p99=10%, p50=5ms, error_rate=0.5%, max=off". "%" is relative to the baseline except for
 * error_rate, where it is percentage points; a value with a unit (ms, s, us, rps) or a bare count is absolute.
 */
export function parseTolerances(text: string, field = '--max-regression'): Tolerances {
  const tolerances: Tolerances = {};
  for (const part of splitTopLevel(text, ',')) {
    const context = `${field} "${part}"`;
    const at = indexTopLevel(part, '=');
    const name = at > 0 ? part.slice(0, at).trim() : '';
    const raw = at > 0 ? part.slice(at + 1).trim().toLowerCase() : '';
    if (name === '' || raw === '') throw new SettingsError(`${context}: expected <metric>=<tolerance>, e.g. "p99=10%" or "p99=5ms" or "max=off"`);
    const { metric, ref } = parseMetricName(name, context);
    tolerances[metric] = raw === 'off' ? 'off' : parseTolerance(ref, raw, context);
  }
  return tolerances;
}

function parseTolerance(ref: MetricRef, raw: string, context: string): Tolerance {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zµ%]*)$/.exec(raw);
  if (!match) throw new SettingsError(`${context}: expected a non-negative number with %, ms, s, us or rps, or "off"`);
  const value = Number(match[1]);
  const unit = match[2]!;
  const text = `${match[1]}${unit}`;
  if (ref.kind === 'error_rate' || ref.kind === 'goodput') {
    if (unit !== '%') throw new SettingsError(`${context}: ${ref.kind}'s tolerance is in percentage points, e.g. "${ref.kind}=0.5%"`);
    return { kind: 'absolute', value: value / 100, text };
  }
  if (unit === '%') return { kind: 'relative', value: value / 100, text };
  const timeUnits: Record<string, number> = { ms: 1, s: 1000, us: 0.001, 'µs': 0.001 };
  if (ref.kind === 'latency' || ref.kind === 'percentile' || ref.kind === 'token-latency' || ref.kind === 'token-percentile') {
    const factor = timeUnits[unit];
    if (factor === undefined) throw new SettingsError(`${context}: a latency tolerance is a % or a time (ms, s, us), e.g. "p99=10%"`);
    return { kind: 'absolute', value: value * factor, text };
  }
  if ((ref.kind === 'rps' || ref.kind === 'ok_rps' || ref.kind === 'goodput_rps') && (unit === '' || unit === 'rps')) return { kind: 'absolute', value, text };
  if (unit === '') return { kind: 'absolute', value, text };
  throw new SettingsError(`${context}: unit "${unit}" does not fit ${ref.kind}; use a % or a bare number`);
}

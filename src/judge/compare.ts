import type { Report } from '../report/report.js';
import { formatDelta, formatInterval } from '../report/comparison-format.js';
import { formatMetricValue } from '../report/metric-format.js';
import { NoiseEstimator } from './bootstrap.js';
import type { Comparison, Direction, MetricComparison, ReportIdentity } from './comparison.js';
import { parseMetricName, readMetric, type MetricRef } from './metrics.js';
import { DEFAULT_TOLERANCES, type Tolerance, type Tolerances } from './tolerances.js';
import { redactUrl } from '../core/redact.js';

/**
 * Baseline comparison: per-metric deltas, judged against tolerances (./tolerances.ts) and against
 * noise (./bootstrap.ts, which says why a bootstrap).
 */


/** Compared by default; those without a default tolerance (p999, max) are shown for context, not gated. */
const DEFAULT_ORDER = ['p50', 'p90', 'p99', 'p999', 'max', 'mean', 'rps', 'error_rate'];
/** Shown for context when both runs measured tokens; gated only when a tolerance names them. */
const TOKEN_ORDER = ['ttft.p50', 'ttft.p99', 'itl.p99', 'tpot.p50', 'output_tps', 'goodput'];

function directionOf(ref: MetricRef): Direction {
  const lowerIsWorse: readonly MetricRef['kind'][] = ['rps', 'ok_rps', 'requests', 'output_tps', 'goodput', 'goodput_rps'];
  return lowerIsWorse.includes(ref.kind) ? 'lower-is-worse' : 'higher-is-worse';
}

export function compareReports(baseline: Report, current: Report, tolerances: Tolerances = {}): Comparison {
  const merged: Tolerances = { ...DEFAULT_TOLERANCES, ...tolerances };
  const defaults = baseline.llm && current.llm ? [...DEFAULT_ORDER, ...TOKEN_ORDER] : DEFAULT_ORDER;
  const names = [...defaults, ...Object.keys(tolerances).filter((name) => !defaults.includes(name))];
  const refs = names.map((name) => parseMetricName(name, 'compare').ref);
  const noise = new NoiseEstimator(baseline, current, refs);
  const metrics: MetricComparison[] = [];
  for (const [index, name] of names.entries()) {
    const ref = refs[index]!;
    const requested = name in tolerances;
    const tolerance = merged[name];
    const row = compareMetric(name, ref, baseline, current, tolerance === 'off' ? undefined : tolerance, noise, requested);
    if (row) metrics.push(row);
  }
  const invalid = [
    ...(baseline.validity.valid ? [] : [`baseline run invalid: ${baseline.validity.reasons.join('; ') || 'no reason given'}`]),
    ...(current.validity.valid ? [] : [`current run invalid: ${current.validity.reasons.join('; ') || 'no reason given'}`]),
  ];
  return {
    baseline: identity(baseline),
    current: identity(current),
    metrics,
    invalid,
    notes: settingsDifferences(baseline, current),
    regression: metrics.some((m) => m.failed),
  };
}

function identity(report: Report): ReportIdentity {
  return { url: redactUrl(report.target.url), tool: report.tool, startTime: report.startTime, valid: report.validity.valid };
}

function compareMetric(
  metric: string,
  ref: MetricRef,
  baseline: Report,
  current: Report,
  tolerance: Tolerance | undefined,
  noise: NoiseEstimator,
  requested: boolean,
): MetricComparison | undefined {
  const direction = directionOf(ref);
  const before = readMetric(baseline, ref);
  const after = readMetric(current, ref);
  if ('missing' in before || 'missing' in after) {
    // A default metric neither report has is left out; one the user asked for is reported.
    if ('missing' in before && 'missing' in after && !requested) return undefined;
    const which = 'missing' in before ? `baseline: ${before.missing}` : `current: ${(after as { missing: string }).missing}`;
    return {
      metric,
      direction,
      ...('missing' in before ? {} : { baseline: before.value }),
      ...('missing' in after ? {} : { current: after.value }),
      verdict: 'missing',
      failed: requested,
      message: `${metric}: not comparable (${which})`,
    };
  }
  const resourceUnit = before.resourceUnit ?? after.resourceUnit;
  const delta = after.value - before.value;
  const relative = before.value === 0 ? undefined : delta / before.value;
  const interval = noise.interval(ref);
  const row: MetricComparison = {
    metric,
    direction,
    baseline: before.value,
    current: after.value,
    delta,
    ...(relative === undefined ? {} : { relative }),
    ...(tolerance ? { tolerance } : {}),
    ...(interval ? { noise: interval } : {}),
    ...(resourceUnit === undefined ? {} : { resourceUnit }),
    verdict: 'ok',
    failed: false,
    message: '',
  };
  judge(row, ref);
  return row;
}

function judge(row: MetricComparison, ref: MetricRef): void {
  const worse = row.direction === 'higher-is-worse' ? row.delta! : -row.delta!;
  const change = describeChange(row, ref);
  const noiseText = row.noise ? ` (99% CI ${formatInterval(row.noise, ref, row.resourceUnit)})` : '';
  if (!row.tolerance) {
    row.verdict = 'info';
    row.message = `${row.metric} ${change}${noiseText}; not gated`;
    return;
  }
  const limit = row.tolerance;
  const exceeds = (amount: number): boolean => {
    if (limit.kind === 'absolute') return amount > limit.value;
    if (row.baseline === 0) return amount > 0;
    return amount / Math.abs(row.baseline!) > limit.value;
  };
  const beyondNoise = row.noise ? row.noise.beyond : true;
  if (exceeds(worse)) {
    if (!beyondNoise) {
      row.verdict = 'within-noise';
      row.message = `${row.metric} ${change} is over the ${limit.text} tolerance but within noise${noiseText}`;
    } else {
      row.verdict = 'regression';
      row.failed = true;
      row.message = `${row.metric} ${change}, over the ${limit.text} tolerance${noiseText}`;
    }
  } else if (exceeds(-worse) && beyondNoise) {
    row.verdict = 'improvement';
    row.message = `${row.metric} ${change}${noiseText}: better`;
  } else {
    row.verdict = 'ok';
    row.message = `${row.metric} ${change}, within the ${limit.text} tolerance${noiseText}`;
  }
}

function describeChange(row: MetricComparison, ref: MetricRef): string {
  const from = formatMetricValue(ref, row.baseline!, row.resourceUnit);
  const to = formatMetricValue(ref, row.current!, row.resourceUnit);
  return `${from} -> ${to} (${formatDelta(row, ref)})`;
}

function settingsDifferences(baseline: Report, current: Report): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['tool', baseline.tool, current.tool],
    ['engine', baseline.engine.name, current.engine.name],
    ['url', redactUrl(baseline.target.url), redactUrl(current.target.url)],
    ['method', baseline.target.method, current.target.method],
    ['connections', baseline.settings.connections, current.settings.connections],
    ['threads', baseline.settings.threads, current.settings.threads],
    ['rate', baseline.settings.rate, current.settings.rate],
    ['clients', baseline.settings.clients, current.settings.clients],
    ['duration', baseline.settings.durationSec, current.settings.durationSec],
    ['payload', baseline.settings.payload.origin, current.settings.payload.origin],
  ];
  const differing = pairs.filter(([, a, b]) => a !== b).map(([name, a, b]) => `${name}: ${String(a)} -> ${String(b)}`);
  const notes = differing.length === 0 ? [] : [`settings differ (${differing.join(', ')}): the runs may not be like for like`];
  if (baseline.histogram === undefined || current.histogram === undefined) {
    notes.push('latency noise not estimated: a report has no histogram, so latency deltas are raw');
  }
  return notes;
}


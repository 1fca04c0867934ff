import type { Comparison, MetricComparison, MetricVerdict } from '../judge/comparison.js';
import type { NoiseInterval } from '../judge/bootstrap.js';
import { parseMetricName, type MetricRef } from '../judge/metrics.js';
import { formatChange, formatNumber } from './format.js';
import { formatMetricValue } from './metric-format.js';

/** "+5.1 ms, +49%" or, for error_rate, the change in percentage points. */
export function formatDelta(row: MetricComparison, ref?: MetricRef): string {
  if (row.delta === undefined) return 'n/a';
  const metricRef = ref ?? parseMetricName(row.metric, 'compare').ref;
  if (metricRef.kind === 'error_rate' || metricRef.kind === 'goodput') return `${row.delta > 0 ? '+' : ''}${formatNumber(row.delta * 100)} pp`;
  const sign = row.delta > 0 ? '+' : row.delta < 0 ? '-' : '';
  const absolute = sign + formatMetricValue(metricRef, Math.abs(row.delta), row.resourceUnit);
  return row.relative === undefined ? absolute : `${absolute}, ${formatChange(row.relative)}`;
}

export function formatInterval(noise: NoiseInterval, ref?: MetricRef, resourceUnit?: string): string {
  if (noise.scale === 'relative') return `${formatChange(noise.low)}..${formatChange(noise.high)}`;
  if (ref?.kind === 'error_rate' || ref?.kind === 'goodput') return `${formatNumber(noise.low * 100)}..${formatNumber(noise.high * 100)} pp`;
  return ref ? `${formatMetricValue(ref, noise.low, resourceUnit)}..${formatMetricValue(ref, noise.high, resourceUnit)}` : `${noise.low}..${noise.high}`;
}

const VERDICT_LABELS: Record<MetricVerdict, string> = {
  ok: 'ok',
  regression: 'REGRESSION',
  improvement: 'improved',
  'within-noise': 'within noise',
  info: '-',
  missing: 'missing',
  'not-comparable': 'not comparable',
  'not-judged': 'not judged',
};

export interface ComparisonNames {
  baseline: string;
  current: string;
}

/** The comparison as an aligned text table (console) or a Markdown table (job summaries). */
export function formatComparison(comparison: Comparison, names: ComparisonNames, format: 'text' | 'markdown' = 'text'): string {
  const header = ['metric', 'baseline', 'current', 'change', 'noise (99% CI)', 'tolerance', 'verdict'];
  const rows = comparison.metrics.map((m) => {
    const { ref } = parseMetricName(m.metric, 'compare');
    return [
      m.metric,
      m.baseline === undefined ? 'n/a' : formatMetricValue(ref, m.baseline, m.resourceUnit),
      m.current === undefined ? 'n/a' : formatMetricValue(ref, m.current, m.resourceUnit),
      formatDelta(m, ref),
      m.noise ? formatInterval(m.noise, ref, m.resourceUnit) : 'n/a',
      m.tolerance ? m.tolerance.text : 'not gated',
      VERDICT_LABELS[m.verdict],
    ];
  });
  const outcome = comparisonOutcome(comparison);
  const lines: string[] = [];
  if (format === 'markdown') {
    lines.push(`### modelprof compare: ${outcome}`, '');
    lines.push(`Baseline \`${markdownCode(names.baseline)}\` (${comparison.baseline.startTime}) vs current \`${markdownCode(names.current)}\` (${comparison.current.startTime})`, '');
    lines.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const row of rows) lines.push(`| ${row.map(markdownCell).join(' | ')} |`);
    for (const note of [...comparison.invalid, ...comparison.unlike, ...comparison.notJudged, ...comparison.notes]) lines.push('', `> ${markdownCell(note)}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`modelprof compare: ${names.baseline} -> ${names.current}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push(line(header), ...rows.map(line));
  for (const note of [...comparison.invalid, ...comparison.unlike, ...comparison.notJudged, ...comparison.notes]) lines.push(`note: ${note}`);
  lines.push(`result: ${outcome}`);
  return `${lines.join('\n')}\n`;
}

/** The comparison's one verdict in words, read by the console, the job summary and JUnit alike. */
export function comparisonOutcome(comparison: Comparison): string {
  switch (comparison.verdict) {
    case 'not-comparable':
      return `not comparable: ${comparison.unlike.map((reason) => reason.replace(/^not like with like: /, '')).join('; ')}`;
    case 'no-verdict':
      return `no verdict: ${comparison.invalid.join('; ')}`;
    case 'regression':
      return `regression in ${comparison.metrics.filter((m) => m.failed).map((m) => m.metric).join(', ')}`;
    case 'not-judged':
      return `not judged: no regression on the figures the generator's lag cannot change, but ${comparison.notJudged.join('; ')}`;
    case 'no-regression':
      return 'no regression';
  }
}

function markdownCell(text: string): string {
  return text.replace(/[\\|<>&*_`[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function markdownCode(text: string): string {
  return text.replace(/`/g, "'");
}

import hdr from 'hdr-histogram-js';
import { SettingsError } from '../core/errors.js';
import type { TimelinePoint } from '../record/result.js';
import { seededRandom } from '../seeded-random.js';
import type { Report } from '../report/report.js';
import { formatMetricValue, indexTopLevel, parseMetricName, readMetric, splitTopLevel, type MetricRef } from './sla.js';
import { formatChange, formatNumber, displayUrl } from '../report/format.js';

/**
 * Baseline comparison: per-metric deltas, judged against tolerances and against noise.
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

export type Direction = 'higher-is-worse' | 'lower-is-worse';

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

/** Compared by default; those without a default tolerance (p999, max) are shown for context, not gated. */
const DEFAULT_ORDER = ['p50', 'p90', 'p99', 'p999', 'max', 'mean', 'rps', 'error_rate'];

export type MetricVerdict = 'ok' | 'regression' | 'improvement' | 'within-noise' | 'info' | 'missing';

export interface NoiseInterval {
  /** 99% interval of the change: relative (share) for ratio statistics, absolute for error_rate. */
  scale: 'relative' | 'absolute';
  low: number;
  high: number;
  /** The interval excludes "no change". */
  beyond: boolean;
  method: 'histogram-bootstrap' | 'timeline-bootstrap';
}

export interface MetricComparison {
  metric: string;
  direction: Direction;
  baseline?: number;
  current?: number;
  /** current - baseline, in the metric's base unit. */
  delta?: number;
  /** delta / baseline; absent when the baseline is 0. */
  relative?: number;
  tolerance?: Tolerance;
  noise?: NoiseInterval;
  verdict: MetricVerdict;
  /** Counts toward exit code 1. */
  failed: boolean;
  message: string;
  /** Unit of monitor metrics, for formatting. */
  resourceUnit?: string;
}

export interface ReportIdentity {
  url: string;
  tool: string;
  startTime: string;
  valid: boolean;
}

export interface Comparison {
  baseline: ReportIdentity;
  current: ReportIdentity;
  metrics: MetricComparison[];
  /** Why no verdict can be given (a run was invalid); empty when both are valid. */
  invalid: string[];
  /** Settings that differ between the runs, and other caveats. */
  notes: string[];
  regression: boolean;
}

const BOOTSTRAP_REPLICATES = 1000;
/** Two-sided: a CI gate should cry wolf rarely, and several metrics are judged at once. */
const CONFIDENCE = 0.99;
const BOOTSTRAP_SEED = 0x5eed;
const MIN_TIMELINE_SECONDS = 5;

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
  if (ref.kind === 'error_rate') {
    if (unit !== '%') throw new SettingsError(`${context}: error_rate's tolerance is in percentage points, e.g. "error_rate=0.5%"`);
    return { kind: 'absolute', value: value / 100, text };
  }
  if (unit === '%') return { kind: 'relative', value: value / 100, text };
  const timeUnits: Record<string, number> = { ms: 1, s: 1000, us: 0.001, 'µs': 0.001 };
  if (ref.kind === 'latency' || ref.kind === 'percentile') {
    const factor = timeUnits[unit];
    if (factor === undefined) throw new SettingsError(`${context}: a latency tolerance is a % or a time (ms, s, us), e.g. "p99=10%"`);
    return { kind: 'absolute', value: value * factor, text };
  }
  if ((ref.kind === 'rps' || ref.kind === 'ok_rps') && (unit === '' || unit === 'rps')) return { kind: 'absolute', value, text };
  if (unit === '') return { kind: 'absolute', value, text };
  throw new SettingsError(`${context}: unit "${unit}" does not fit ${ref.kind}; use a % or a bare number`);
}

function directionOf(ref: MetricRef): Direction {
  return ref.kind === 'rps' || ref.kind === 'ok_rps' || ref.kind === 'requests' ? 'lower-is-worse' : 'higher-is-worse';
}

export function compareReports(baseline: Report, current: Report, tolerances: Tolerances = {}): Comparison {
  const merged: Tolerances = { ...DEFAULT_TOLERANCES, ...tolerances };
  const names = [...DEFAULT_ORDER, ...Object.keys(tolerances).filter((name) => !DEFAULT_ORDER.includes(name))];
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
  return { url: displayUrl(report.target.url), tool: report.tool, startTime: report.startTime, valid: report.validity.valid };
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

/** "+5.1 ms, +49%" or, for error_rate, the change in percentage points. */
export function formatDelta(row: MetricComparison, ref?: MetricRef): string {
  if (row.delta === undefined) return 'n/a';
  const metricRef = ref ?? parseMetricName(row.metric, 'compare').ref;
  if (metricRef.kind === 'error_rate') return `${row.delta > 0 ? '+' : ''}${formatNumber(row.delta * 100)} pp`;
  const sign = row.delta > 0 ? '+' : row.delta < 0 ? '-' : '';
  const absolute = sign + formatMetricValue(metricRef, Math.abs(row.delta), row.resourceUnit);
  return row.relative === undefined ? absolute : `${absolute}, ${formatChange(row.relative)}`;
}

export function formatInterval(noise: NoiseInterval, ref?: MetricRef, resourceUnit?: string): string {
  if (noise.scale === 'relative') return `${formatChange(noise.low)}..${formatChange(noise.high)}`;
  if (ref?.kind === 'error_rate') return `${formatNumber(noise.low * 100)}..${formatNumber(noise.high * 100)} pp`;
  return ref ? `${formatMetricValue(ref, noise.low, resourceUnit)}..${formatMetricValue(ref, noise.high, resourceUnit)}` : `${noise.low}..${noise.high}`;
}

function settingsDifferences(baseline: Report, current: Report): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['tool', baseline.tool, current.tool],
    ['engine', baseline.engine.name, current.engine.name],
    ['url', displayUrl(baseline.target.url), displayUrl(current.target.url)],
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

const VERDICT_LABELS: Record<MetricVerdict, string> = {
  ok: 'ok',
  regression: 'REGRESSION',
  improvement: 'improved',
  'within-noise': 'within noise',
  info: '-',
  missing: 'missing',
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
    for (const note of [...comparison.invalid, ...comparison.notes]) lines.push('', `> ${markdownCell(note)}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`modelprof compare: ${names.baseline} -> ${names.current}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push(line(header), ...rows.map(line));
  for (const note of [...comparison.invalid, ...comparison.notes]) lines.push(`note: ${note}`);
  lines.push(`result: ${outcome}`);
  return `${lines.join('\n')}\n`;
}

export function comparisonOutcome(comparison: Comparison): string {
  if (comparison.invalid.length > 0) return 'no verdict, a run was invalid';
  const failed = comparison.metrics.filter((m) => m.failed).map((m) => m.metric);
  if (failed.length > 0) return `regression in ${failed.join(', ')}`;
  return 'no regression';
}

function markdownCell(text: string): string {
  return text.replace(/[\\|<>&*_`[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function markdownCode(text: string): string {
  return text.replace(/`/g, "'");
}

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
  const histogram = hdr.decodeFromCompressedBase64(base64, 32) as hdr.JsHistogram;
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
class NoiseEstimator {
  private readonly replicates = new Map<string, Map<string, [Float64Array, Float64Array]> | undefined>();

  constructor(
    private readonly baseline: Report,
    private readonly current: Report,
    private readonly refs: readonly MetricRef[],
  ) {}

  interval(ref: MetricRef): NoiseInterval | undefined {
    switch (ref.kind) {
      case 'percentile':
        return this.histogramInterval(ref.corrected, { kind: 'percentile', percentile: ref.percentile });
      case 'latency':
        return ref.stat === 'mean' ? this.histogramInterval(ref.corrected, { kind: 'mean' }) : undefined;
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
  private replicatesFor(corrected: boolean): Map<string, [Float64Array, Float64Array]> | undefined {
    const key = String(corrected);
    if (this.replicates.has(key)) return this.replicates.get(key);
    const encoded = (report: Report): string | undefined => (corrected ? report.histogram : report.histogramUncorrected);
    const before = encoded(this.baseline);
    const after = encoded(this.current);
    const beforeBuckets = before === undefined ? undefined : decodeBuckets(before);
    const afterBuckets = after === undefined ? undefined : decodeBuckets(after);
    let result: Map<string, [Float64Array, Float64Array]> | undefined;
    if (beforeBuckets && afterBuckets) {
      const statistics = this.histogramStatistics(corrected);
      const a = replicateStatistics(beforeBuckets, statistics, BOOTSTRAP_SEED);
      const b = replicateStatistics(afterBuckets, statistics, BOOTSTRAP_SEED + 1);
      result = new Map(statistics.map((statistic, i) => [statisticKey(statistic), [a[i]!, b[i]!]]));
    }
    this.replicates.set(key, result);
    return result;
  }

  private histogramStatistics(corrected: boolean): Statistic[] {
    const statistics: Statistic[] = [];
    for (const ref of this.refs) {
      if (ref.kind === 'percentile' && ref.corrected === corrected) statistics.push({ kind: 'percentile', percentile: ref.percentile });
      if (ref.kind === 'latency' && ref.stat === 'mean' && ref.corrected === corrected) statistics.push({ kind: 'mean' });
    }
    return statistics;
  }

  private histogramInterval(corrected: boolean, statistic: Statistic): NoiseInterval | undefined {
    const pair = this.replicatesFor(corrected)?.get(statisticKey(statistic));
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

function sum(points: TimelinePoint[], of: (point: TimelinePoint) => number): number {
  let total = 0;
  for (const point of points) total += of(point);
  return total;
}

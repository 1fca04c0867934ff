import hdr from 'hdr-histogram-js';
import { SettingsError } from '../core/errors.js';
import type { ResourceMetric } from '../monitors/resources.js';
import { LATENCY_PERCENTILES, type LatencySummary } from '../record/result.js';
import type { Report } from '../report/report.js';
import { formatBytes, formatCount, formatMs, formatNumber, formatRps, formatShare } from '../report/format.js';

/**
 * SLA expressions ("p99<=200ms, error_rate<0.1%, rps>=100") and their verdict on a report.
 * The metric names here are also the names `compare` takes tolerances for.
 */

export const OPERATORS = ['<', '<=', '>', '>=', '='] as const;
export type Operator = (typeof OPERATORS)[number];

export type LatencyStat = 'min' | 'max' | 'mean' | 'stdev';
export type ResourceStat = 'avg' | 'p50' | 'max' | 'min';
const RESOURCE_STATS: readonly ResourceStat[] = ['avg', 'p50', 'max', 'min'];

/** What a metric name points at in a report. */
export type MetricRef =
  | { kind: 'latency'; corrected: boolean; stat: LatencyStat }
  | { kind: 'percentile'; corrected: boolean; percentile: number }
  | { kind: 'rps' | 'ok_rps' | 'error_rate' | 'errors' | 'requests' }
  | { kind: 'resource'; name: string; stat: ResourceStat };

export interface SlaClause {
  /** The clause as written, trimmed. */
  text: string;
  /** Canonical metric name, e.g. "p999" for "p99.9", "uncorrected.p99", "process.cpu_percent.max". */
  metric: string;
  ref: MetricRef;
  op: Operator;
  /** In the metric's base unit: ms for latency, a share (0..1) for error_rate, the monitor's own unit for resources. */
  threshold: number;
  /** The unit as written ("ms", "%", "" when none). */
  unit: string;
  /** The threshold as written, spaced: "200 ms", "0.1%", "1.5 s"; "" for counts and bare numbers. */
  limitText: string;
}

export interface SlaResult {
  clause: SlaClause;
  /** The report's value, in the clause's base unit; absent when the report lacks the metric. */
  actual?: number;
  /** The monitor's unit, for resource metrics. */
  resourceUnit?: string;
  pass: boolean;
  /** One line: the value against the limit, or why there is no value. */
  message: string;
}

export interface SlaVerdict {
  pass: boolean;
  results: SlaResult[];
}

/**
 * `cpu.<stat>` is a short alias for CPU as a share of the whole machine: the watched process's
 * (process.cpu_machine_percent) when a process monitor ran, else the host's (host.cpu_percent), so
 * "cpu.max<90%" means the same either way. process.cpu_percent (% of one core) is there by its full name.
 */
export const CPU_ALIAS_TARGETS = ['process.cpu_machine_percent', 'host.cpu_percent'] as const;

/** Percentiles a summary holds as fields; p100 is the maximum. */
const PERCENTILE_FIELDS: ReadonlyMap<number, keyof LatencySummary> = new Map([
  ...LATENCY_PERCENTILES.map(({ percent, key }): [number, keyof LatencySummary] => [percent, key]),
  [100, 'max'],
]);

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, us: 0.001, 'µs': 0.001 };

const KNOWN_METRICS =
  'p50..p9999 (e.g. p99, p99.9), min, max, mean, stdev, latency.<stat>, uncorrected.<stat>, rps, ok_rps, ' +
  'error_rate, errors, requests, or a monitor metric <name>.<avg|p50|max|min> (e.g. cpu.max)';

/** Parses one metric name; `context` prefixes the error (e.g. `--sla clause "p99x<1ms"`). */
export function parseMetricName(name: string, context: string): { metric: string; ref: MetricRef } {
  const lower = name.toLowerCase();
  const simple = ['rps', 'ok_rps', 'error_rate', 'errors', 'requests'] as const;
  const plain = simple.find((m) => m === lower);
  if (plain) return { metric: plain, ref: { kind: plain } };

  let corrected = true;
  let rest = lower;
  if (rest.startsWith('latency.')) rest = rest.slice('latency.'.length);
  else if (rest.startsWith('uncorrected.')) {
    corrected = false;
    rest = rest.slice('uncorrected.'.length);
  }
  const prefix = corrected ? '' : 'uncorrected.';
  if (rest === 'min' || rest === 'max' || rest === 'mean' || rest === 'stdev') {
    return { metric: prefix + rest, ref: { kind: 'latency', corrected, stat: rest } };
  }
  const percentileMatch = /^p(\d+(?:\.\d+)?)$/.exec(rest);
  if (percentileMatch) {
    const percentile = parsePercentile(percentileMatch[1]!);
    if (!(percentile > 0 && percentile <= 100)) {
      throw new SettingsError(`${context}: percentile "${name}" is out of range; expected p1..p100, e.g. p99 or p99.9`);
    }
    return { metric: prefix + percentileName(percentile), ref: { kind: 'percentile', corrected, percentile } };
  }
  if (rest !== lower) {
    throw new SettingsError(`${context}: unknown latency statistic "${name}"; expected ${prefix || 'latency.'}p99, min, max, mean or stdev`);
  }

  const dot = name.lastIndexOf('.');
  if (dot > 0 && /^[A-Za-z_]/.test(name)) {
    const stat = name.slice(dot + 1).toLowerCase();
    if ((RESOURCE_STATS as readonly string[]).includes(stat)) {
      const metricName = name.slice(0, dot);
      return { metric: `${metricName}.${stat}`, ref: { kind: 'resource', name: metricName, stat: stat as ResourceStat } };
    }
    throw new SettingsError(`${context}: monitor metric "${name}" needs a statistic: .avg, .p50, .max or .min`);
  }
  throw new SettingsError(`${context}: unknown metric "${name}"; expected ${KNOWN_METRICS}`);
}

/** "999" -> 99.9, "99" -> 99, "5" -> 5, "100" -> 100, "99.5" -> 99.5 (the digits after "p"). */
function parsePercentile(digits: string): number {
  if (digits.includes('.') || digits.length <= 2 || digits === '100') return Number(digits);
  return Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
}

export function percentileName(percentile: number): string {
  return `p${String(percentile).replace('.', '')}`;
}

const OPERATOR = /^(<=|>=|==|=<|=>|!=|<>|<|>|=)\s*(.*)$/s;
const THRESHOLD = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)\s*([a-zµ%]*)$/i;

/**
 * Positions in `text` outside {...} and "..." (with backslash escapes): monitor metric names of
 * PromQL queries carry labels, e.g. query.p99{model="bert",le="0.5"}, whose commas and equals signs
 * are part of the name.
 */
function* topLevel(text: string): Generator<number> {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) yield i;
  }
}

/** Splits on any of `separators` outside braces and quotes; trims and drops empty parts. */
export function splitTopLevel(text: string, separators: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const i of topLevel(text)) {
    if (separators.includes(text[i]!)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** Index of the first of `chars` outside braces and quotes, or -1. */
export function indexTopLevel(text: string, chars: string): number {
  for (const i of topLevel(text)) if (chars.includes(text[i]!)) return i;
  return -1;
}

/**
 * Parses "p99<=200ms, error_rate<0.1%, rps>=100". `field` names where the text came from, for errors
 * (e.g. "--sla" or "sla in job.yaml").
 */
export function parseSla(text: string, field = '--sla'): SlaClause[] {
  const parts = splitTopLevel(text, ',;\n');
  if (parts.length === 0) {
    throw new SettingsError(`${field}: no SLA clauses; expected e.g. "p99<=200ms, error_rate<0.1%, rps>=100"`);
  }
  return parts.map((part) => parseClause(part, field));
}

function parseClause(text: string, field: string): SlaClause {
  const context = `${field} clause "${text}"`;
  const at = indexTopLevel(text, '<>=!');
  const name = at > 0 ? text.slice(0, at).trim() : '';
  const match = at > 0 ? OPERATOR.exec(text.slice(at)) : null;
  if (!match || name === '') {
    throw new SettingsError(`${context}: expected <metric><operator><value>, e.g. "p99<=200ms" (operators: ${OPERATORS.join(' ')})`);
  }
  const [, rawOp, rawValue] = match as unknown as [string, string, string];
  const op = normalizeOperator(rawOp, context);
  const { metric, ref } = parseMetricName(name, context);
  const valueMatch = THRESHOLD.exec(rawValue.trim());
  if (!valueMatch) {
    throw new SettingsError(`${context}: "${rawValue.trim()}" is not a threshold; expected a non-negative number with an optional unit (ms, s, us, %, rps)`);
  }
  const number = Number(valueMatch[1]);
  const unit = valueMatch[2]!.toLowerCase();
  const threshold = thresholdInBaseUnit(ref, number, unit, context);
  const limitText = unit === '' ? '' : unit === '%' ? `${valueMatch[1]}%` : `${valueMatch[1]} ${unit}`;
  return { text, metric, ref, op, threshold, unit, limitText };
}

function normalizeOperator(op: string, context: string): Operator {
  if (op === '==') return '=';
  if ((OPERATORS as readonly string[]).includes(op)) return op as Operator;
  const hint = op === '=<' ? ' (did you mean <=?)' : op === '=>' ? ' (did you mean >=?)' : '';
  throw new SettingsError(`${context}: unknown operator "${op}"${hint}; expected one of ${OPERATORS.join(' ')}`);
}

function thresholdInBaseUnit(ref: MetricRef, value: number, unit: string, context: string): number {
  switch (ref.kind) {
    case 'latency':
    case 'percentile': {
      const factor = TIME_UNITS[unit];
      if (factor === undefined) {
        throw new SettingsError(`${context}: a latency threshold needs a time unit (ms, s or us), e.g. "p99<=200ms"`);
      }
      return value * factor;
    }
    case 'rps':
    case 'ok_rps':
      if (unit !== '' && unit !== 'rps') throw new SettingsError(`${context}: a throughput threshold is in rps, e.g. "rps>=100"`);
      return value;
    case 'error_rate':
      if (unit !== '%') throw new SettingsError(`${context}: error_rate needs a % unit, e.g. "error_rate<0.1%"`);
      return value / 100;
    case 'errors':
    case 'requests':
      if (unit !== '') throw new SettingsError(`${context}: ${ref.kind} is a count; write a bare number, e.g. "errors=0"`);
      return value;
    case 'resource':
      if (unit !== '' && unit !== '%') {
        throw new SettingsError(`${context}: a monitor metric threshold is a bare number in the metric's own unit, or a % for percentages`);
      }
      return value;
  }
}

/** A metric's value in a report, or why the report has none. */
export type MetricReading = { value: number; resourceUnit?: string; grainSeconds?: number } | { missing: string };

export function readMetric(report: Report, ref: MetricRef): MetricReading {
  switch (ref.kind) {
    case 'rps':
      return { value: report.throughput.rps };
    case 'ok_rps':
      return { value: report.throughput.okRps };
    case 'error_rate':
      return { value: report.errors.rate };
    case 'errors':
      return { value: report.requests.errors };
    case 'requests':
      return { value: report.requests.total };
    case 'latency': {
      const summary = ref.corrected ? report.latency : report.latencyUncorrected;
      const value = summary?.[ref.stat];
      if (value !== undefined) return { value };
      return { missing: missingLatency(report, ref.corrected, ref.stat) };
    }
    case 'percentile':
      return readPercentile(report, ref.corrected, ref.percentile);
    case 'resource':
      return readResource(report, ref.name, ref.stat);
  }
}

function readPercentile(report: Report, corrected: boolean, percentile: number): MetricReading {
  const summary = corrected ? report.latency : report.latencyUncorrected;
  const field = PERCENTILE_FIELDS.get(percentile);
  const fromSummary = field === undefined ? undefined : summary?.[field];
  if (fromSummary !== undefined) return { value: fromSummary };
  const histogram = corrected ? report.histogram : report.histogramUncorrected;
  if (histogram !== undefined) {
    const decoded = hdr.decodeFromCompressedBase64(histogram, 32);
    if (decoded.totalCount > 0) return { value: decoded.getValueAtPercentile(percentile) / 1000 };
  }
  return { missing: missingLatency(report, corrected, percentileName(percentile)) };
}

function missingLatency(report: Report, corrected: boolean, stat: string): string {
  if (!corrected && report.latencyUncorrected === undefined) {
    return `the report has no uncorrected latency (only open-loop tools, wrk2 and labench, record it)`;
  }
  if (report.requests.ok === 0) return `no request succeeded, so there is no latency ${stat}`;
  return `the ${report.tool} run did not record latency ${stat} and the report has no histogram to compute it from`;
}

function readResource(report: Report, name: string, stat: ResourceStat): MetricReading {
  const metrics = report.resources?.metrics ?? {};
  const candidates = name.toLowerCase() === 'cpu' ? [name, ...CPU_ALIAS_TARGETS] : [name];
  const found = candidates.map((candidate) => metrics[candidate]).find((m): m is ResourceMetric => m !== undefined);
  if (found) return { value: found[stat], resourceUnit: found.unit, ...(found.grainSeconds ? { grainSeconds: found.grainSeconds } : {}) };
  const recorded = Object.keys(metrics);
  const alias = candidates.length > 1 ? ` (cpu.* reads ${CPU_ALIAS_TARGETS.join(', else ')})` : '';
  const what = recorded.length === 0 ? 'no monitor metrics were recorded' : `monitors recorded: ${recorded.join(', ')}`;
  return { missing: `no monitor metric "${name}" in this report${alias}; ${what}` };
}

export function isPercentUnit(unit: string): boolean {
  return unit === '%' || unit.toLowerCase() === 'percent';
}

/** A value of `ref` in its base unit, as people read it. */
export function formatMetricValue(ref: MetricRef, value: number, resourceUnit?: string): string {
  switch (ref.kind) {
    case 'latency':
    case 'percentile':
      return formatMs(value);
    case 'rps':
    case 'ok_rps':
      return formatRps(value);
    case 'error_rate':
      return formatShare(value);
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

function holds(actual: number, op: Operator, threshold: number): boolean {
  switch (op) {
    case '<':
      return actual < threshold;
    case '<=':
      return actual <= threshold;
    case '>':
      return actual > threshold;
    case '>=':
      return actual >= threshold;
    case '=':
      return actual === threshold;
  }
}

export function evaluateSla(clauses: readonly SlaClause[], report: Report): SlaVerdict {
  const results = clauses.map((clause) => evaluateClause(clause, report));
  return { pass: results.every((r) => r.pass), results };
}

function evaluateClause(clause: SlaClause, report: Report): SlaResult {
  const reading = readMetric(report, clause.ref);
  if ('missing' in reading) {
    return { clause, pass: false, message: `${clause.metric}: ${reading.missing}` };
  }
  if (clause.ref.kind === 'resource' && clause.unit === '%' && !isPercentUnit(reading.resourceUnit ?? '')) {
    return {
      clause,
      actual: reading.value,
      ...(reading.resourceUnit === undefined ? {} : { resourceUnit: reading.resourceUnit }),
      pass: false,
      message: `${clause.metric} is in ${reading.resourceUnit}, not a percentage; write the threshold without %`,
    };
  }
  const actual = formatMetricValue(clause.ref, reading.value, reading.resourceUnit);
  const limit = formatMetricValue(clause.ref, clause.threshold, reading.resourceUnit);
  const pass = holds(reading.value, clause.op, clause.threshold);
  // A grain metric's figures each cover a whole grain (Azure Monitor: a minute): say so with the verdict.
  const grain = reading.grainSeconds ? ` (${reading.grainSeconds === 60 ? '1-minute' : `${reading.grainSeconds} s`} grain)` : '';
  const message = pass
    ? `${clause.metric} = ${actual}${grain}, within ${clause.op} ${limit}`
    : `${clause.metric} = ${actual}${grain}, breaks ${clause.op} ${limit}`;
  const unit = reading.resourceUnit === undefined ? {} : { resourceUnit: reading.resourceUnit };
  return { clause, actual: reading.value, ...unit, pass, message };
}

/** The threshold in the unit it was written in, e.g. "<= 1.5 s"; bare numbers take the metric's (or monitor's) unit. */
export function formatLimit(clause: SlaClause, resourceUnit?: string): string {
  return `${clause.op} ${clause.limitText || formatMetricValue(clause.ref, clause.threshold, resourceUnit)}`;
}

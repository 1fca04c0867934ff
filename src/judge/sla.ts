import { SettingsError } from '../core/errors.js';
import type { Report, ReportSla } from '../report/report.js';
import { formatMetricValue, isPercentUnit } from '../report/metric-format.js';
import { formatMs } from '../report/format.js';
import { describeAvailability } from './availability.js';
import { indexTopLevel, parseMetricName, readMetric, splitTopLevel, type MetricRef } from './metrics.js';
import { generatorPartsOf, type GeneratorParts } from './generator-part.js';

/**
 * SLA expressions ("p99<=200ms, error_rate<0.1%, rps>=100") and their verdict on a report.
 * The metric names here are also the names `compare` takes tolerances for.
 */

export const OPERATORS = ['<', '<=', '>', '>=', '='] as const;
export type Operator = (typeof OPERATORS)[number];

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

/**
 * A clause is not judged when the run cannot answer it: the generator did not deliver the load, or
 * its own lag could account for the difference between the figure and the limit.
 */
export type ClauseStatus = 'pass' | 'fail' | 'not-judged';

export interface SlaResult {
  clause: SlaClause;
  /** The report's value, in the clause's base unit; absent when the report lacks the metric. */
  actual?: number;
  /** The monitor's unit, for resource metrics. */
  resourceUnit?: string;
  status: ClauseStatus;
  /** status === 'pass'. */
  pass: boolean;
  /** One line: the value against the limit, or why there is no value or no judgment. */
  message: string;
  /** Not written by the user: added because the report has an outage the SLA says nothing of. */
  implied?: boolean;
}

export interface SlaVerdict {
  /** 'fail' when any judged clause failed, else 'not-judged' when any clause was not judged, else 'pass'. */
  status: ClauseStatus;
  pass: boolean;
  results: SlaResult[];
}

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, us: 0.001, 'µs': 0.001 };

const OPERATOR = /^(<=|>=|==|=<|=>|!=|<>|<|>|=)\s*(.*)$/s;
const THRESHOLD = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)\s*([a-zµ%]*)$/i;

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
  if (op === '=' && !exactlyReachable(ref, threshold)) {
    throw new SettingsError(`${context}: a measured figure (${ref.kind}) is almost never exactly equal to a limit; use < <= > or >= ("=" is for counts, such as "errors=0", and a share of 0% or 100%, such as "availability=100%")`);
  }
  const limitText = unit === '' ? '' : unit === '%' ? `${valueMatch[1]}%` : `${valueMatch[1]} ${unit}`;
  return { text, metric, ref, op, threshold, unit, limitText };
}

/** Whether "=" can mean something: a count, a share at either end, no downtime; never a latency, a rate or a resource figure. */
function exactlyReachable(ref: MetricRef, threshold: number): boolean {
  switch (ref.kind) {
    case 'errors':
    case 'requests':
      return true;
    case 'error_rate':
    case 'goodput':
    case 'availability':
      return threshold === 0 || threshold === 1;
    case 'downtime':
      return threshold === 0;
    default:
      return false;
  }
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
    case 'percentile':
    case 'token-latency':
    case 'token-percentile': {
      const factor = TIME_UNITS[unit];
      if (factor === undefined) {
        throw new SettingsError(`${context}: a latency threshold needs a time unit (ms, s or us), e.g. "p99<=200ms"`);
      }
      return value * factor;
    }
    case 'rps':
    case 'ok_rps':
    case 'goodput_rps':
      if (unit !== '' && unit !== 'rps') throw new SettingsError(`${context}: a throughput threshold is in rps, e.g. "rps>=100"`);
      return value;
    case 'output_tps':
      if (unit !== '') throw new SettingsError(`${context}: output_tps is in output tokens per second; write a bare number, e.g. "output_tps>=500"`);
      return value;
    case 'error_rate':
    case 'goodput':
    case 'availability': {
      const example = ref.kind === 'goodput' ? 'goodput>=99%' : ref.kind === 'availability' ? 'availability>=99.9%' : 'error_rate<0.1%';
      if (unit !== '%') throw new SettingsError(`${context}: ${ref.kind} needs a % unit, e.g. "${example}"`);
      const of = ref.kind === 'goodput' ? 'the answers' : ref.kind === 'availability' ? 'the window' : 'the requests';
      if (value > 100) throw new SettingsError(`${context}: ${ref.kind} is a share of ${of}, so at most 100%, got ${value}%`);
      return value / 100;
    }
    case 'downtime': {
      const factor = TIME_UNITS[unit];
      if (factor === undefined) throw new SettingsError(`${context}: downtime needs a time unit (ms or s), e.g. "downtime<=2s"`);
      return value * factor;
    }
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

/**
 * The SLA as report.json keeps it (`sla`): the clauses as written and the verdict the run was given,
 * so `modelprof report` renders and exits exactly as the run did, whatever modelprof reads it later.
 */
export type StoredSla = ReportSla<SlaResult>;

export function storedSla(verdict: SlaVerdict): StoredSla {
  return { spec: verdict.results.filter((result) => !result.implied).map((result) => result.clause.text).join(', '), status: verdict.status, results: verdict.results };
}

/** The verdict a report was given, as it was given; undefined when it was judged on no SLA. */
export function verdictOfStored(stored: ReportSla | undefined): SlaVerdict | undefined {
  // Written by storedSla, and checked against the schema when the report was read.
  return stored && stored.results.length > 0 ? { status: stored.status, pass: stored.status === 'pass', results: stored.results as SlaResult[] } : undefined;
}

export function evaluateSla(clauses: readonly SlaClause[], report: Report): SlaVerdict {
  const judging = { held: loadHeld(report), parts: generatorPartsOf(report) };
  const results = clauses.map((clause) => evaluateClause(clause, report, judging));
  const outage = impliedAvailability(clauses, report);
  if (outage) results.push(outage);
  const status: ClauseStatus = results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'not-judged') ? 'not-judged' : 'pass';
  return { status, pass: status === 'pass', results };
}

/** Whether the generator delivered the load; reports that do not say (written before it was added) say it through `valid`. */
export function loadHeld(report: Report): boolean {
  return report.validity.loadHeld ?? report.validity.valid;
}

/** Whether the SLA says how much time without service it allows (an availability or downtime clause). */
export function slaJudgesAvailability(clauses: readonly SlaClause[]): boolean {
  return clauses.some((clause) => clause.ref.kind === 'availability' || clause.ref.kind === 'downtime');
}

/** Whether a verdict's own clauses (not the implied one) judge availability: then an outage is the SLA's to judge. */
export function verdictJudgesAvailability(verdict: SlaVerdict | undefined): boolean {
  return slaJudgesAvailability(verdict?.results.filter((result) => !result.implied).map((result) => result.clause) ?? []);
}

/**
 * An SLA that says nothing of availability allows no outage: a run with one gets a failing
 * "availability=100%" result, whatever its error rate (a closed loop retrying a dead target makes
 * thousands of quick successes and a few hundred failures, well under 1%).
 */
function impliedAvailability(clauses: readonly SlaClause[], report: Report): SlaResult | undefined {
  const availability = report.availability;
  if (!availability || availability.outages.length === 0 || slaJudgesAvailability(clauses)) return undefined;
  const clause: SlaClause = { text: 'availability=100% (implied)', metric: 'availability', ref: { kind: 'availability' }, op: '=', threshold: 1, unit: '%', limitText: '100%' };
  return {
    clause,
    actual: availability.share,
    status: 'fail',
    pass: false,
    implied: true,
    message: `${describeAvailability(availability)}: an SLA without an availability or downtime clause allows no outage`,
  };
}

function evaluateClause(clause: SlaClause, report: Report, judging: { held: boolean; parts: GeneratorParts }): SlaResult {
  // Nothing measured: no figure to show beside the clause (an empty window's error rate is no 0%).
  if (!judging.held && report.requests.total === 0) return { clause, status: 'not-judged', pass: false, message: `${clause.metric}: not judged: nothing was measured in the window (see the run validity)` };
  const notHeld = 'not judged: the generator did not deliver the load (see the run validity)';
  const reading = readMetric(report, clause.ref);
  if ('missing' in reading) {
    const status = judging.held ? 'fail' : 'not-judged';
    return { clause, status, pass: false, message: `${clause.metric}: ${judging.held ? reading.missing : notHeld}` };
  }
  const unit = reading.resourceUnit === undefined ? {} : { resourceUnit: reading.resourceUnit };
  if (clause.ref.kind === 'resource' && clause.unit === '%' && !isPercentUnit(reading.resourceUnit ?? '')) {
    return {
      clause,
      actual: reading.value,
      ...unit,
      status: 'fail',
      pass: false,
      message: `${clause.metric} is in ${reading.resourceUnit}, not a percentage; write the threshold without %`,
    };
  }
  const actual = formatMetricValue(clause.ref, reading.value, reading.resourceUnit);
  const limit = formatMetricValue(clause.ref, clause.threshold, reading.resourceUnit);
  const pass = holds(reading.value, clause.op, clause.threshold);
  // A grain metric's figures each cover a whole grain (Azure Monitor: a minute): say so with the verdict.
  const grain = reading.grainSeconds ? `${reading.grainSeconds === 60 ? '1-minute' : `${reading.grainSeconds} s`} grain` : undefined;
  // A monitor figure says which metric was read and where from (cpu.* is one of two metrics).
  const detail = [grain, reading.read].filter((each) => each !== undefined);
  const about = detail.length > 0 ? ` (${detail.join('; ')})` : '';
  const stated = pass ? `${clause.metric} = ${actual}${about}, within ${clause.op} ${limit}` : `${clause.metric} = ${actual}${about}, breaks ${clause.op} ${limit}`;
  const result = (status: ClauseStatus, message: string): SlaResult => ({ clause, actual: reading.value, ...unit, status, pass: status === 'pass', message });
  if (!judging.held) return result('not-judged', `${clause.metric} = ${actual}: ${notHeld}`);
  const part = judging.parts(clause.ref, reading.value);
  if (part === undefined || part.trusted) return result(pass ? 'pass' : 'fail', stated);
  // The generator's delay only adds latency: the target's own figure lies between value - part and value.
  const lag = `the generator's own ${part.what} (${part.from} ${formatMs(part.ms)})`;
  if (holds(Math.max(0, reading.value - part.ms), clause.op, clause.threshold) === pass) {
    return result(pass ? 'pass' : 'fail', `${stated}; ${lag} cannot change that`);
  }
  return result('not-judged', `${stated}, but ${lag} could account for the difference: not judged`);
}

/** The threshold in the unit it was written in, e.g. "<= 1.5 s"; bare numbers take the metric's (or monitor's) unit. */
export function formatLimit(clause: SlaClause, resourceUnit?: string): string {
  return `${clause.op} ${clause.limitText || formatMetricValue(clause.ref, clause.threshold, resourceUnit)}`;
}

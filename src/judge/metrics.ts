import { SettingsError } from '../core/errors.js';
import { decodeHistogram } from '../record/histogram.js';
import { LATENCY_PERCENTILES, type LatencySummary } from '../record/result.js';
import type { Report } from '../report/report.js';

/**
 * Metric names ("p99", "uncorrected.p999", "rps", "process.cpu_percent.max") and their values in a
 * report: what SLA clauses and compare tolerances are written on.
 */

export type LatencyStat = 'min' | 'max' | 'mean' | 'stdev';
export type ResourceStat = 'avg' | 'p50' | 'max' | 'min';
export const RESOURCE_STATS: readonly ResourceStat[] = ['avg', 'p50', 'max', 'min'];

/** Token latencies of the report's `llm` section; ttft and e2e also exist uncorrected (from the actual send). */
export const TOKEN_LATENCIES = ['ttft', 'itl', 'tpot', 'e2e'] as const;
export type TokenLatency = (typeof TOKEN_LATENCIES)[number];
const UNCORRECTED_TOKEN_LATENCIES: readonly TokenLatency[] = ['ttft', 'e2e'];

/** What a metric name points at in a report. */
export type MetricRef =
  | { kind: 'latency'; corrected: boolean; stat: LatencyStat }
  | { kind: 'percentile'; corrected: boolean; percentile: number }
  | { kind: 'rps' | 'ok_rps' | 'error_rate' | 'errors' | 'requests' | 'availability' | 'downtime' }
  | { kind: 'resource'; name: string; stat: ResourceStat }
  | { kind: 'token-latency'; metric: TokenLatency; corrected: boolean; stat: LatencyStat }
  | { kind: 'token-percentile'; metric: TokenLatency; corrected: boolean; percentile: number }
  /** Output tokens per second; the share of requests that met every goodput objective; good requests per second. */
  | { kind: 'output_tps' | 'goodput' | 'goodput_rps' };

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

const KNOWN_METRICS =
  'p50..p9999 (e.g. p99, p99.9), min, max, mean, stdev, latency.<stat>, uncorrected.<stat>, rps, ok_rps, ' +
  'error_rate, errors, requests, availability, downtime, a token metric ttft|itl|tpot|e2e.<stat> (e.g. ttft.p99), output_tps, goodput, goodput_rps, ' +
  'or a monitor metric <name>.<avg|p50|max|min> (e.g. cpu.max)';

/** Parses one metric name; `context` prefixes the error (e.g. `--sla clause "p99x<1ms"`). */
export function parseMetricName(name: string, context: string): { metric: string; ref: MetricRef } {
  const lower = name.toLowerCase();
  const simple = ['rps', 'ok_rps', 'error_rate', 'errors', 'requests', 'availability', 'downtime'] as const;
  const plain = simple.find((m) => m === lower);
  if (plain) return { metric: plain, ref: { kind: plain } };
  const tokenScalar = (['output_tps', 'goodput', 'goodput_rps'] as const).find((m) => m === lower);
  if (tokenScalar) return { metric: tokenScalar, ref: { kind: tokenScalar } };
  const token = parseTokenLatency(lower, name, context);
  if (token) return token;

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

/** `ttft.p99`, `uncorrected.ttft.p99`, `itl.max`, `tpot.mean`, `e2e.p99.9`; undefined when `lower` names no token latency. */
function parseTokenLatency(lower: string, name: string, context: string): { metric: string; ref: MetricRef } | undefined {
  const match = /^(uncorrected\.)?(ttft|itl|tpot|e2e)\.(.+)$/.exec(lower);
  if (!match) return undefined;
  const corrected = match[1] === undefined;
  const metric = match[2] as TokenLatency;
  const rest = match[3]!;
  if (!corrected && !UNCORRECTED_TOKEN_LATENCIES.includes(metric)) {
    throw new SettingsError(`${context}: ${metric} has no uncorrected figure; only ttft and e2e are also counted from the actual send`);
  }
  const prefix = `${corrected ? '' : 'uncorrected.'}${metric}.`;
  if (rest === 'min' || rest === 'max' || rest === 'mean' || rest === 'stdev') return { metric: prefix + rest, ref: { kind: 'token-latency', metric, corrected, stat: rest } };
  const percentileMatch = /^p(\d+(?:\.\d+)?)$/.exec(rest);
  const percentile = percentileMatch ? parsePercentile(percentileMatch[1]!) : NaN;
  if (!(percentile > 0 && percentile <= 100)) {
    throw new SettingsError(`${context}: unknown statistic "${name}"; expected ${prefix}p99 (p1..p100), min, max, mean or stdev`);
  }
  return { metric: prefix + percentileName(percentile), ref: { kind: 'token-percentile', metric, corrected, percentile } };
}

/** "999" -> 99.9, "99" -> 99, "5" -> 5, "100" -> 100, "99.5" -> 99.5 (the digits after "p"). */
function parsePercentile(digits: string): number {
  if (digits.includes('.') || digits.length <= 2 || digits === '100') return Number(digits);
  return Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
}

export function percentileName(percentile: number): string {
  return `p${String(percentile).replace('.', '')}`;
}

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

/** A metric's value in a report, or why the report has none. */
export type MetricReading = { value: number; resourceUnit?: string; grainSeconds?: number; read?: string } | { missing: string };

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
    case 'availability':
    case 'downtime': {
      const availability = report.availability;
      if (availability === undefined) return { missing: `the ${report.engine.name} ${report.tool} run gave no per-second figures, so time without service is not known` };
      return { value: ref.kind === 'availability' ? availability.share : availability.downSeconds * 1000 };
    }
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
    case 'token-latency':
    case 'token-percentile':
      return readTokenLatency(report, ref);
    case 'output_tps':
    case 'goodput':
    case 'goodput_rps':
      return readTokenScalar(report, ref.kind);
  }
}

function readTokenLatency(report: Report, ref: Extract<MetricRef, { kind: 'token-latency' | 'token-percentile' }>): MetricReading {
  const llm = report.llm;
  if (!llm) return { missing: noLlm(ref.metric) };
  // Parsing admits uncorrected figures of ttft and e2e only.
  const name = ref.corrected ? ref.metric : ref.metric === 'ttft' ? 'ttftUncorrected' : 'e2eUncorrected';
  const summary = llm[name];
  const stat = ref.kind === 'token-latency' ? ref.stat : PERCENTILE_FIELDS.get(ref.percentile);
  const fromSummary = stat === undefined ? undefined : summary?.[stat];
  if (fromSummary !== undefined) return { value: fromSummary };
  const encoded = llm.histograms[name];
  if (ref.kind === 'token-percentile' && encoded !== undefined) {
    const decoded = decodeHistogram(encoded);
    if (decoded.totalCount > 0) return { value: decoded.getValueAtPercentile(ref.percentile) / 1000 };
  }
  if (!ref.corrected && !llm.ttftUncorrected) return { missing: `the report has no uncorrected ${ref.metric} (only open-loop tools, wrk2 and labench, record it)` };
  const why: Record<TokenLatency, string> = {
    ttft: 'no answer was streamed (ask for a stream: TTFT needs one)',
    itl: 'no streamed answer had two output events',
    tpot: 'no streamed answer had two output tokens',
    e2e: 'no answer was valid',
  };
  return { missing: `the report has no ${ref.metric}: ${why[ref.metric]}` };
}

function readTokenScalar(report: Report, kind: 'output_tps' | 'goodput' | 'goodput_rps'): MetricReading {
  const llm = report.llm;
  if (!llm) return { missing: noLlm(kind) };
  if (kind === 'output_tps') return llm.outputTokensPerSec !== undefined ? { value: llm.outputTokensPerSec } : { missing: 'the report counts no output tokens' };
  if (!llm.goodput) return { missing: `the report has no goodput: give objectives with --goodput, e.g. "ttft<=200ms,tpot<=50ms"` };
  if (kind === 'goodput_rps') return { value: llm.goodput.rps };
  return llm.goodput.share !== undefined ? { value: llm.goodput.share } : { missing: 'no request could be judged against the goodput objectives' };
}

function noLlm(metric: string): string {
  return `the report has no token figures for ${metric}: profile an LLM endpoint with --api openai-chat or openai-completions`;
}

function readPercentile(report: Report, corrected: boolean, percentile: number): MetricReading {
  const summary = corrected ? report.latency : report.latencyUncorrected;
  const field = PERCENTILE_FIELDS.get(percentile);
  const fromSummary = field === undefined ? undefined : summary?.[field];
  if (fromSummary !== undefined) return { value: fromSummary };
  const histogram = corrected ? report.histogram : report.histogramUncorrected;
  if (histogram !== undefined) {
    const decoded = decodeHistogram(histogram);
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
  const readName = candidates.find((candidate) => metrics[candidate] !== undefined);
  const found = readName === undefined ? undefined : metrics[readName]!;
  if (found) {
    // Which metric was read, and from where: "cpu.max" is one of two metrics, and a figure is only as good as its source.
    const read = readName === name ? `from ${found.source}` : `read ${readName}.${stat} from ${found.source}`;
    return { value: found[stat], resourceUnit: found.unit, read, ...(found.grainSeconds ? { grainSeconds: found.grainSeconds } : {}) };
  }
  const recorded = Object.keys(metrics);
  const alias = candidates.length > 1 ? ` (cpu.* reads ${CPU_ALIAS_TARGETS.join(', else ')})` : '';
  const what = recorded.length === 0 ? 'no monitor metrics were recorded' : `monitors recorded: ${recorded.join(', ')}`;
  return { missing: `no monitor metric "${name}" in this report${alias}; ${what}` };
}

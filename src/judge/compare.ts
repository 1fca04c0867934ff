import type { Report } from '../report/report.js';
import { formatDelta, formatInterval } from '../report/comparison-format.js';
import { formatMetricValue } from '../report/metric-format.js';
import { NoiseEstimator } from './bootstrap.js';
import type { Comparison, ComparisonVerdict, Direction, MetricComparison, ReportIdentity } from './comparison.js';
import { generatorPartsOf, type GeneratorParts } from './generator-part.js';
import { loadHeld } from './sla.js';
import { formatMs } from '../report/format.js';
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
  const lowerIsWorse: readonly MetricRef['kind'][] = ['rps', 'ok_rps', 'requests', 'output_tps', 'goodput', 'goodput_rps', 'availability'];
  return lowerIsWorse.includes(ref.kind) ? 'lower-is-worse' : 'higher-is-worse';
}

export function compareReports(baseline: Report, current: Report, tolerances: Tolerances = {}): Comparison {
  const merged: Tolerances = { ...DEFAULT_TOLERANCES, ...tolerances };
  const defaults = baseline.llm && current.llm ? [...DEFAULT_ORDER, ...TOKEN_ORDER] : DEFAULT_ORDER;
  const names = [...defaults, ...Object.keys(tolerances).filter((name) => !defaults.includes(name))];
  const refs = names.map((name) => parseMetricName(name, 'compare').ref);
  const noise = new NoiseEstimator(baseline, current, refs);
  const parts = { baseline: generatorPartsOf(baseline), current: generatorPartsOf(current) };
  const metrics: MetricComparison[] = [];
  for (const [index, name] of names.entries()) {
    const ref = refs[index]!;
    const requested = name in tolerances;
    const tolerance = merged[name];
    const row = compareMetric(name, ref, baseline, current, tolerance === 'off' ? undefined : tolerance, noise, requested);
    if (row) metrics.push(row);
  }
  const unlike = loadDifferences(baseline, current);
  const invalid = [
    ...(loadHeld(baseline) ? [] : [`baseline run: the generator did not deliver the load: ${baseline.validity.reasons.join('; ') || 'no reason given'}`]),
    ...(loadHeld(current) ? [] : [`current run: the generator did not deliver the load: ${current.validity.reasons.join('; ') || 'no reason given'}`]),
  ];
  const withheld = (row: MetricComparison, verdict: 'not-comparable' | 'not-judged', why: string): void => {
    row.verdict = verdict;
    row.failed = false;
    row.message = `${row.message} (not judged: ${why})`;
  };
  const notJudged: string[] = [];
  for (const row of metrics) {
    if (row.verdict === 'info') continue;
    // Unlike runs are shown side by side, never judged; nor is a run whose generator did not deliver the load.
    if (unlike.length > 0) withheld(row, 'not-comparable', 'the runs are not like with like');
    else if (invalid.length > 0) withheld(row, 'not-judged', 'a run\'s generator did not deliver the load');
    else {
      const flip = lagCouldFlip(row, refs[names.indexOf(row.metric)]!, parts);
      if (flip) notJudged.push(flip);
    }
  }
  const regression = metrics.some((m) => m.failed);
  const verdict: ComparisonVerdict =
    unlike.length > 0 ? 'not-comparable' : invalid.length > 0 ? 'no-verdict' : regression ? 'regression' : notJudged.length > 0 ? 'not-judged' : 'no-regression';
  return {
    baseline: identity(baseline),
    current: identity(current),
    metrics,
    verdict,
    invalid,
    unlike,
    notJudged,
    notes: settingsDifferences(baseline, current),
    regression,
  };
}

/**
 * The SLA's rule (judge/sla.ts) applied to a compared row: a figure the run's verdict does not trust
 * is judged only where the generator's own lag cannot flip the row. That lag only adds latency, so
 * each run's own figure lies between its value minus the generator's part and its value; the row is
 * judged again at both ends (the baseline as low as it could be, then the current), its noise
 * interval moved with it. Where the answer (regression or not) changes, the row is withheld and the
 * reason returned; where it cannot, the row says so.
 */
function lagCouldFlip(row: MetricComparison, ref: MetricRef, parts: { baseline: GeneratorParts; current: GeneratorParts }): string | undefined {
  if (!row.tolerance || row.baseline === undefined || row.current === undefined) return undefined;
  const before = parts.baseline(ref, row.baseline);
  const after = parts.current(ref, row.current);
  const lagBefore = before && !before.trusted ? before.ms : 0;
  const lagAfter = after && !after.trusted ? after.ms : 0;
  if (lagBefore === 0 && lagAfter === 0) return undefined;
  const rejudged = (baselineValue: number, currentValue: number): boolean => {
    const delta = currentValue - baselineValue;
    const relative = baselineValue === 0 ? undefined : delta / baselineValue;
    const shift = row.noise === undefined ? 0 : row.noise.scale === 'relative' ? (relative ?? 0) - (row.relative ?? 0) : delta - row.delta!;
    const noise = row.noise ? { ...row.noise, low: row.noise.low + shift, high: row.noise.high + shift, beyond: row.noise.low + shift > 0 || row.noise.high + shift < 0 } : undefined;
    const copy: MetricComparison = { ...row, baseline: baselineValue, current: currentValue, delta, ...(relative === undefined ? {} : { relative }), ...(noise ? { noise } : {}), verdict: 'ok', failed: false, message: '' };
    judge(copy, ref);
    return copy.failed;
  };
  const ends = [rejudged(Math.max(0, row.baseline - lagBefore), row.current), rejudged(row.baseline, Math.max(0, row.current - lagAfter))];
  const what = [
    ...(lagBefore > 0 ? [`baseline's ${before!.what} (${before!.from} ${formatMs(lagBefore)})`] : []),
    ...(lagAfter > 0 ? [`current's ${after!.what} (${after!.from} ${formatMs(lagAfter)})`] : []),
  ].join(' and ');
  if (ends.every((failed) => failed === row.failed)) {
    row.message = `${row.message}; the generator's own lag (${what}) cannot change that`;
    return undefined;
  }
  const why = `the generator's own lag (${what}) could flip it`;
  row.verdict = 'not-judged';
  row.failed = false;
  row.message = `${row.message}, but ${why}: not judged`;
  return `${row.metric}: ${why}`;
}

/**
 * What makes two runs' figures incomparable whatever the target did: a different load model
 * (a closed loop's latency is not a constant rate's, corrected for coordinated omission) or a
 * different offered load (the rate of an open loop, the connections of a closed loop, LaBench's pool).
 */
export function loadDifferences(baseline: Report, current: Report): string[] {
  if (baseline.tool !== current.tool) {
    return [`not like with like: the load models differ (tool ${baseline.tool} -> ${current.tool}), so latency and throughput measure different things`];
  }
  const load: [string, number, number][] =
    current.tool === 'wrk'
      ? [['connections', baseline.settings.connections, current.settings.connections]]
      : [['rate', baseline.settings.rate, current.settings.rate], ...(current.tool === 'labench' ? [['clients', baseline.settings.clients, current.settings.clients] as [string, number, number]] : [])];
  const differing = load.filter(([, a, b]) => a !== b).map(([name, a, b]) => `${name} ${a} -> ${b}`);
  return differing.length === 0 ? [] : [`not like with like: the offered load differs (${differing.join(', ')}), so every figure would change whatever the target did`];
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

/** Every setting that differs between the runs, named, old -> new. */
export function settingsDifferences(baseline: Report, current: Report): string[] {
  const [b, c] = [baseline.settings, current.settings];
  const headers = (report: Report): string => Object.entries(report.settings.headers).map(([name, value]) => `${name.toLowerCase()}: ${value}`).sort().join('; ');
  const pairs: [string, unknown, unknown][] = [
    ['tool', baseline.tool, current.tool],
    ['engine', baseline.engine.name, current.engine.name],
    ['engine version', baseline.engine.version, current.engine.version],
    ['url', redactUrl(baseline.target.url), redactUrl(current.target.url)],
    ['method', baseline.target.method, current.target.method],
    ['headers', headers(baseline), headers(current)],
    ['payload', b.payload.origin, c.payload.origin],
    ['payload lines', b.payload.lines, c.payload.lines],
    ['connections', b.connections, c.connections],
    ['threads', b.threads, c.threads],
    ['rate', b.rate, c.rate],
    ['clients', b.clients, c.clients],
    ['duration', `${b.durationSec}s`, `${c.durationSec}s`],
    ['warmup', `${b.warmupSec}s`, `${c.warmupSec}s`],
    ['timeout', `${b.timeoutSec}s`, `${c.timeoutSec}s`],
    ['shards', baseline.merge?.count ?? baseline.shard?.count ?? 1, current.merge?.count ?? current.shard?.count ?? 1],
  ];
  const differing = pairs.filter(([, x, y]) => x !== y).map(([name, x, y]) => `${name}: ${String(x) || 'none'} -> ${String(y) || 'none'}`);
  const notes = differing.length === 0 ? [] : [`settings differ: ${differing.join(', ')}`];
  if (baseline.histogram === undefined || current.histogram === undefined) {
    notes.push('latency noise not estimated: a report has no histogram, so latency deltas are raw');
  }
  return notes;
}


import { ERROR_KINDS, LATENCY_PERCENTILES, type LatencySummary } from '../record/result.js';
import { decodeHistogram } from '../record/histogram.js';
import { describeAvailability, describeOutage } from '../judge/availability.js';
import { judgeTarget, targetHeadline } from '../judge/target-outcome.js';
import type { Report } from './report.js';
import { spectrumFromHistogram, spectrumFromSummary } from './latency-spectrum.js';
import { formatPercentile, logBound, niceMax, renderChart, type Axis, type Marker, type Series } from './html-charts.js';
import {
  escapeHtml,
  formatCount,
  formatMs,
  formatNumber,
  formatRps,
  formatShare,
  formatUtcTime,
} from './format.js';
import { formatLimit, loadHeld, verdictJudgesAvailability, type SlaVerdict } from '../judge/sla.js';
import { formatMetricValue, formatResourceValue, isPercentUnit } from './metric-format.js';
import { generatorDelayName, untrustedFigures, untrustedLegend, validityHeadline } from './validity-text.js';
import { limitList, validitySection, warningList } from './html-validity.js';
import { figureLabel } from '../judge/trust.js';
import { htmlPage } from './html-page.js';
import { llmSection } from './html-llm.js';
import { shardsSection } from './html-shards.js';
import { settingsSection } from './html-settings.js';
import { errorsSection } from './html-errors.js';
import { rateChartPoints } from './timeline-bars.js';
import { SERVER_LATENCY_NOTE, serverClientLatency } from './server-latency.js';
import { redactUrl } from '../core/redact.js';

/**
 * The HTML report: one self-contained file (inline CSS, inline SVG, a few lines of script, nothing
 * fetched) that reads top-down as verdict, key figures, latency, time series, resources, settings.
 * Every string taken from the report goes through escapeHtml: URLs, headers and notes are user input.
 */

const COLORS = {
  corrected: '#2563eb',
  uncorrected: '#94a3b8',
  p99: '#ea580c',
  ok: '#16a34a',
  bad: '#dc2626',
  target: '#7c3aed',
  resource: '#0f766e',
};

type Outcome = { kind: 'pass' | 'fail' | 'invalid' | 'measured' | 'warn'; title: string; detail: string };

const BADGES: Record<Outcome['kind'], string> = { pass: 'PASS', fail: 'FAIL', invalid: 'INVALID', measured: 'INFO', warn: 'ERRORS' };

function outcomeOf(report: Report, verdict?: SlaVerdict): Outcome {
  const target = judgeTarget(report);
  if (target.noSuccess) {
    return { kind: 'fail', title: 'Target error: no request succeeded', detail: `None of ${target.requests} requests succeeded: ${target.seen}. The figures below describe error answers, not the model.` };
  }
  // An outage is the verdict unless the SLA says how much of one it allows.
  if (target.outage && !verdictJudgesAvailability(verdict)) {
    return { kind: 'fail', title: `Target down: ${formatNumber(target.outage.downSeconds)} s without a successful answer`, detail: `${describeAvailability(target.outage)}. The figures below include the outage.` };
  }
  if (!loadHeld(report)) {
    return {
      kind: 'invalid',
      title: 'No verdict: run invalid',
      detail: 'The load generator did not deliver the load, so these figures say nothing reliable about the target.',
    };
  }
  if ((!verdict || verdict.results.length === 0) && target.highErrorRate) {
    const share = ((100 * target.failed) / target.requests).toFixed(2);
    return { kind: 'warn', title: `High error rate: ${share}% of requests failed`, detail: `${target.seen}. No SLA was given; the figures below include the failed requests.` };
  }
  const headline = validityHeadline(report);
  if (!verdict || verdict.results.length === 0) {
    if (!headline.valid) return { kind: 'invalid', title: 'Run invalid', detail: `${headline.title.replace(/^RUN INVALID: /, '')}.` };
    return { kind: 'measured', title: 'Measured', detail: 'No SLA was given; the figures below are the measurement.' };
  }
  const caveat = headline.valid ? '' : ` Some figures are not trusted (${headline.title.replace(/^RUN INVALID: /, '')}); each clause was judged only where the generator's lag could not change its verdict.`;
  const broken = verdict.results.filter((r) => r.status === 'fail');
  const unjudged = verdict.results.filter((r) => r.status === 'not-judged');
  if (broken.length > 0) {
    return {
      kind: 'fail',
      title: 'SLA failed',
      detail: `${broken.length} of ${verdict.results.length} clauses broken: ${broken.map((r) => r.clause.text).join(', ')}.${caveat}`,
    };
  }
  if (unjudged.length > 0) {
    return {
      kind: 'invalid',
      title: 'No verdict on the SLA',
      detail: `${unjudged.length} of ${verdict.results.length} clauses not judged, their figures not trusted: ${unjudged.map((r) => r.clause.text).join(', ')}.`,
    };
  }
  const n = verdict.results.length;
  return { kind: 'pass', title: 'SLA passed', detail: `All ${n} SLA clause${n === 1 ? '' : 's'} met.${caveat}` };
}

export function renderHtmlReport(report: Report, slaVerdict?: SlaVerdict): string {
  const url = redactUrl(report.target.url);
  const title = `${report.displayName !== undefined ? `${report.displayName}: ` : ''}${report.target.method} ${url}`;
  const sections = [
    header(report, title),
    verdictSection(report, slaVerdict),
    keyFigures(report),
    latencySection(report, slaVerdict),
    llmSection(report),
    timelineSection(report),
    errorsSection(report),
    resourcesSection(report),
    validitySection(report),
    shardsSection(report),
    settingsSection(report, url),
  ];
  const footer = `<footer>Generated by modelprof ${escapeHtml(report.modelprofVersion)} from a report.json of schema ${escapeHtml(report.schemaVersion)}. Latency is in milliseconds${report.latencyUncorrected ? ', corrected for coordinated omission (measured from the planned send time) unless marked uncorrected' : ''}.</footer>`;
  return htmlPage(`modelprof: ${title}`, [...sections, footer].join('\n'));
}

function header(report: Report, title: string): string {
  const meta = [
    // An external engine's version already names its program ("wrk2 4.0.0").
    report.engine.name === 'builtin' ? `${report.tool} load model, builtin engine` : `${report.engine.version}, external engine`,
    formatUtcTime(report.startTime),
    `${formatNumber(report.measuredSeconds)} s measured`,
    report.warmup.seconds > 0 ? `${formatNumber(report.warmup.seconds)} s warm-up excluded` : '',
  ].filter((m) => m !== '');
  return `<header><div class="brand">modelprof report</div><h1>${escapeHtml(title)}</h1><p class="meta">${meta.map(escapeHtml).join(' · ')}</p></header>`;
}

function verdictSection(report: Report, verdict?: SlaVerdict): string {
  const outcome = outcomeOf(report, verdict);
  const reasons = report.validity.valid || report.validity.reasons.length === 0
    ? ''
    : `<ul class="reasons">${report.validity.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`;
  const partial = report.partial ? `<p class="partial">Run ended early: ${escapeHtml(report.partial)}</p>` : '';
  // A high error rate is said under any other headline too.
  const errors = outcome.kind !== 'warn' ? targetHeadline(judgeTarget(report)) : undefined;
  const errorLine = errors && !errors.startsWith('TARGET ERROR') ? `<p class="partial">${escapeHtml(errors)}</p>` : '';
  // The partial run is said once, in its own line above.
  const warnings = warningList(report, report.partial !== undefined);
  const table = verdict && verdict.results.length > 0 ? slaTable(verdict) : '';
  return `<section class="verdict verdict-${outcome.kind}" id="verdict">
<div class="verdict-head"><span class="verdict-badge">${escapeHtml(BADGES[outcome.kind])}</span><div><h2>${escapeHtml(outcome.title)}</h2><p>${escapeHtml(outcome.detail)}</p></div></div>
${reasons}${errorLine}${partial}${warnings}${limitList(report)}${table}
</section>`;
}

function slaTable(verdict: SlaVerdict): string {
  const rows = verdict.results.map((result) => {
    const actual = result.actual === undefined ? 'n/a' : formatMetricValue(result.clause.ref, result.actual, result.resourceUnit);
    const status = result.status === 'not-judged' ? 'not judged' : result.status;
    return `<tr class="sla-${status.replace(' ', '-')}"><td><code>${escapeHtml(result.clause.text)}</code></td><td class="num">${escapeHtml(actual)}</td><td class="num">${escapeHtml(formatLimit(result.clause, result.resourceUnit))}</td><td><span class="pill pill-${status.replace(' ', '-')}">${status}</span></td><td class="detail">${escapeHtml(result.message)}</td></tr>`;
  });
  return `<table class="sla"><thead><tr><th>SLA clause</th><th class="num">actual</th><th class="num">limit</th><th>result</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function tile(label: string, value: string, sub = '', tone = ''): string {
  return `<div class="tile${tone ? ` tile-${tone}` : ''}"><div class="tile-label">${escapeHtml(label)}</div><div class="tile-value">${escapeHtml(value)}</div><div class="tile-sub">${escapeHtml(sub)}</div></div>`;
}

function keyFigures(report: Report): string {
  const { latency, throughput, requests, errors } = report;
  const ms = (v: number | undefined): string => (v === undefined ? 'n/a' : formatMs(v));
  const untrusted = untrustedFigures(report);
  const latencyTile = (key: keyof LatencySummary, sub = ''): string =>
    untrusted.has(key) ? tile(figureLabel(key), `${ms(latency[key])} *`, 'not trusted: see Run validity', 'untrusted') : tile(figureLabel(key), ms(latency[key]), sub);
  const target = throughput.targetRps !== undefined ? `target ${formatRps(throughput.targetRps)}` : `${formatRps(throughput.okRps)} succeeded`;
  const tiles = [
    tile('Throughput', formatRps(throughput.rps), target),
    tile('Requests', formatCount(requests.total), `${formatCount(requests.ok)} ok, ${formatCount(requests.errors)} failed${requests.missed ? `, ${formatCount(requests.missed)} never sent` : ''}`),
    tile('Error rate', formatShare(errors.rate), requests.errors > 0 ? topErrorKind(report) : 'no errors', errors.rate > 0 ? 'bad' : ''),
    latencyTile('p50', latency.mean !== undefined ? `mean ${formatMs(latency.mean)}` : ''),
    latencyTile('p90'),
    latencyTile('p99', report.latencyUncorrected?.p99 !== undefined ? `uncorrected ${formatMs(report.latencyUncorrected.p99)}` : ''),
    latencyTile('p999'),
    latencyTile('max', latency.min !== undefined ? `min ${formatMs(latency.min)}` : ''),
  ];
  return `<section id="figures"><div class="tiles">${tiles.join('')}</div></section>`;
}

function topErrorKind(report: Report): string {
  const kinds = ERROR_KINDS.filter((k) => report.errors.byKind[k] > 0).sort((a, b) => report.errors.byKind[b] - report.errors.byKind[a]);
  return kinds.length === 0 ? '' : `mostly ${kinds[0]!.replace('_', ' ')}`;
}

function latencySection(report: Report, verdict?: SlaVerdict): string {
  const fromHistogram = report.histogram !== undefined;
  const corrected = fromHistogram ? spectrumFromHistogram(report.histogram!) : spectrumFromSummary(report.latency);
  const uncorrected = report.histogramUncorrected
    ? spectrumFromHistogram(report.histogramUncorrected)
    : report.latencyUncorrected
      ? spectrumFromSummary(report.latencyUncorrected)
      : [];
  const table = percentileTable(report);
  if (corrected.length === 0) {
    return `<section id="latency"><h2>Latency</h2><p class="empty">No request succeeded, so there is no latency to show.</p>${table}</section>`;
  }
  const all = [...corrected, ...uncorrected];
  const maxP = Math.max(...all.map(([p]) => p), 99);
  const values = all.map(([, v]) => v).filter((v) => v > 0);
  const dataMax = Math.max(...values);
  const median = corrected.find(([p]) => p >= 50)?.[1] ?? dataMax;
  const markers: Marker[] = [];
  const offScale: string[] = [];
  for (const result of verdict?.results ?? []) {
    const ref = result.clause.ref;
    if (ref.kind !== 'percentile' || !ref.corrected || ref.percentile > maxP) continue;
    const label = result.clause.text;
    if (result.clause.threshold > dataMax * 2) offScale.push(label);
    else markers.push({ x: ref.percentile, y: result.clause.threshold, label, color: result.status === 'pass' ? COLORS.ok : result.status === 'fail' ? COLORS.bad : COLORS.target });
  }
  const yMax = Math.max(dataMax, ...markers.map((m) => m.y));
  const useLog = yMax / Math.max(median, Number.MIN_VALUE) > 10 && Math.min(...values) > 0;
  const y: Axis = useLog
    ? { label: 'latency (ms, log scale)', scale: 'log10', min: logBound(Math.min(...values), 'down'), max: logBound(yMax, 'up'), format: formatNumber, unit: 'ms' }
    : { label: 'latency (ms)', scale: 'linear', min: 0, max: niceMax(yMax), format: formatNumber, unit: 'ms' };
  const series: Series[] = [];
  if (uncorrected.length > 0) {
    series.push({ name: 'uncorrected (from actual send)', color: COLORS.uncorrected, points: uncorrected, style: fromHistogram ? 'line' : 'dots', dashed: true });
  }
  series.push({ name: report.latencyUncorrected ? 'latency (from planned send)' : 'latency', color: COLORS.corrected, points: corrected, style: fromHistogram ? 'line' : 'dots' });
  const captionParts = [
    fromHistogram
      ? `From the run's HdrHistogram (${formatCount(decodeHistogram(report.histogram!).totalCount)} requests). The x axis stretches the tail: each step is one more nine.`
      : 'From the summary percentiles (this run kept no histogram).',
    offScale.length > 0 ? `Off scale: ${offScale.join(', ')}.` : '',
  ];
  const chart = renderChart({
    id: 'chart-spectrum',
    title: 'Latency by percentile',
    caption: captionParts.filter((c) => c !== '').join(' '),
    x: { label: 'percentile', scale: 'tail', min: 0, max: maxP, format: formatPercentile },
    y,
    series,
    markers,
    height: 320,
  });
  return `<section id="latency"><h2>Latency</h2><div class="latency-grid">${chart}${table}</div></section>`;
}

function percentileTable(report: Report): string {
  const columns: [string, LatencySummary][] = [[report.latencyUncorrected ? 'corrected' : 'latency', report.latency]];
  if (report.latencyUncorrected) columns.push(['uncorrected', report.latencyUncorrected]);
  const rows: [string, keyof LatencySummary][] = [
    ['min', 'min'],
    ...LATENCY_PERCENTILES.map(({ key, label }): [string, keyof LatencySummary] => [label, key]),
    ['max', 'max'],
    ['mean', 'mean'],
    ['stdev', 'stdev'],
  ];
  const present = rows.filter(([, field]) => columns.some(([, s]) => s[field] !== undefined));
  const untrusted = untrustedFigures(report);
  const cell = (summary: LatencySummary, field: keyof LatencySummary, corrected: boolean): string => {
    if (summary[field] === undefined) return '<td class="num"></td>';
    const value = escapeHtml(formatMs(summary[field]!));
    return corrected && untrusted.has(field)
      ? `<td class="num untrusted" title="${escapeHtml(untrustedLegend(generatorDelayName(report)))}">${value} <span class="untrusted-mark">*</span></td>`
      : `<td class="num">${value}</td>`;
  };
  const body = present
    .map(([label, field]) => `<tr><th>${label}</th>${columns.map(([, s], i) => cell(s, field, i === 0)).join('')}</tr>`)
    .join('');
  const legend = untrusted.size > 0 ? `<p class="meta"><span class="untrusted-mark">*</span> ${escapeHtml(untrustedLegend(generatorDelayName(report)))}.</p>` : '';
  return `<div><table class="percentiles"><thead><tr><th></th>${columns.map(([name]) => `<th class="num">${name}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>${legend}</div>`;
}

function timeAxis(report: Report): Axis {
  const lastT = Math.max(0, ...report.timeline.map((p) => p.t + 1));
  return { label: 'seconds into the measurement', scale: 'linear', min: 0, max: Math.max(report.measuredSeconds, lastT, 1), format: formatNumber, unit: 's' };
}

function timelineSection(report: Report): string {
  if (report.timeline.length === 0) return `<section id="timeline"><h2>Over time</h2><p class="empty">This run has no per-second timeline.</p></section>`;
  const x = timeAxis(report);
  // Bars sit on the middle of their second; a partial last second is a rate or left out.
  const { points: bars, note } = rateChartPoints(report);
  const ok: Series = { name: 'ok responses / s', color: COLORS.corrected, points: bars.map((p) => [p.t + 0.5, p.requests - p.errors]), style: 'bars' };
  const failed: Series = { name: 'errors / s', color: COLORS.bad, points: bars.map((p) => [p.t + 0.5, p.errors]), style: 'bars', stackOn: ok };
  const target = report.throughput.targetRps;
  const peak = Math.max(0, ...bars.map((p) => p.requests), target ?? 0);
  const outages = report.availability?.outages ?? [];
  const spans = outages.map((outage) => ({ from: outage.startSec, to: outage.startSec + outage.seconds, label: `target down ${formatNumber(outage.seconds)} s`, color: COLORS.bad }));
  const throughput = renderChart({
    id: 'chart-throughput',
    title: 'Throughput and errors per second',
    ...(note ? { caption: note } : {}),
    x,
    y: { label: 'requests / s', scale: 'linear', min: 0, max: niceMax(peak), format: formatNumber },
    series: report.timeline.some((p) => p.errors > 0) ? [ok, failed] : [ok],
    markers: target !== undefined ? [{ y: target, label: `target ${formatRps(target)}`, color: COLORS.target }] : [],
    spans,
    height: 240,
  });
  const p50: Series = { name: 'p50', color: COLORS.corrected, points: report.timeline.map((p) => [p.t + 0.5, p.p50]), style: 'line' };
  const p99: Series = { name: 'p99', color: COLORS.p99, points: report.timeline.map((p) => [p.t + 0.5, p.p99]), style: 'line' };
  const latencyPeak = Math.max(0, ...report.timeline.map((p) => p.p99 ?? p.p50 ?? 0));
  const latency = renderChart({
    id: 'chart-latency-time',
    title: 'Latency per second',
    caption: 'Percentiles of the requests completed in each second; gaps are seconds in which none completed.',
    x,
    y: { label: 'latency (ms)', scale: 'linear', min: 0, max: niceMax(latencyPeak), format: formatNumber, unit: 'ms' },
    series: [p50, p99],
    height: 240,
  });
  const down = outages.length > 0 ? `<p class="partial" id="outages">${outages.map((outage) => escapeHtml(describeOutage(outage))).join('<br>')}</p>` : '';
  return `<section id="timeline"><h2>Over time</h2>${down}${throughput}${latency}</section>`;
}

function resourcesSection(report: Report): string {
  const resources = report.resources;
  if (!resources) return '';
  const failed = resources.monitors.filter((m) => !m.ok);
  const failures = failed.length
    ? `<ul class="reasons">${failed.map((m) => `<li>monitor ${escapeHtml(m.name)} failed: ${escapeHtml(m.error ?? 'no reason given')}</li>`).join('')}</ul>`
    : '';
  const x = timeAxis(report);
  const charts = Object.entries(resources.metrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, metric], i) => {
      // Bytes are plotted in the binary unit of their peak, so ticks land on round numbers of it.
      const scale = metric.unit === 'bytes' ? binaryScale(metric.max) : { divisor: 1, label: isPercentUnit(metric.unit) ? '%' : metric.unit };
      const format = (v: number): string => formatResourceValue(v, metric.unit);
      const grain = metric.grainSeconds;
      // A grain's value holds over its whole grain: drawn as a step, clipped to the load's axis.
      const points = grain
        ? metric.timeline.flatMap((s): [number, number][] => stepOf(s.t, grain, s.v / scale.divisor, x))
        : metric.timeline.filter((s) => s.t >= x.min && s.t <= x.max).map((s): [number, number] => [s.t, s.v / scale.divisor]);
      const peaks = grain ? metric.timeline.flatMap((s): [number, number][] => (s.max === undefined ? [] : stepOf(s.t, grain, s.max / scale.divisor, x))) : [];
      const series: Series[] = [{ name: grain ? 'average' : name, color: COLORS.resource, points, style: 'line' }];
      if (peaks.length > 0) series.push({ name: 'maximum', color: COLORS.resource, points: peaks, style: 'line', dashed: true });
      const per = grain ? ` per ${grain === 60 ? 'minute' : `${grain} s`}` : '';
      return renderChart({
        id: `chart-resource-${i}`,
        title: name,
        caption: `${metric.source}${per}: avg ${format(metric.avg)}, p50 ${format(metric.p50)}, max ${format(metric.max)}`,
        x: { ...x, label: 'seconds' },
        y: { label: scale.label, scale: 'linear', min: 0, max: niceMax(Math.max(metric.max / scale.divisor, ...points.map(([, v]) => v))), format: (v) => formatNumber(v, 4), unit: scale.label === '%' ? '%' : scale.label },
        series,
        legend: series.length > 1,
        width: 520,
        height: 220,
      });
    });
  const monitors = resources.monitors.map((m) => `${m.name} (${m.ok ? `${formatCount(m.samples)} samples` : 'failed'})`).join(', ');
  const grained = Object.values(resources.metrics).some((m) => m.grainSeconds === 60)
    ? ' Azure Monitor figures have a 1-minute grain: each covers a whole minute, so the first and last minutes may include warm-up and idle time.'
    : '';
  return `<section id="resources"><h2>Resources</h2><p class="meta">Sampled every ${formatNumber(resources.intervalMs)} ms on the same clock as the load.${grained} Monitors: ${escapeHtml(monitors || 'none')}.</p>${failures}${serverLatencyTable(report)}<div class="small-multiples">${charts.join('')}</div></section>`;
}

/** [start, v], [end, v] of one grain, clipped to the axis; nothing when the grain lies outside it. */
function stepOf(t: number, grain: number, v: number, x: Axis): [number, number][] {
  const from = Math.max(t, x.min);
  const to = Math.min(t + grain, x.max);
  return from < to ? [[from, v], [to, v]] : [];
}

function serverLatencyTable(report: Report): string {
  const rows = serverClientLatency(report);
  if (!rows) return '';
  const cell = (v: number | undefined): string => `<td class="num">${v === undefined ? '-' : escapeHtml(formatMs(v))}</td>`;
  const uncorrected = rows.some((r) => r.clientUncorrectedMs !== undefined);
  const body = rows
    .map((r) => `<tr><td>${r.percentile}</td>${cell(r.serverMs)}${cell(r.clientMs)}${uncorrected ? cell(r.clientUncorrectedMs) : ''}</tr>`)
    .join('');
  return `<h3>Latency: server-side (Azure) vs client-side (modelprof)</h3><table id="server-latency"><thead><tr><th>percentile</th><th class="num">server (Azure, 1-minute grain)</th><th class="num">client</th>${uncorrected ? '<th class="num">client, uncorrected</th>' : ''}</tr></thead><tbody>${body}</tbody></table><p class="meta">${escapeHtml(SERVER_LATENCY_NOTE)}.</p>`;
}

function binaryScale(max: number): { divisor: number; label: string } {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let power = 0;
  while (max >= 1024 ** (power + 1) && power < units.length - 1) power++;
  return { divisor: 1024 ** power, label: units[power]! };
}

import { measuredWindowText } from './window-text.js';
import { LATENCY_PERCENTILES, type LatencySummary } from '../record/result.js';
import { judgeTarget, targetHeadline } from '../judge/target-outcome.js';
import { formatLlmLines } from './llm-console.js';
import type { Report } from './report.js';
import type { RunVerdict } from '../judge/run-verdict.js';
import { generatorDelayName, untrustedFigures, untrustedLegend, validityHeadline } from './validity-text.js';
import { requestSettingsLine } from './request-settings.js';

const ROWS: readonly [keyof LatencySummary, string][] = [
  ['min', 'min'],
  ...LATENCY_PERCENTILES.map(({ key, label }): [keyof LatencySummary, string] => [key, label]),
  ['max', 'max'],
  ['mean', 'mean'],
  ['stdev', 'stdev'],
];

/** Failing payload lines the console lists; report.json and the HTML page list more. */
const CONSOLE_LINES = 5;

/** The console summary of a report: verdict first, then throughput, latency, LLM token figures, errors. */
export function formatSummary(report: Report, extraLines: readonly string[] = [], verdict?: RunVerdict): string {
  const lines: string[] = [];
  const { validity } = report;
  const engine = report.engine.name === 'builtin' ? `builtin ${report.tool} model` : `external ${report.tool} (${report.engine.version})`;
  const name = report.displayName !== undefined ? ` (${report.displayName})` : '';
  lines.push(`modelprof ${report.modelprofVersion}: ${report.target.method} ${report.target.url}${name}`);
  lines.push(`  load: ${engine}, ${describeLoad(report)}, ${measuredWindowText(report)}`);
  const sent = requestSettingsLine(report.settings);
  if (sent) lines.push(`  sent: ${sent}`);
  const tls = report.target.tls;
  if (tls) lines.push(`  tls: certificate ${tls.verified ? 'verified by' : 'NOT verified:'} ${tls.by}`);
  lines.push('');
  // What the target did comes first: with no success, nothing below describes the model.
  const targetLine = targetHeadline(judgeTarget(report));
  if (targetLine) lines.push(targetLine, '');
  lines.push(validityHeadline(report, verdict).title);
  for (const reason of validity.reasons) lines.push(`  x ${reason}`);
  // A partial run is said once, on its own line below.
  for (const warning of validity.warnings) if (!(report.partial && warning.startsWith('partial run:'))) lines.push(`  ! ${warning}`);
  if (report.partial) lines.push(`  ! PARTIAL: ${report.partial}`);
  for (const limit of report.limits ?? []) lines.push(`  ~ ${limit}`);
  lines.push('');
  const { requests, throughput } = report;
  const missed = requests.missed !== undefined ? `, ${requests.missed} ticks missed` : '';
  lines.push(`requests   ${requests.total} sent, ${requests.ok} ok, ${requests.errors} errors (${percent(report.errors.rate)})${missed}`);
  const target = throughput.targetRps !== undefined ? ` (target ${throughput.targetRps})` : '';
  lines.push(`throughput ${throughput.rps.toFixed(1)} req/s${target}, ${throughput.okRps.toFixed(1)} ok req/s`);
  const lag = validity.sendLag;
  if (lag) {
    lines.push(`send lag   p50 ${formatMs(lag.p50)}, p90 ${formatMs(lag.p90)}, p99 ${formatMs(lag.p99)}, p99.9 ${formatMs(lag.p999)}, max ${formatMs(lag.max)} ms (actual minus planned send)`);
  }
  lines.push('');
  const hasUncorrected = report.latencyUncorrected !== undefined;
  const untrusted = untrustedFigures(report);
  lines.push(hasUncorrected ? 'latency (ms)   corrected  uncorrected' : 'latency (ms)');
  for (const [key, label] of ROWS) {
    const value = report.latency[key];
    if (value === undefined) continue;
    const mark = untrusted.has(key) ? ' *' : '  ';
    const uncorrected = hasUncorrected ? formatMs(report.latencyUncorrected?.[key]).padStart(11) : '';
    lines.push(`  ${label.padEnd(8)} ${formatMs(value).padStart(10)}${mark}${uncorrected}`);
  }
  if (Object.keys(report.latency).length === 0) lines.push('  (no response received)');
  else if (hasUncorrected) lines.push('  corrected: from each request\'s planned send time, so a stall shows (coordinated omission); uncorrected: from the actual send');
  if (untrusted.size > 0) lines.push(`  * ${untrustedLegend(generatorDelayName(report))}`);
  if (report.llm) lines.push('', ...formatLlmLines(report.llm));
  const kinds = Object.entries(report.errors.byKind).filter(([, count]) => count > 0);
  if (kinds.length > 0) {
    lines.push('');
    lines.push('errors');
    for (const [kind, count] of kinds) lines.push(`  ${kind.padEnd(18)} ${count}`);
    for (const [status, count] of Object.entries(report.errors.byStatus)) lines.push(`  HTTP ${status.padEnd(13)} ${count}`);
    for (const sample of firstSamplePerStatus(report)) {
      lines.push(`  HTTP ${sample.status} said${sample.line === undefined ? '' : ` (line ${sample.line})`}: ${sample.problem !== undefined ? `(${sample.problem}) ` : ''}${oneLine(sample.sample, 100)}`);
    }
    const byLine = report.errors.byPayloadLine;
    if (byLine) {
      lines.push(`  by payload line: ${byLine.linesWithErrors} of ${byLine.lines} lines failed${byLine.linesWithErrors > CONSOLE_LINES ? `, the ${CONSOLE_LINES} worst:` : ':'}`);
      for (const l of byLine.worst.slice(0, CONSOLE_LINES)) lines.push(`    line ${String(l.line).padEnd(10)} ${l.errors} of ${l.requests} failed (${percent(l.errors / l.requests)})`);
    }
  }
  if (extraLines.length > 0) lines.push('', ...extraLines);
  return lines.join('\n');
}

function describeLoad(report: Report): string {
  const s = report.settings;
  switch (report.tool) {
    case 'wrk':
      return `${plural(s.connections, 'connection')} over ${plural(s.threads, 'thread')}, closed loop`;
    case 'wrk2':
      return `${s.rate} req/s over ${plural(s.connections, 'connection')} and ${plural(s.threads, 'thread')}`;
    case 'labench':
      return `${s.rate} req/s from ${plural(s.clients, 'client')}, ${s.timeoutSec}s timeout`;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatMs(value: number | undefined): string {
  if (value === undefined) return '-';
  return value >= 100 ? value.toFixed(1) : value.toFixed(3);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 2)}%`;
}

/** One body per status for the console; report.json and the HTML page keep a few. */
function firstSamplePerStatus(report: Report): NonNullable<Report['errors']['samples']> {
  const seen = new Set<number>();
  return (report.errors.samples ?? []).filter((sample) => !seen.has(sample.status) && seen.add(sample.status));
}

/** A body on one console line: whitespace folded, cut at `width` characters. */
function oneLine(text: string, width: number): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  if (folded === '') return '(empty body)';
  return folded.length > width ? `${folded.slice(0, width - 3)}...` : folded;
}


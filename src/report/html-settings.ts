import { redactHeaders } from '../core/redact.js';
import { loadModelOf } from '../load/models/registry.js';
import { escapeHtml, formatNumber, formatRps, formatUtcTime } from './format.js';
import type { Report } from './report.js';
import { requestSettingRows } from './request-settings.js';

/**
 * The HTML report's Settings section: every setting that shaped the run (target, load, what was
 * sent and when, the Azure deployment), the headers with secrets redacted, and the artifacts.
 * `url` is the target URL already redacted.
 */
export function settingsSection(report: Report, url: string): string {
  const s = report.settings;
  const model = loadModelOf(s.tool);
  const azure = report.target.azure;
  const rows: [string, string][] = [
    ['target', `${report.target.method} ${url}`],
    ...(azure ? [['Azure deployment', describeAzure(azure)] as [string, string]] : []),
    ...(report.target.tls ? [['TLS certificate', `${report.target.tls.verified ? 'verified by' : 'NOT verified:'} ${report.target.tls.by}`] as [string, string]] : []),
    ...(report.displayName !== undefined ? [['run name', report.displayName] as [string, string]] : []),
    ...(report.experimentName !== undefined ? [['experiment', report.experimentName] as [string, string]] : []),
    ['tool', s.tool],
    ['engine', `${report.engine.name} ${report.engine.version}`],
    ['duration', `${formatNumber(s.durationSec)} s${describeWarmup(report)}`],
    ['connections', model?.ticker ? 'n/a (a client pool)' : String(s.connections)],
    ['threads', String(s.threads)],
    ['rate', model?.loop === 'closed' ? 'n/a (closed loop)' : formatRps(s.rate)],
    ['clients', model?.ticker ? String(s.clients) : 'n/a'],
    ['timeout', `${formatNumber(s.timeoutSec)} s`],
    ...requestSettingRows(s),
    ['start', formatUtcTime(report.startTime)],
    ['end', formatUtcTime(report.endTime)],
    ['modelprof', report.modelprofVersion],
  ];
  const headers = Object.entries(redactHeaders(s.headers));
  const headerRows = headers.length
    ? headers.map(([name, value]) => `<tr><th><code>${escapeHtml(name)}</code></th><td><code>${escapeHtml(value)}</code></td></tr>`).join('')
    : '<tr><td colspan="2" class="empty">none</td></tr>';
  const artifacts = report.artifacts.length ? `<h3>Artifacts</h3><ul>${report.artifacts.map((a) => `<li><code>${escapeHtml(a)}</code></li>`).join('')}</ul>` : '';
  return `<section id="settings"><h2>Settings</h2><div class="two-col"><table class="kv">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table><div><h3>Headers <span class="meta">(secrets redacted)</span></h3><table class="kv">${headerRows}</table>${artifacts}</div></div></section>`;
}

function describeWarmup(report: Report): string {
  const { warmup } = report;
  if (warmup.excluded === 'latency') return `, latency from after its first ~${formatNumber(warmup.seconds)} s (${report.tool}'s calibration; counts cover the whole run)`;
  return warmup.seconds > 0 ? ` (+ ${formatNumber(warmup.seconds)} s warm-up, in no figure)` : ', no warm-up';
}

function describeAzure(azure: NonNullable<Report['target']['azure']>): string {
  const parts = [`${azure.endpoint}/${azure.deployment} in workspace ${azure.workspace} (resource group ${azure.resourceGroup})`];
  if (azure.instanceType !== undefined) parts.push(`${azure.instanceCount ?? '?'} x ${azure.instanceType}`);
  if (azure.maxConcurrentRequestsPerInstance !== undefined) parts.push(`at most ${azure.maxConcurrentRequestsPerInstance} concurrent requests an instance`);
  if (azure.requestTimeoutSec !== undefined) parts.push(`request timeout ${formatNumber(azure.requestTimeoutSec)} s`);
  return parts.join(', ');
}

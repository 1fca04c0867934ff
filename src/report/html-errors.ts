import { judgeTarget } from '../judge/target-outcome.js';
import { ERROR_KINDS } from '../record/result.js';
import { escapeHtml, formatCount, formatShare } from './format.js';
import type { Report } from './report.js';

/** The Errors section: what failed and what it means, by kind, by status, and by payload line. */
export function errorsSection(report: Report): string {
  if (report.requests.errors === 0) return '';
  const kinds = ERROR_KINDS.filter((k) => report.errors.byKind[k] > 0)
    .map((k) => `<tr><th>${escapeHtml(k.replace('_', ' '))}</th><td class="num">${formatCount(report.errors.byKind[k])}</td></tr>`)
    .join('');
  const statuses = Object.entries(report.errors.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `<tr><th>HTTP ${escapeHtml(status)}</th><td class="num">${formatCount(count)}</td></tr>`)
    .join('');
  const seen = judgeTarget(report).seen;
  return `<section id="errors"><h2>Errors</h2>${seen ? `<p>${escapeHtml(seen)}.</p>` : ''}<div class="two-col"><table><thead><tr><th>kind</th><th class="num">count</th></tr></thead><tbody>${kinds}</tbody></table>${statuses ? `<table><thead><tr><th>status</th><th class="num">count</th></tr></thead><tbody>${statuses}</tbody></table>` : ''}</div>${payloadLines(report)}${bodySamples(report)}</section>`;
}

function payloadLines(report: Report): string {
  const byLine = report.errors.byPayloadLine;
  if (!byLine) return '';
  const rows = byLine.worst
    .map((l) => `<tr><th>line ${l.line}</th><td class="num">${formatCount(l.errors)}</td><td class="num">${formatCount(l.requests)}</td><td class="num">${formatShare(l.errors / l.requests)}</td></tr>`)
    .join('');
  const shown = byLine.worst.length < byLine.linesWithErrors ? ` (the ${byLine.worst.length} worst shown)` : '';
  return `<h3>By payload line</h3><p>${formatCount(byLine.linesWithErrors)} of ${formatCount(byLine.lines)} lines of ${escapeHtml(report.settings.payload.origin)} had errors${shown}.</p><table><thead><tr><th>line</th><th class="num">errors</th><th class="num">requests</th><th class="num">failed</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function bodySamples(report: Report): string {
  // Bad answers (--api) have their own section with the token figures.
  const samples = (report.errors.samples ?? []).filter((sample) => sample.problem === undefined);
  if (samples.length === 0) return '';
  const rows = samples
    .map((s) => `<tr><th>HTTP ${s.status}</th><td>${s.line === undefined ? '' : `line ${s.line}`}</td><td><code>${escapeHtml(s.sample)}${s.truncated ? ' …' : ''}</code></td></tr>`)
    .join('');
  return `<h3>What the target said</h3><p>The first error answers' bodies, a few per status, secrets redacted.</p><table><thead><tr><th>status</th><th>payload</th><th>body</th></tr></thead><tbody>${rows}</tbody></table>`;
}

import { figureLabel } from '../judge/trust.js';
import { escapeHtml, formatMs } from './format.js';
import { validityRows } from './validity-rules.js';
import type { Report } from './report.js';
import type { RunVerdict } from '../judge/run-verdict.js';
import { generatorDelayName, untrustedFigures, validityHeadline } from './validity-text.js';

/** The report page's run-validity section: the verdict and its reasons, the checks, the send lag and the trust of each figure. */

/** Caveats that do not void the run but qualify its figures (`besidesPartial`: the partial run is said elsewhere). */
export function warningList(report: Report, besidesPartial = false): string {
  const warnings = (report.validity.warnings ?? []).filter((w) => !(besidesPartial && w.startsWith('partial run:')));
  if (warnings.length === 0) return '';
  return `<ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`;
}

/** What the external program that measured cannot do, where it shapes these figures (the console's `~` lines). */
export function limitList(report: Report): string {
  const limits = report.limits ?? [];
  if (limits.length === 0) return '';
  return `<ul class="limits">${limits.map((limit) => `<li>${escapeHtml(limit)}</li>`).join('')}</ul>`;
}


export function validitySection(report: Report, verdict?: RunVerdict): string {
  // The checks of the rule in force for this engine and model, each beside the bar it is held to.
  const checks = validityRows(report)
    .map((row) => `<tr><th>${escapeHtml(row.label)}</th><td class="num">${escapeHtml(row.value)}</td><td class="rule">${escapeHtml(row.rule ?? '')}</td></tr>`)
    .join('');
  const headline = validityHeadline(report, verdict);
  const status = `<p>${escapeHtml(headline.title)}.</p>${
    report.validity.reasons.length > 0 ? `<ul class="reasons">${report.validity.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''
  }`;
  const warnings = report.validity.warnings?.length ? `<h3>Caveats</h3>${warningList(report)}` : '';
  const limits = report.limits?.length ? `<h3>What ${escapeHtml(report.tool)} cannot measure</h3>${limitList(report)}` : '';
  const notes = report.notes.length ? `<h3>Notes</h3><ul>${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<section id="validity"><h2>Run validity</h2>${status}${warnings}${limits}<div class="two-col two-col-wide-right">${checks ? `<table class="kv">${checks}</table>` : '<div></div>'}${trustTable(report)}</div>${notes}</section>`;
}

/** The generator's delay and, figure by figure, whether it could have moved it (send lag for an open loop, event-loop delay for the closed loop). */
function trustTable(report: Report): string {
  const { sendLag } = report.validity;
  const trust = report.validity.trust;
  if (!trust || trust.length === 0) return '';
  const untrusted = untrustedFigures(report);
  const rows = trust
    .map((f) => {
      const trusted = !untrusted.has(f.figure);
      const why = f.belowUntrusted !== undefined && !trusted ? ` title="${escapeHtml(`its own part is within the tolerance, but ${figureLabel(f.belowUntrusted)} below it is not trusted`)}"` : '';
      return `<tr><th>${escapeHtml(figureLabel(f.figure))}</th><td class="num">${escapeHtml(formatMs(f.latencyMs))}</td><td class="num">${escapeHtml(formatMs(f.lagMs))}</td><td class="num">${escapeHtml(formatMs(f.limitMs))}</td><td><span class="pill pill-${trusted ? 'pass' : 'not-judged'}"${why}>${trusted ? 'trusted' : 'not trusted'}</span></td></tr>`;
    })
    .join('');
  const judgedOn =
    generatorDelayName(report) === 'send lag'
      ? `${sendLag ? `Send lag (actual minus planned send): p50 ${formatMs(sendLag.p50)}, p90 ${formatMs(sendLag.p90)}, p99 ${formatMs(sendLag.p99)}, p99.9 ${formatMs(sendLag.p999)}, max ${formatMs(sendLag.max)}. ` : ''}A figure is trusted when the generator's estimated part in it (the send lag at the percentile halfway to 100; max at the lag's max) is at most 5% of it or 0.1 ms, and every figure below it is trusted.`
      : "Closed loop: no plan to be late against, so each figure is judged on the generator's event-loop delay at the same percentile (its delay in reading answers). A figure is trusted when that delay is at most 5% of it or 0.1 ms, and every figure below it is trusted.";
  return `<div><p class="meta">${escapeHtml(judgedOn)}</p><div class="table-scroll"><table class="trust"><thead><tr><th>latency</th><th class="num">value</th><th class="num">generator's part</th><th class="num">tolerated</th><th></th></tr></thead><tbody>${rows}</tbody></table></div></div>`;
}

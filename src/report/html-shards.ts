import { escapeHtml, formatCount, formatMs, formatRps } from './format.js';
import type { Report } from './report.js';

/**
 * The HTML section on scale-out: for a merged report, one row per shard (missing shards included)
 * so a reader sees which generator measured what; for a shard's own report, which part of which
 * run it is. Empty for an ordinary run.
 */
export function shardsSection(report: Report): string {
  if (report.shard) {
    const { index, count, run } = report.shard;
    return `<section id="shards"><h2>Shard</h2><p>Shard ${index} of ${count} (0-based) of a run of ${escapeHtml(String(run.rate))} req/s over ${run.connections} connections; its part is shown here. Merge the shards' reports with <code>modelprof merge</code>.</p></section>`;
  }
  if (!report.merge) return '';
  const { count, missing, shards } = report.merge;
  const rows = Array.from({ length: count }, (_, index) => {
    const shard = shards.find((s) => s.index === index);
    if (!shard) return `<tr><td class="num">${index}</td><td colspan="7"><strong>missing</strong>: no report (died, never started, or not given to the merge)</td></tr>`;
    const cells = [
      escapeHtml(shard.source),
      escapeHtml(shard.startTime),
      formatCount(shard.requests.total),
      formatRps(shard.rps),
      shard.latency.p50 !== undefined ? formatMs(shard.latency.p50) : '–',
      shard.latency.p99 !== undefined ? formatMs(shard.latency.p99) : '–',
      (shard.valid ? 'valid' : '<strong>invalid</strong>') + (shard.partial ? `, partial: ${escapeHtml(shard.partial)}` : ''),
    ];
    return `<tr><td class="num">${index}</td>${cells.map((cell, i) => `<td${i >= 2 && i <= 5 ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`;
  });
  const summary = `Merged from ${shards.length} of ${count} shards${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}. Histograms were added exactly and counts summed; each shard's own figures are below.`;
  return `<section id="shards"><h2>Shards</h2><p class="meta">${summary}</p><table><thead><tr><th class="num">shard</th><th>report</th><th>start</th><th class="num">requests</th><th class="num">req/s</th><th class="num">p50</th><th class="num">p99</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

import { TRUST_FLOOR_MS, TRUST_SHARE } from '../judge/trust.js';
import type { LatencySummary } from '../record/result.js';
import type { LlmSection } from '../record/token-summary.js';
import { escapeHtml, formatCount, formatMs, formatNumber, formatShare } from './format.js';
import { formatPercentile, logBound, renderChart, type Series } from './html-charts.js';
import { spectrumFromHistogram } from './latency-spectrum.js';
import { LLM_COLUMNS } from './llm-console.js';
import type { Report } from './report.js';

/** What each token figure is, as the README defines it. */
const ROWS: readonly { key: 'ttft' | 'ttftUncorrected' | 'itl' | 'tpot' | 'e2e' | 'e2eUncorrected'; name: string; label: string; color: string }[] = [
  { key: 'ttft', name: 'ttft', label: 'TTFT: send to first token', color: '#2563eb' },
  { key: 'ttftUncorrected', name: 'ttft uncorrected', label: 'TTFT from the actual send', color: '#94a3b8' },
  { key: 'itl', name: 'itl', label: 'ITL: every gap between tokens', color: '#16a34a' },
  { key: 'tpot', name: 'tpot', label: 'TPOT: (e2e - TTFT) / (tokens - 1)', color: '#ea580c' },
  { key: 'e2e', name: 'e2e', label: 'e2e: send to last byte', color: '#7c3aed' },
  { key: 'e2eUncorrected', name: 'e2e uncorrected', label: 'e2e from the actual send', color: '#c4b5fd' },
];

/** The HTML report's LLM section: token figures, their spectrum, throughput, goodput and the bad answers kept. */
export function llmSection(report: Report): string {
  const llm = report.llm;
  const samples = badAnswerSamples(report);
  if (!llm) return samples;
  const summary = `<p class="meta">${escapeHtml(describe(llm))}</p>`;
  const present = ROWS.filter(({ key }) => llm[key] !== undefined && Object.keys(llm[key]!).length > 0);
  const untrustedItl = new Set(llm.itlTrust?.untrusted ?? []);
  const cell = (key: (typeof ROWS)[number]['key'], field: keyof LatencySummary, label: string): string => {
    const value = llm[key]![field];
    if (value === undefined) return '<td class="num"></td>';
    // As the console does: an ITL figure the generator's read delay could have moved is starred.
    return key === 'itl' && untrustedItl.has(label)
      ? `<td class="num untrusted" title="${escapeHtml(ITL_UNTRUSTED_LEGEND)}">${escapeHtml(formatMs(value))} <span class="untrusted-mark">*</span></td>`
      : `<td class="num">${escapeHtml(formatMs(value))}</td>`;
  };
  const table =
    present.length === 0
      ? '<p class="empty">No answer was streamed, so there is no TTFT or ITL (ask for a stream: leave out --no-stream).</p>'
      : `<div class="table-scroll"><table class="percentiles tokens"><thead><tr><th>ms</th>${LLM_COLUMNS.map(([, label]) => `<th class="num">${label}</th>`).join('')}</tr></thead><tbody>${present
          .map(({ key, name }) => `<tr><th>${escapeHtml(name)}</th>${LLM_COLUMNS.map(([field, label]) => cell(key, field, label)).join('')}</tr>`)
          .join('')}</tbody></table>${itlTrustLine(llm)}</div>`;
  // Seven columns do not fit beside the chart at 1000 px: the chart above, the table below it.
  return `<section id="llm"><h2>Tokens</h2>${summary}${chart(llm)}${table}${samples}</section>`;
}

const ITL_UNTRUSTED_LEGEND = `not trusted: the generator's own delay in reading tokens could have moved it by more than ${TRUST_SHARE * 100}% (or ${TRUST_FLOOR_MS} ms)`;

/** Which ITL figures the generator's read delay could have moved, as the console says it. */
function itlTrustLine(llm: LlmSection): string {
  const trust = llm.itlTrust;
  if (!trust) return '';
  const lag = `event-loop lag p99 ${formatNumber(trust.lagP99Ms)} ms, max ${formatNumber(trust.lagMaxMs)} ms`;
  if (trust.untrusted.length === 0) return `<p class="meta">Every ITL figure trusted (the generator's read delay: ${escapeHtml(lag)}).</p>`;
  return `<p class="meta"><span class="untrusted-mark">*</span> ITL ${escapeHtml(trust.untrusted.join(', '))} ${escapeHtml(ITL_UNTRUSTED_LEGEND)} (its read delay: ${escapeHtml(lag)}); ITL trusted up to ${escapeHtml(trust.trustedUpTo ?? 'no figure')}.</p>`;
}

function describe(llm: LlmSection): string {
  const parts = [`${formatCount(llm.answers)} valid ${llm.api} answers, ${formatCount(llm.streamed)} streamed`];
  if (llm.outputTokens) parts.push(`${formatCount(llm.outputTokens.total)} output tokens (${formatNumber(llm.outputTokens.perRequest)} a request, from ${llm.outputTokens.source})`);
  if (llm.inputTokens) parts.push(`${formatCount(llm.inputTokens.total)} input tokens (${formatNumber(llm.inputTokens.perRequest)} a request, from ${llm.inputTokens.source})`);
  if (llm.outputTokensPerSec !== undefined) parts.push(`${formatNumber(llm.outputTokensPerSec, 4)} output tokens/s`);
  if (llm.requestTokensPerSec) parts.push(`per request ${formatNumber(llm.requestTokensPerSec.p50)} tokens/s at the median, ${formatNumber(llm.requestTokensPerSec.p10)} for the slowest 10%`);
  if (llm.goodput) {
    const share = llm.goodput.share === undefined ? 'no request could be judged' : `${formatShare(llm.goodput.share)} of requests met every objective`;
    parts.push(`goodput (${llm.goodput.objectives}): ${share}, ${formatNumber(llm.goodput.rps, 4)} good req/s`);
  }
  if (llm.endedWithoutDone > 0) parts.push(`${formatCount(llm.endedWithoutDone)} streams ended without data: [DONE]`);
  return `${parts.join('; ')}.`;
}

function chart(llm: LlmSection): string {
  const series: Series[] = [];
  for (const { key, label, color } of ROWS) {
    const encoded = llm.histograms[key];
    if (encoded === undefined) continue;
    const points = spectrumFromHistogram(encoded);
    if (points.length > 0) series.push({ name: label, color, points, style: 'line', dashed: key.endsWith('Uncorrected') });
  }
  const values = series.flatMap((s) => s.points.map(([, v]) => v ?? 0)).filter((v) => v > 0);
  if (values.length === 0) return '';
  const maxP = Math.max(...series.flatMap((s) => s.points.map(([p]) => p)), 99);
  return renderChart({
    id: 'chart-tokens',
    title: 'Token latency by percentile',
    caption: "From the run's token HdrHistograms; the x axis stretches the tail: each step is one more nine.",
    x: { label: 'percentile', scale: 'tail', min: 0, max: maxP, format: formatPercentile },
    y: { label: 'ms (log scale)', scale: 'log10', min: logBound(Math.min(...values), 'down'), max: logBound(Math.max(...values), 'up'), format: formatNumber, unit: 'ms' },
    series,
    height: 300,
  });
}

function badAnswerSamples(report: Report): string {
  const samples = (report.errors.samples ?? []).filter((sample) => sample.problem !== undefined);
  if (samples.length === 0) return '';
  const items = samples
    .map((sample) => `<li><b>${escapeHtml(sample.problem!)}</b> (HTTP ${sample.status})<pre>${escapeHtml(sample.sample)}</pre></li>`)
    .join('');
  return `<h3>Answers that were not valid (bad_response)</h3><p class="meta">The first bytes of each, credentials redacted.</p><ul>${items}</ul>`;
}

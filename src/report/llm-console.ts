import type { LatencySummary } from '../record/result.js';
import type { LlmSection } from '../record/token-summary.js';
import { formatCount, formatNumber, formatShare } from './format.js';

/** The statistics the token latencies are shown with, console and page alike. */
export const LLM_COLUMNS: readonly [keyof LatencySummary, string][] = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
  ['mean', 'mean'],
];

/**
 * The console lines of the `llm` section: answers, tokens and throughput, the token latencies
 * (corrected beside uncorrected for open-loop plans), per-request tokens/s and goodput.
 */
export function formatLlmLines(llm: LlmSection): string[] {
  const lines: string[] = [];
  const without = llm.endedWithoutDone > 0 ? `, ${formatCount(llm.endedWithoutDone)} ended without [DONE]` : '';
  lines.push(`LLM (${llm.api})  ${formatCount(llm.answers)} valid answers, ${formatCount(llm.streamed)} streamed${without}`);
  const tokens: string[] = [];
  if (llm.outputTokens) tokens.push(`out ${formatCount(llm.outputTokens.total)} (${formatNumber(llm.outputTokens.perRequest)}/request, ${llm.outputTokens.source})`);
  if (llm.inputTokens) tokens.push(`in ${formatCount(llm.inputTokens.total)} (${formatNumber(llm.inputTokens.perRequest)}/request, ${llm.inputTokens.source})`);
  if (llm.outputTokensPerSec !== undefined) tokens.push(`${formatNumber(llm.outputTokensPerSec, 4)} output tokens/s`);
  if (tokens.length > 0) lines.push(`  tokens   ${tokens.join(', ')}`);
  const rows: [string, LatencySummary | undefined][] = [
    ['ttft', llm.ttft],
    ['ttft uncorrected', llm.ttftUncorrected],
    ['itl', llm.itl],
    ['tpot', llm.tpot],
    ['e2e', llm.e2e],
    ['e2e uncorrected', llm.e2eUncorrected],
  ];
  const present = rows.filter((row): row is [string, LatencySummary] => row[1] !== undefined && Object.keys(row[1]).length > 0);
  if (present.length > 0) {
    lines.push(`  ${'(ms)'.padEnd(17)}${LLM_COLUMNS.map(([, label]) => label.padStart(10)).join('')}`);
    for (const [name, summary] of present) {
      lines.push(`  ${name.padEnd(17)}${LLM_COLUMNS.map(([key]) => formatCell(summary[key]).padStart(10)).join('')}`);
    }
  }
  if (llm.itlTrust) {
    const trust = llm.itlTrust;
    const verdict = trust.untrusted.length === 0 ? 'every ITL figure trusted' : `ITL trusted up to ${trust.trustedUpTo ?? 'no figure'}; ${trust.untrusted.join(', ')} could be the generator's`;
    lines.push(`  ${verdict} (its read delay: event-loop lag p99 ${formatNumber(trust.lagP99Ms)} ms, max ${formatNumber(trust.lagMaxMs)} ms)`);
  }
  const rate = llm.requestTokensPerSec;
  if (rate) {
    lines.push(`  tokens/s per request: mean ${formatNumber(rate.mean)}, p50 ${formatNumber(rate.p50)}, slowest 10% below ${formatNumber(rate.p10)}, slowest 1% below ${formatNumber(rate.p1)}`);
  }
  const goodput = llm.goodput;
  if (goodput) {
    const undetermined = goodput.undetermined > 0 ? ` (${formatCount(goodput.undetermined)} not judged: no figure for an objective)` : '';
    const share = goodput.share === undefined ? 'no request could be judged' : `${formatShare(goodput.share)} of requests met every objective`;
    lines.push(`  goodput  ${goodput.objectives}: ${share}, ${formatNumber(goodput.rps, 4)} good req/s${undetermined}`);
  }
  return lines;
}

function formatCell(value: number | undefined): string {
  if (value === undefined) return '-';
  return value >= 100 ? value.toFixed(1) : value.toFixed(3);
}

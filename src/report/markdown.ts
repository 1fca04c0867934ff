import { appendFile } from 'node:fs/promises';
import { ToolError } from '../core/errors.js';
import { judgeTarget, targetHeadline } from '../judge/target-outcome.js';
import { judgeRun, type RunVerdict } from '../judge/run-verdict.js';
import type { Report } from './report.js';
import { formatCount, formatMs, formatRps, formatShare } from './format.js';
import { formatLimit, type SlaVerdict } from '../judge/sla.js';
import { formatMetricValue } from './metric-format.js';
import { redactUrl } from '../core/redact.js';
import { generatorDelayName, untrustedFigures, untrustedLegend, validityHeadline } from './validity-text.js';

/**
 * A short Markdown summary for CI job pages (GitHub's $GITHUB_STEP_SUMMARY): the verdict, the SLA
 * clauses and the key figures. Report strings are escaped: Markdown cells must not break the table
 * and the page renders inline HTML.
 */
export function renderMarkdownSummary(report: Report, verdict?: SlaVerdict): string {
  const run = judgeRun(report, verdict);
  const lines: string[] = [];
  lines.push(`### modelprof: ${headline(run)}`, '');
  lines.push(`\`${code(`${report.target.method} ${redactUrl(report.target.url)}`)}\` · ${report.tool} · ${formatCount(report.measuredSeconds)} s measured · ${report.startTime}`, '');
  if (!report.validity.valid) {
    lines.push(`${inline(validityHeadline(report, run).title)}:`, '');
    for (const reason of report.validity.reasons) lines.push(`- ${inline(reason)}`);
    lines.push('');
  }
  const target = targetHeadline(judgeTarget(report));
  if (target) lines.push(`> **${inline(target)}**`, '');
  for (const warning of report.validity.warnings ?? []) lines.push(`> ${inline(warning)}`, '');
  if (report.partial) lines.push(`> Run ended early: ${inline(report.partial)}`, '');
  if (verdict && verdict.results.length > 0) {
    lines.push('| SLA clause | actual | limit | result |', '| --- | ---: | ---: | --- |');
    for (const result of verdict.results) {
      const actual = result.actual === undefined ? 'n/a' : formatMetricValue(result.clause.ref, result.actual, result.resourceUnit);
      const status = result.status === 'not-judged' ? `⚠️ ${cell(result.message)}` : result.pass ? '✅ pass' : `❌ fail`;
      const why = result.status === 'fail' && result.actual === undefined ? `: ${cell(result.message)}` : '';
      lines.push(`| \`${code(result.clause.text)}\` | ${cell(actual)} | ${cell(formatLimit(result.clause, result.resourceUnit))} | ${status}${why} |`);
    }
    lines.push('');
  }
  const latency = report.latency;
  const untrusted = untrustedFigures(report);
  const ms = (v: number | undefined, key = ''): string => (v === undefined ? 'n/a' : `${formatMs(v)}${untrusted.has(key) ? ' ⚠️' : ''}`);
  lines.push('| requests | rps | error rate | p50 | p90 | p99 | p99.9 | max |', '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  lines.push(
    `| ${[
      formatCount(report.requests.total),
      formatRps(report.throughput.rps),
      formatShare(report.errors.rate),
      ms(latency.p50, 'p50'),
      ms(latency.p90, 'p90'),
      ms(latency.p99, 'p99'),
      ms(latency.p999, 'p999'),
      ms(latency.max, 'max'),
    ].join(' | ')} |`,
  );
  if (untrusted.size > 0) lines.push('', `⚠️ ${untrustedLegend(generatorDelayName(report))}.`);
  return `${lines.join('\n')}\n`;
}

const MARKS: Record<RunVerdict['outcome'], string> = { pass: '✅ ', fail: '❌ ', 'no-verdict': '⚠️ ', 'target-error': '❌ ' };

/** The run's one verdict (judge/run-verdict.ts), marked: a measurement without an SLA passes nothing, so it has no tick. */
function headline(run: RunVerdict): string {
  const mark = run.kind === 'measured' ? '' : run.kind === 'high-error-rate' ? '⚠️ ' : MARKS[run.outcome];
  return `${mark}${inline(run.title)}`;
}

/** Table cell text: pipes, HTML and Markdown punctuation escaped, on one line. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

function inline(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]<>&#|]/g, (c) => `\\${c}`);
}

/** Inside a code span only a backtick can break out. */
function code(text: string): string {
  return text.replace(/`/g, "'").replace(/\r?\n/g, ' ');
}

/**
 * Appends to the file GitHub Actions names in GITHUB_STEP_SUMMARY; does nothing when it is unset.
 * Returns the path written, if any.
 */
export async function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return undefined;
  try {
    await appendFile(path, `${markdown}\n`);
  } catch (error) {
    throw new ToolError(`GITHUB_STEP_SUMMARY: cannot append to ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return path;
}

import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { OutputError, ToolError } from '../core/errors.js';
import { formatResourceSummary } from '../monitors/resource-summary.js';
import { formatServerClientLatency, serverClientLatency } from '../report/server-latency.js';
import { formatSummary } from '../report/console.js';
import { renderHtmlReport } from '../report/html.js';
import { renderJunit } from '../report/junit.js';
import { appendStepSummary, renderMarkdownSummary } from '../report/markdown.js';
import { readReportFile, reportPathOf } from '../report/read-report.js';
import type { Report } from '../report/report.js';
import { evaluateSla, parseSla, verdictOfStored, type SlaVerdict } from '../judge/sla.js';
import { judgeRun, type RunVerdict } from '../judge/run-verdict.js';
import { exitCodeForVerdict } from './exit-codes.js';
import { collect } from './collect.js';
import { writeErr, writeOut } from './colour.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render report.html from a report.json, and judge it against an SLA')
    .argument('<report.json>', 'a report written by modelprof run')
    .option('-o, --output <file>', 'where to write the HTML (default: report.html beside report.json)')
    .option('--sla <clauses>', 'SLA to judge anew, e.g. "p99<=200ms, error_rate<0.1%, rps>=100"; repeatable (default: the SLA the run was judged on, kept in report.json)', collect)
    .option('--junit <file>', 'also write JUnit XML: one test case per SLA clause')
    .addHelpText(
      'after',
      '\nWithout --sla, the SLA the run was judged on (kept in report.json) decides, so the page and the exit code are the run\'s.\n' +
        'Exit codes: 0 pass, 1 SLA failed, 2 bad settings or report file, 3 no verdict (load not delivered, a clause the\n' +
        'generator\'s lag could flip, or an invalid run without an SLA), 4 target error.\n' +
        'When GITHUB_STEP_SUMMARY is set, a Markdown summary is appended to it.',
    )
    .action(async (reportPath: string, options: { output?: string; sla?: string[]; junit?: string }) => {
      process.exitCode = await reportCommand(reportPath, options);
    });
}

async function reportCommand(given: string, options: { output?: string; sla?: string[]; junit?: string }): Promise<number> {
  const clauses = options.sla && options.sla.length > 0 ? parseSla(options.sla.join(','), '--sla') : [];
  const reportPath = await reportPathOf(given);
  const report = await readReportFile(reportPath);
  // Without --sla, the SLA the run was judged on (report.json keeps it): the page and the exit code are the run's own.
  const verdict = clauses.length > 0 ? evaluateSla(clauses, report) : verdictOfStored(report.sla);
  const htmlPath = options.output ?? join(dirname(reportPath), 'report.html');
  await writeOutput(htmlPath, renderHtmlReport(report, verdict), '--output');
  if (options.junit) await writeOutput(options.junit, renderJunit(verdict, report), '--junit');
  await appendSummary(renderMarkdownSummary(report, verdict));
  writeOut(`${formatRunSummary(report, verdict)}\n\nhtml:   ${htmlPath}\n${options.junit ? `junit:  ${options.junit}\n` : ''}`);
  return exitCodeForVerdict(report, verdict);
}

/** The console summary of a run: figures, what the monitors saw, and the SLA's verdict when one was given. */
export function formatRunSummary(report: Report, verdict?: SlaVerdict): string {
  const latencyRows = serverClientLatency(report);
  const resources = [
    ...(report.resources ? formatResourceSummary(report.resources) : []),
    ...(latencyRows ? ['', ...formatServerClientLatency(latencyRows)] : []),
  ];
  const run = judgeRun(report, verdict);
  const verdictLines = formatVerdictLines(run).trimEnd().split('\n').filter((line) => line !== '');
  return formatSummary(report, [...resources, ...(resources.length > 0 && verdictLines.length > 0 ? [''] : []), ...verdictLines], run);
}

/** One line per SLA clause, then the run's verdict (judge/run-verdict.ts) and what it rests on, for the console. */
export function formatVerdictLines(verdict: RunVerdict): string {
  const lines: string[] = [];
  for (const result of verdict.sla?.results ?? []) {
    const status = result.status === 'not-judged' ? 'n/a ' : result.pass ? 'pass' : 'FAIL';
    lines.push(`${status}  ${result.clause.text.padEnd(28)}  ${result.message}`);
  }
  // Without an SLA, a measured run's verdict is the validity headline above; the banner says a target error.
  const said = !verdict.sla && (verdict.kind === 'measured' || verdict.kind === 'high-error-rate' || verdict.outcome === 'target-error');
  if (!said) lines.push(verdict.outcome === 'pass' ? verdict.title : `${verdict.title}: ${verdict.detail}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

async function writeOutput(path: string, contents: string, flag: string): Promise<void> {
  try {
    await writeFile(path, contents);
  } catch (error) {
    throw new OutputError(`${flag}: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** The job summary is a courtesy: failing to write it warns, it does not change the verdict. */
export async function appendSummary(markdown: string): Promise<void> {
  try {
    await appendStepSummary(markdown);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    writeErr(`modelprof: warning: ${error.message}\n`);
  }
}

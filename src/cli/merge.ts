import { join } from 'node:path';
import type { Command } from 'commander';
import { SettingsError } from '../core/errors.js';
import { renderHtmlReport } from '../report/html.js';
import { renderJunit } from '../report/junit.js';
import { renderMarkdownSummary } from '../report/markdown.js';
import { readReportFile } from '../report/read-report.js';
import { evaluateSla, parseSla } from '../judge/sla.js';
import { prepareOutputDir, writeFileAtomically } from '../run/profile.js';
import { awaitReportFiles, findReportFiles } from '../scale/collect-reports.js';
import { mergeReports } from '../scale/merge.js';
import { parseStartAt, SYSTEM_WAIT_CLOCK } from '../scale/start-at.js';
import { exitCodeForVerdict } from './exit-codes.js';
import { appendSummary, formatRunSummary } from './report.js';
import { positiveInteger } from '../core/numbers.js';

interface MergeOptions {
  output: string;
  allowMissing?: boolean;
  shards?: string;
  waitUntil?: string;
  sla?: string;
  junit?: string;
  json?: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the reports of the shards of one run (--shard) into one report: histograms added exactly, counts summed')
    .argument('<report...>', "shard report.json files, or a folder holding each shard's folder (e.g. outputs/run holding shard-0/, shard-1/, ...)")
    .requiredOption('-o, --output <dir>', 'folder for the merged report.json and report.html')
    .option('--allow-missing', 'merge the shards that are there when some are missing; the merge names them and is not valid')
    .option('--shards <n>', "the run's shard count, checked against the reports (needed to name missing shards when none of them is there)")
    .option('--wait-until <time>', 'ISO 8601 time: wait for every shard\'s report until then (a merge step started beside its shards)')
    .option('--sla <clauses>', 'judge the merged run, e.g. "p99<=200ms, error_rate<0.1%" (exit 1 when a clause fails)')
    .option('--junit <file>', 'also write JUnit XML: one test case per SLA clause')
    .option('--json', 'print the merged report.json to stdout instead of the summary')
    .addHelpText('after', '\nExit codes: 0 pass, 1 SLA failed, 2 reports that are not one run (or missing shards without --allow-missing), 3 merged run invalid.')
    .action(async (inputs: string[], options: MergeOptions) => {
      process.exitCode = await mergeCommand(inputs, options);
    });
}

async function mergeCommand(inputs: string[], options: MergeOptions): Promise<number> {
  const expectedCount = options.shards === undefined ? undefined : positiveInteger(options.shards, '--shards');
  const sla = options.sla === undefined ? [] : parseSla(options.sla, '--sla');
  const waiting = options.waitUntil !== undefined;
  const find = (): Promise<string[]> => findReportFiles(inputs, options.output, waiting);
  let files: string[];
  if (options.waitUntil !== undefined) {
    const deadline = parseStartAt(options.waitUntil, '--wait-until', Number.NEGATIVE_INFINITY);
    if (expectedCount === undefined) throw new SettingsError('--wait-until needs --shards: the merge must know how many reports to wait for');
    files = await awaitReportFiles(find, expectedCount, deadline, SYSTEM_WAIT_CLOCK);
  } else files = await find();
  const reports = await Promise.all(files.map(async (source) => ({ source, report: await readReportFile(source) })));
  const report = mergeReports(reports, {
    ...(options.allowMissing ? { allowMissing: true } : {}),
    ...(expectedCount !== undefined ? { expectedCount } : {}),
  });
  const verdict = sla.length > 0 ? evaluateSla(sla, report) : undefined;
  await prepareOutputDir(options.output);
  const reportPath = join(options.output, 'report.json');
  const htmlPath = join(options.output, 'report.html');
  await writeFileAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomically(htmlPath, renderHtmlReport(report, verdict));
  if (options.junit) await writeFileAtomically(options.junit, renderJunit(verdict, report));
  await appendSummary(renderMarkdownSummary(report, verdict));
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatRunSummary(report, verdict)}\n\nreport: ${reportPath}\nhtml:   ${htmlPath}\n`);
  return exitCodeForVerdict(report, verdict);
}


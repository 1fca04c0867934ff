import type { Command } from 'commander';
import { SettingsError } from '../core/errors.js';
import { renderJunit } from '../report/junit.js';
import { renderMarkdownSummary } from '../report/markdown.js';
import { parseSla } from '../judge/sla.js';
import { writeFileAtomically } from '../run/output-files.js';
import { withinBound } from '../settings/bounds.js';
import { mergeReportFiles } from '../scale/merge-files.js';
import { parseStartAt } from '../scale/start-at.js';
import { exitCodeForVerdict } from './exit-codes.js';
import { appendSummary, formatRunSummary } from './report.js';
import { positiveInteger } from '../core/numbers.js';
import { writeOut } from './colour.js';

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
  const shards = options.shards === undefined ? undefined : withinBound('shards', positiveInteger(options.shards, '--shards'), '--shards', options.shards);
  const sla = options.sla === undefined ? [] : parseSla(options.sla, '--sla');
  if (options.waitUntil !== undefined && shards === undefined) throw new SettingsError('--wait-until needs --shards: the merge must know how many reports to wait for');
  const { report, reportPath, htmlPath, verdict, skipped } = await mergeReportFiles(inputs, {
    outputDir: options.output,
    ...(options.allowMissing ? { allowMissing: true } : {}),
    ...(shards !== undefined ? { shards } : {}),
    ...(options.waitUntil !== undefined ? { waitUntilMs: parseStartAt(options.waitUntil, '--wait-until', Number.NEGATIVE_INFINITY) } : {}),
    sla,
  });
  if (!options.json) for (const line of skipped) process.stderr.write(`modelprof: note: ${line}\n`);
  if (options.junit) await writeFileAtomically(options.junit, renderJunit(verdict, report));
  await appendSummary(renderMarkdownSummary(report, verdict));
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else writeOut(`${formatRunSummary(report, verdict)}\n\nreport: ${reportPath}\nhtml:   ${htmlPath}\n`);
  return exitCodeForVerdict(report, verdict);
}

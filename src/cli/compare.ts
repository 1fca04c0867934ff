import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { OutputError } from '../core/errors.js';
import { compareReports } from '../judge/compare.js';
import { parseTolerances, type Tolerances } from '../judge/tolerances.js';
import { formatComparison } from '../report/comparison-format.js';
import { renderComparisonJunit } from '../report/junit.js';
import { exitCodeForComparison } from './exit-codes.js';
import { readReportFile } from '../report/read-report.js';
import { appendSummary } from './report.js';
import { collect } from './collect.js';
import { writeOut } from './colour.js';

interface CompareOptions {
  maxRegression?: string[];
  json?: boolean;
  junit?: string;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare a report against a baseline: per-metric deltas, tolerances, and whether a change is beyond noise')
    .argument('<baseline>', 'baseline report.json')
    .argument('<current>', 'current report.json')
    .option(
      '--max-regression <tolerances>',
      'allowed worsening per metric, e.g. "p99=10%,p50=2ms,error_rate=0.5%,max=off" (% is relative, except for ' +
        'error_rate where it is percentage points); default p50, p90, p99, mean, rps 10% and error_rate 0.1%; repeatable',
      collect,
    )
    .option('--json', 'print the comparison as JSON instead of a table')
    .option('--junit <file>', 'also write JUnit XML: one test case per compared metric')
    .addHelpText(
      'after',
      '\nA metric regresses when it worsens by more than its tolerance and the change is beyond noise (a bootstrap\n' +
        'on the histograms, or on the per-second timeline for rps and error_rate).\n' +
        'Rows on figures a run does not trust are judged only where the generator\'s own lag cannot flip them.\n' +
        'Exit codes: 0 no regression, 1 regression (on figures the lag cannot change), 2 bad settings or report file,\n' +
        '3 no verdict: the runs are not like with like, a run\'s generator did not deliver the load, or a row the lag could flip.\n' +
        'When GITHUB_STEP_SUMMARY is set, the table is appended to it in Markdown.',
    )
    .action(async (baselinePath: string, currentPath: string, options: CompareOptions) => {
      process.exitCode = await compareCommand(baselinePath, currentPath, options);
    });
}

async function compareCommand(baselinePath: string, currentPath: string, options: CompareOptions): Promise<number> {
  const tolerances: Tolerances = options.maxRegression !== undefined ? parseTolerances(options.maxRegression.join(','), '--max-regression') : {};
  const [baseline, current] = await Promise.all([readReportFile(baselinePath), readReportFile(currentPath)]);
  const comparison = compareReports(baseline, current, tolerances);
  const names = { baseline: baselinePath, current: currentPath };
  if (options.json) process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else writeOut(formatComparison(comparison, names, 'text'));
  if (options.junit) {
    try {
      await writeFile(options.junit, renderComparisonJunit(comparison));
    } catch (error) {
      throw new OutputError(`--junit: cannot write ${options.junit} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  await appendSummary(formatComparison(comparison, names, 'markdown'));
  return exitCodeForComparison(comparison);
}

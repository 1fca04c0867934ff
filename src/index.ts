/**
 * modelprof as a library: the same runs, searches, sweeps and judgements as the CLI, called from code.
 * Calls never print and never exit the process; they throw ModelprofError subclasses whose `code`
 * (ERROR_CODES) is stable, and report progress through callbacks. See README "Library".
 */
import { SettingsError } from './core/errors.js';
import { compareReports } from './judge/compare.js';
import type { Comparison } from './judge/comparison.js';
import { evaluateSla, parseSla, type SlaVerdict } from './judge/sla.js';
import { parseTolerances, type Tolerances } from './judge/tolerances.js';
import { renderHtmlReport } from './report/html.js';
import { readReportFile } from './report/read-report.js';
import type { Report } from './report/report.js';
import { mergeReports as mergeShardReports, type MergeOptions } from './scale/merge.js';

export { profile, findMax, sweep } from './api/library.js';
export type { ProfileOptions, FindMaxOptions, SearchOptions, SweepOptions } from './api/library.js';
export type { RunOptions, AzureOptions, MonitorOptions, ProgressOptions, Duration } from './api/profile-options.js';
export { ERROR_CODES, ModelprofError, SettingsError, ToolError, TargetError, InterruptedError, type ErrorCode } from './core/errors.js';
export type { Report } from './report/report.js';
export type { Progress } from './load/engine.js';
export type { Comparison, MetricComparison } from './judge/comparison.js';
export type { SlaVerdict, SlaResult } from './judge/sla.js';
export type { Tolerances } from './judge/tolerances.js';
export type { FindMaxRecord, FindMaxPoint } from './find-max/find-max.js';
export type { SweepRecord } from './sweep/sweep-record.js';
export { MODELPROF_VERSION as version } from './core/version.js';
export { mergeReportFiles, type MergeFilesOptions, type MergeFilesOutcome } from './scale/merge-files.js';

/**
 * Reads a report.json and checks it against schema/report.schema.json.
 * @throws SettingsError (MODELPROF_ERR_SETTINGS) naming the file when it cannot be read or is not a report.
 */
export function readReport(path: string): Promise<Report> {
  return readReportFile(path);
}

/**
 * Compares `current` against `baseline`: per-metric deltas, tolerances and a 99% bootstrap interval
 * (see README "Reports, SLAs and CI"). `tolerances` as the CLI's --max-regression takes them
 * ('p99=10%, error_rate=0.5%') or parsed; default p50, p90, p99, mean and rps 10%, error_rate 0.1 point.
 * `comparison.verdict` is the verdict ('regression', 'no-regression', 'not-judged', 'not-comparable', 'no-verdict'),
 * the same the CLI's exit code gives; `comparison.unlike`, `comparison.invalid` and `comparison.notJudged` say why there is none.
 */
export function compare(baseline: Report, current: Report, tolerances: string | Tolerances = {}): Comparison {
  return compareReports(baseline, current, typeof tolerances === 'string' ? parseTolerances(tolerances, 'tolerances') : tolerances);
}

/**
 * Judges a report against SLA clauses ('p99<=200ms, error_rate<0.1%, rps>=100').
 * A run whose generator did not deliver the load gets no clause judged (each 'not-judged'); on an invalid run
 * (its p50 not trusted) a clause is judged only where the generator's lag cannot change it.
 * @throws SettingsError (MODELPROF_ERR_SETTINGS) for a clause that does not parse.
 */
export function checkSla(report: Report, sla: string): SlaVerdict {
  return evaluateSla(parseSla(sla, 'sla'), report);
}

/** report.html's page for a report: one self-contained file; with `sla`, its verdict leads the page. */
export function renderHtml(report: Report, sla?: string): string {
  return renderHtmlReport(report, sla === undefined ? undefined : checkSla(report, sla));
}

/**
 * One report from the reports of the shards of one run (`--shard INDEX/COUNT`), as if one generator
 * had sent the whole load: histograms added bucket by bucket, counts summed (see README "Scale out").
 * Each shard is named by its position unless given as { source, report }.
 * @throws SettingsError (MODELPROF_ERR_SETTINGS) when the reports are not the shards of one run.
 */
export function mergeReports(reports: readonly (Report | { source: string; report: Report })[], options: MergeOptions = {}): Report {
  if (!Array.isArray(reports)) throw new SettingsError('reports must be a list of shard reports');
  return mergeShardReports(
    reports.map((each, index) => ('report' in each && 'source' in each ? each : { source: `reports[${index}]`, report: each as Report })),
    options,
  );
}

import { join } from 'node:path';
import { evaluateSla, type SlaClause, type SlaVerdict } from '../judge/sla.js';
import { renderHtmlReport } from '../report/html.js';
import { readReportFile } from '../report/read-report.js';
import type { Report } from '../report/report.js';
import { prepareOutputDir, writeFileAtomically } from '../run/output-files.js';
import { awaitReportFiles, findReportFiles } from './collect-reports.js';
import { mergeReports } from './merge.js';
import { SYSTEM_WAIT_CLOCK, type WaitClock } from './start-at.js';

export interface MergeFilesOptions {
  /** Folder for the merged report.json and report.html. */
  outputDir: string;
  /** Merge the shards that are there when some are missing (the merge names them and is not valid). */
  allowMissing?: boolean;
  /** The run's shard count, checked against the reports. */
  shards?: number;
  /** Wall-clock epoch ms until which to wait for every shard's report (needs `shards`). */
  waitUntilMs?: number;
  /** The SLA to judge the merged run by; the verdict leads the HTML report. */
  sla?: readonly SlaClause[];
  signal?: AbortSignal;
  clock?: WaitClock;
}

export interface MergeFilesOutcome {
  report: Report;
  reportPath: string;
  htmlPath: string;
  /** Present when an SLA was given. */
  verdict?: SlaVerdict;
}

/**
 * `modelprof merge` as a library call: finds the shard reports named by `inputs` (files, shard
 * folders, or a run folder holding one folder per shard), waits for them until `waitUntilMs` when
 * given, merges them (see mergeReports), judges the SLA and writes report.json and report.html.
 * @throws SettingsError for inputs that are missing or not reports, reports that are not one run,
 *   missing shards without allowMissing, or an output folder that cannot be written.
 */
export async function mergeReportFiles(inputs: readonly string[], options: MergeFilesOptions): Promise<MergeFilesOutcome> {
  const waiting = options.waitUntilMs !== undefined;
  const find = (): Promise<string[]> => findReportFiles(inputs, options.outputDir, waiting);
  const files =
    waiting && options.shards !== undefined
      ? await awaitReportFiles(find, options.shards, options.waitUntilMs!, options.clock ?? SYSTEM_WAIT_CLOCK, options.signal)
      : await find();
  const reports = await Promise.all(files.map(async (source) => ({ source, report: await readReportFile(source) })));
  const report = mergeReports(reports, {
    ...(options.allowMissing ? { allowMissing: true } : {}),
    ...(options.shards !== undefined ? { expectedCount: options.shards } : {}),
  });
  const verdict = options.sla && options.sla.length > 0 ? evaluateSla(options.sla, report) : undefined;
  await prepareOutputDir(options.outputDir);
  const reportPath = join(options.outputDir, 'report.json');
  const htmlPath = join(options.outputDir, 'report.html');
  await writeFileAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomically(htmlPath, renderHtmlReport(report, verdict));
  return { report, reportPath, htmlPath, ...(verdict ? { verdict } : {}) };
}

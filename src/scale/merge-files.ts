import { join } from 'node:path';
import { evaluateSla, storedSla, type SlaClause, type SlaVerdict } from '../judge/sla.js';
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
  /** One line for each report found in a run folder and left out as not a shard's (also in report.notes). */
  skipped: string[];
}

/**
 * `modelprof merge` as a library call: finds the shard reports named by `inputs` (files, shard
 * folders, or a run folder holding one folder per shard), waits for them until `waitUntilMs` when
 * given, merges them (see mergeReports), judges the SLA and writes report.json and report.html.
 * A report found inside a run folder that is not a shard's (a baseline, an earlier merge) is left
 * out and named in `skipped`; one named in `inputs` is refused.
 * @throws SettingsError for inputs that are missing or not reports, reports that are not one run,
 *   missing shards without allowMissing, or an output folder that cannot be written.
 */
export async function mergeReportFiles(inputs: readonly string[], options: MergeFilesOptions): Promise<MergeFilesOutcome> {
  const waiting = options.waitUntilMs !== undefined;
  const skipped = new Map<string, string>();
  // A run folder may hold other reports (a baseline, an earlier merge): those are left out, named;
  // a report the user named that is not a shard's is still refused (mergeReports).
  const find = async (): Promise<{ source: string; report: Report }[]> => {
    const found = await Promise.all((await findReportFiles(inputs, options.outputDir, waiting)).map(async (file) => ({ ...file, report: await readReportFile(file.path) })));
    for (const file of found) if (file.scanned && !file.report.shard) skipped.set(file.path, `skipped ${file.path}: ${file.report.merge ? 'a merged report' : 'not a shard\'s report (run without --shard)'}, so not part of this run`);
    return found.filter((file) => !skipped.has(file.path)).map((file) => ({ source: file.path, report: file.report }));
  };
  const reports =
    waiting && options.shards !== undefined
      ? await awaitReportFiles(find, options.shards, options.waitUntilMs!, options.clock ?? SYSTEM_WAIT_CLOCK, options.signal)
      : await find();
  const merged = mergeReports(reports, {
    ...(options.allowMissing ? { allowMissing: true } : {}),
    ...(options.shards !== undefined ? { expectedCount: options.shards } : {}),
  });
  const report: Report = skipped.size > 0 ? { ...merged, notes: [...skipped.values(), ...merged.notes] } : merged;
  const verdict = options.sla && options.sla.length > 0 ? evaluateSla(options.sla, report) : undefined;
  if (verdict) report.sla = storedSla(verdict);
  await prepareOutputDir(options.outputDir);
  const reportPath = join(options.outputDir, 'report.json');
  const htmlPath = join(options.outputDir, 'report.html');
  await writeFileAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomically(htmlPath, renderHtmlReport(report, verdict));
  return { report, reportPath, htmlPath, ...(verdict ? { verdict } : {}), skipped: [...skipped.values()] };
}

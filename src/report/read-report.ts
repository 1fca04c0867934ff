import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readBoundedFile } from '../core/bounded-file.js';
import { SettingsError } from '../core/errors.js';
import { jsonProblem } from '../core/json-problem.js';
import { decodeHistogram } from '../record/histogram.js';
import { REPORT_SCHEMA_VERSION, type Report } from './report.js';
import { reportInvariantProblem } from './report-invariants.js';
import { reportSchemaProblems } from './report-schema.js';

/**
 * Reads a report.json (or the report.json in a run's output folder) and checks it against
 * schema/report.schema.json and the rules every report keeps (report-invariants.ts), so that a wrong
 * or edited file gives one clear line naming it rather than a crash or contradicting figures. modelprof's other results (find-max.json, sweep.json) are named as
 * such, with where their runs' reports are.
 */
export async function readReportFile(given: string): Promise<Report> {
  const path = await reportPathOf(given);
  const text = readBoundedFile(path, `${path}: the report`, 'report');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${path}: not a modelprof report: not JSON (${jsonProblem(text, error)})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SettingsError(`${path}: not a modelprof report: expected a JSON object`);
  const other = otherResult(data as Record<string, unknown>, path);
  if (other) throw new SettingsError(`${path}: ${other}`);
  if (typeof (data as { schemaVersion?: unknown }).schemaVersion !== 'string') throw new SettingsError(`${path}: not a modelprof report: no schemaVersion`);
  const version = (data as { schemaVersion: string }).schemaVersion;
  if (version.split('.')[0] !== REPORT_SCHEMA_VERSION.split('.')[0]) {
    throw new SettingsError(`${path}: schemaVersion ${version} is not readable by this modelprof (reads ${REPORT_SCHEMA_VERSION})`);
  }
  const problems = reportSchemaProblems(data);
  if (problems.length > 0) throw new SettingsError(`${path}: not a valid modelprof report: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
  for (const [where, encoded] of encodedHistograms(data, '')) {
    try {
      decodeHistogram(encoded);
    } catch (error) {
      throw new SettingsError(`${path}: not a valid modelprof report: ${where} is not an HdrHistogram V2 (compressed, base64): ${(error as Error).message}`);
    }
  }
  const broken = reportInvariantProblem(data as Report);
  if (broken !== undefined) throw new SettingsError(`${path}: not a valid modelprof report: ${broken}`);
  return data as Report;
}

/** A folder stands for the report.json in it, as `run -o DIR` writes it. */
export async function reportPathOf(given: string): Promise<string> {
  const info = await stat(given).catch(() => undefined);
  if (!info?.isDirectory()) return given;
  const inside = join(given, 'report.json');
  if ((await stat(inside).catch(() => undefined))?.isFile()) return inside;
  throw new SettingsError(`${given} is a folder with no report.json in it: give a report.json written by modelprof run (or merge)`);
}

/** What a modelprof result that is not a run's report is, and where its runs' reports are. */
function otherResult(data: Record<string, unknown>, path: string): string | undefined {
  const points = Array.isArray(data['points']) ? (data['points'] as { report?: unknown }[]) : undefined;
  if (points === undefined) return undefined;
  const first = points.find((point) => typeof point.report === 'string')?.report as string | undefined;
  const where = first ? `; each point's report.json is beside it, e.g. ${join(dirname(path), first)}` : '';
  if ('maxRate' in data) return `this is a find-max result (find-max.json), not a run's report${where}`;
  if ('deployments' in data) return `this is a sweep result (sweep.json), not a run's report${where}`;
  return undefined;
}

/**
 * Every encoded histogram in a report, with where it sits ("histogram", "timeline[3].histogram",
 * "tokens.histograms.ttft"): the fields named histogram or histogramUncorrected, and the members of
 * a `histograms` set. Checked on reading, so a damaged one is a one-line error, not a crash later.
 */
function* encodedHistograms(value: unknown, where: string): Generator<[string, string]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* encodedHistograms(item, `${where}[${index}]`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const path = where === '' ? key : `${where}.${key}`;
    if (typeof child === 'string' && (key === 'histogram' || key === 'histogramUncorrected' || where.endsWith('histograms'))) yield [path, child];
    else yield* encodedHistograms(child, path);
  }
}

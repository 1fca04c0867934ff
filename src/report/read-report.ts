import { readFile } from 'node:fs/promises';
import { SettingsError } from '../core/errors.js';
import { REPORT_SCHEMA_VERSION, type Report } from './report.js';
import { reportSchemaProblems } from './report-schema.js';

/**
 * Reads a report.json and checks it against schema/report.schema.json, so that a wrong file gives
 * one clear line naming it rather than a crash halfway through rendering.
 */
export async function readReportFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SettingsError(`${path}: cannot read the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${path}: not a modelprof report: not JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SettingsError(`${path}: not a modelprof report: expected a JSON object`);
  if (typeof (data as { schemaVersion?: unknown }).schemaVersion !== 'string') throw new SettingsError(`${path}: not a modelprof report: no schemaVersion`);
  const version = (data as { schemaVersion: string }).schemaVersion;
  if (version.split('.')[0] !== REPORT_SCHEMA_VERSION.split('.')[0]) {
    throw new SettingsError(`${path}: schemaVersion ${version} is not readable by this modelprof (reads ${REPORT_SCHEMA_VERSION})`);
  }
  const problems = reportSchemaProblems(data);
  if (problems.length > 0) throw new SettingsError(`${path}: not a valid modelprof report: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
  return data as Report;
}

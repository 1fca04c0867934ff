import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SettingsError } from '../core/errors.js';
import { waitUntil, type WaitClock } from './start-at.js';

const REPORT_FILE = 'report.json';
/** How often a merge waiting for shards looks for new reports. */
const POLL_MS = 2000;

/** A report file to merge, and whether the user named it or it was found inside a run folder. */
export interface FoundReport {
  path: string;
  /** Found by looking inside a run folder (which may hold other reports too), not named. */
  scanned: boolean;
}

/**
 * The report files named by `inputs`: a file is taken as it is; a folder holding report.json is
 * that report; any other folder stands for the report.json of each folder directly inside it
 * (`<run>/shard-0/report.json`, ...: `scanned`), leaving out `exclude` (the merge's own output folder).
 * With `notYet`, an input that does not exist yet (a merge step waiting for its shards) holds no
 * report instead of being an error.
 * @throws SettingsError for an input that does not exist, and for a report named twice (as a file,
 *   or as the folder holding it).
 */
export async function findReportFiles(inputs: readonly string[], exclude?: string, notYet = false): Promise<FoundReport[]> {
  const files: FoundReport[] = [];
  // What the user typed for each named file, to name both inputs of one given twice.
  const given = new Map<FoundReport, string>();
  const skip = exclude === undefined ? undefined : resolve(exclude);
  for (const input of inputs) {
    const kind = await kindOf(input);
    if (kind === 'missing' && notYet) continue;
    if (kind === 'missing') throw new SettingsError(`${input} does not exist: give shard report.json files or the folder that holds their folders`);
    if (kind === 'file' || (await kindOf(join(input, REPORT_FILE))) === 'file') {
      const file = { path: kind === 'file' ? input : join(input, REPORT_FILE), scanned: false };
      files.push(file);
      given.set(file, input);
    }
    else {
      const entries = (await readdir(input, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort(naturalOrder);
      for (const name of entries) {
        const folder = join(input, name);
        if (resolve(folder) === skip) continue;
        if ((await kindOf(join(folder, REPORT_FILE))) === 'file') files.push({ path: join(folder, REPORT_FILE), scanned: true });
      }
    }
  }
  // Each file once, as named where it was both named and found; named twice is a mistake.
  const byPath = new Map<string, FoundReport>();
  for (const file of files) {
    const key = resolve(file.path);
    const seen = byPath.get(key);
    if (seen && !seen.scanned && !file.scanned) {
      const [first, second] = [given.get(seen)!, given.get(file)!];
      const both = first === second ? `${first} was given twice` : `${first} and ${second} are the same report (${resolve(file.path)}), given twice`;
      throw new SettingsError(`${both}: give each shard's report once`);
    }
    if (!seen || (seen.scanned && !file.scanned)) byPath.set(key, file);
  }
  return [...byPath.values()];
}

/**
 * Looks for report files until `expected` are there or the wall clock reaches `deadlineMs`, so a
 * merge step started beside its shards (a follow-up Kubernetes Job) waits for them, and a shard
 * that died does not hold the merge up past the deadline. Returns what was found by then.
 */
export async function awaitReportFiles<T>(
  find: () => Promise<T[]>,
  expected: number,
  deadlineMs: number,
  clock: WaitClock,
  signal?: AbortSignal,
): Promise<T[]> {
  for (;;) {
    const files = await find();
    if (files.length >= expected || clock.now() >= deadlineMs || signal?.aborted) return files;
    await waitUntil(Math.min(deadlineMs, clock.now() + POLL_MS), clock, signal);
  }
}

async function kindOf(path: string): Promise<'file' | 'folder' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/** shard-2 before shard-10. */
function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

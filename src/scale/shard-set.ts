import { SettingsError } from '../core/errors.js';
import type { Report, ShardRecord } from '../report/report.js';
import { describeShards } from './merge-validity.js';

/** A report handed to the merge, and where it came from (a path), for messages. */
export interface SourcedReport {
  source: string;
  report: Report;
}

export type ShardReport = SourcedReport & { report: Report & { shard: ShardRecord } };

export interface ShardSet {
  count: number;
  /** Present shards, by index. */
  shards: ShardReport[];
  /** Indexes with no report. */
  missing: number[];
}

export interface ShardSetOptions {
  /** Merge what is there when shards are missing (the merge then says which); otherwise refuse. */
  allowMissing?: boolean;
  /** The run's shard count when known (k8s merge step); checked against the reports. */
  expectedCount?: number;
}

/**
 * Checks that reports are shards of one run, and sorts them by index.
 * @throws SettingsError with one line naming the reports that do not belong together: not a shard
 *   report, different shard counts, targets, settings or start times, windows that never overlap,
 *   a duplicate index, or (unless allowMissing) a missing shard.
 */
export function checkShardSet(reports: readonly SourcedReport[], options: ShardSetOptions = {}): ShardSet {
  if (reports.length === 0) {
    if (options.expectedCount !== undefined && options.allowMissing) {
      throw new SettingsError(`none of the ${options.expectedCount} shards sent a report: nothing to merge`);
    }
    throw new SettingsError('no reports to merge: give the report.json of every shard');
  }
  const shards = reports.map(asShard);
  const first = shards[0]!;
  const count = options.expectedCount ?? first.report.shard.count;
  for (const other of shards) {
    const { shard } = other.report;
    if (shard.count !== count) {
      throw new SettingsError(
        options.expectedCount !== undefined
          ? `${other.source} is shard ${shard.index} of ${shard.count}, but the run has ${count} shards (--shards)`
          : `${first.source} is shard ${first.report.shard.index} of ${count} but ${other.source} is shard ${shard.index} of ${shard.count}: they are not parts of one run`,
      );
    }
    const target = (r: Report): string => `${r.target.method} ${r.target.url}`;
    if (target(other.report) !== target(first.report)) {
      throw new SettingsError(`${first.source} targets ${target(first.report)} but ${other.source} targets ${target(other.report)}: they are not parts of one run`);
    }
    const difference = firstDifference(first.report.shard.run, shard.run, 'settings');
    if (difference) throw new SettingsError(`${first.source} and ${other.source} were run with different settings (${difference}): they are not parts of one run`);
    if (first.report.shard.startAt !== shard.startAt) {
      throw new SettingsError(
        `${first.source} started at ${first.report.shard.startAt ?? 'no --start-at'} but ${other.source} at ${shard.startAt ?? 'no --start-at'}: they are not parts of one run`,
      );
    }
    if (!overlaps(first.report, other.report)) {
      throw new SettingsError(
        `${first.source} measured ${first.report.startTime} to ${first.report.endTime} but ${other.source} ${other.report.startTime} to ${other.report.endTime}: windows that never overlap are not one run`,
      );
    }
  }
  const byIndex = new Map<number, ShardReport>();
  for (const shard of shards) {
    const twin = byIndex.get(shard.report.shard.index);
    if (twin) throw new SettingsError(`${twin.source} and ${shard.source} are both shard ${shard.report.shard.index} of ${count}: give each shard's report once`);
    byIndex.set(shard.report.shard.index, shard);
  }
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !byIndex.has(index));
  if (missing.length > 0 && !options.allowMissing) {
    throw new SettingsError(
      `${describeShards(missing)} of ${count} ${missing.length === 1 ? 'is' : 'are'} missing: give every shard's report, or --allow-missing to merge what is there (the merge then says what is missing and is not valid)`,
    );
  }
  return { count, shards: [...byIndex.values()].sort((a, b) => a.report.shard.index - b.report.shard.index), missing };
}

function asShard(sourced: SourcedReport): ShardReport {
  if (!sourced.report.shard) throw new SettingsError(`${sourced.source} is not a shard report: it was run without --shard, so there is nothing to merge it with`);
  return sourced as ShardReport;
}

function overlaps(a: Report, b: Report): boolean {
  return Date.parse(a.startTime) <= Date.parse(b.endTime) && Date.parse(b.startTime) <= Date.parse(a.endTime);
}

/** The first path where two JSON values differ, with both values, e.g. `settings.rate 200 vs 100`. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return a === b ? undefined : `${path} ${JSON.stringify(a) ?? 'unset'} vs ${JSON.stringify(b) ?? 'unset'}`;
}

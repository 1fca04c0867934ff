import type { Settings } from '../settings/settings.js';
import { FLAG_NAMES, parseShardSpec, shardFromEnvironment, type SettingNames } from './shard.js';
import { shardSettings } from './shard-settings.js';
import { parseStartAt } from './start-at.js';

/** The scale-out flags of `modelprof run`, as given. */
export interface ScaleFlags {
  /** --shard INDEX/COUNT; without it, SHARD_INDEX (or JOB_COMPLETION_INDEX) and SHARD_COUNT are read. */
  shard?: string;
  /** --start-at, ISO 8601. */
  startAt?: string;
}

/**
 * The settings of a run that may be one shard of many and may wait for a common start.
 * @throws SettingsError for a bad --shard or shard variables, a split with too few connections, or a past --start-at.
 */
export function applyScaleFlags(settings: Settings, flags: ScaleFlags, env: NodeJS.ProcessEnv, nowMs: number, names: SettingNames = FLAG_NAMES): Settings {
  const shard = flags.shard !== undefined ? parseShardSpec(flags.shard, names.shard) : shardFromEnvironment(env);
  const sharded = shard ? shardSettings(settings, shard, names) : settings;
  return flags.startAt !== undefined ? { ...sharded, startAtMs: parseStartAt(flags.startAt, names.startAt, nowMs) } : sharded;
}

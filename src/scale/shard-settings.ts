import type { Settings } from '../settings/settings.js';
import { FLAG_NAMES, shareOfLines, shareOfLoad, type SettingNames, type ShardSpec } from './shard.js';

/**
 * The settings one shard runs with: its part of the rate, connections, clients and payload lines,
 * its place in the whole run's plan, and the whole run's settings for its report.
 * @throws SettingsError when the run has fewer connections (or clients) than shards.
 */
export function shardSettings(run: Settings, shard: ShardSpec, names: SettingNames = FLAG_NAMES): Settings {
  const share = shareOfLoad(run, shard, names);
  return {
    ...run,
    rate: share.rate,
    connections: share.connections,
    clients: share.clients,
    threads: share.threads,
    payload: { ...run.payload, bodies: shareOfLines(run.payload.bodies, shard) },
    shard: {
      index: shard.index,
      count: shard.count,
      run,
      plan: {
        rate: run.rate,
        firstConnection: share.firstConnection,
        totalConnections: share.totalConnections,
        tickOffset: share.tickOffset,
        tickStride: share.tickStride,
      },
    },
  };
}

import { SettingsError } from '../core/errors.js';
import type { ToolName } from '../settings/settings.js';

/** One shard of a run split over `count` generators; `index` is 0-based, as Kubernetes' JOB_COMPLETION_INDEX. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** The parts of a run's settings that are split over shards: totals for the whole run. */
export interface LoadTotals {
  readonly tool: ToolName;
  /** Total target rate, requests per second (wrk2, labench). */
  readonly rate: number;
  /** Total connections (wrk, wrk2). */
  readonly connections: number;
  /** Total LaBench client pool. */
  readonly clients: number;
  /** Worker threads of one generator process: each shard keeps its own, up to its senders. */
  readonly threads: number;
}

/** One shard's part of the load, and where that part sits in the whole run's plan. */
export interface LoadShare {
  /** This shard's target rate: the shares add up to the total exactly. */
  readonly rate: number;
  readonly connections: number;
  readonly clients: number;
  readonly threads: number;
  /**
   * wrk2: global number of this shard's first connection. Connection k of the whole run follows
   * ConstantRatePlan(totalRate, totalConnections, k) whichever shard holds it, so shards started
   * together send exactly the schedule one process would.
   */
  readonly firstConnection: number;
  readonly totalConnections: number;
  /**
   * labench: the whole run's even ticker dealt round-robin over shards; this shard takes ticks
   * `tickOffset`, `tickOffset + tickStride`, ... of the run's ticker at the total rate.
   */
  readonly tickOffset: number;
  readonly tickStride: number;
}

/** How the settings a split depends on are named in errors: flags for the CLI, `options.<key>` for the library. */
export interface SettingNames {
  shard: string;
  startAt: string;
  connections: string;
  clients: string;
}

export const FLAG_NAMES: SettingNames = { shard: '--shard', startAt: '--start-at', connections: '--connections', clients: '--clients' };

/** The whole run as one shard: what a run without --shard does. */
export const WHOLE_RUN: ShardSpec = { index: 0, count: 1 };

/**
 * Parses `INDEX/COUNT` (0-based index). `source` names the flag or variables in errors.
 * @throws SettingsError when the text is not two whole numbers with 0 <= INDEX < COUNT.
 */
export function parseShardSpec(text: string, source: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new SettingsError(`${source} must be INDEX/COUNT with a 0-based index, e.g. 0/4, got "${text}"`);
  return checkedShard(Number(match[1]), Number(match[2]), source);
}

/**
 * The shard a process is, from its environment: SHARD_INDEX and SHARD_COUNT, with Kubernetes'
 * JOB_COMPLETION_INDEX (set in every pod of an Indexed Job) taking the place of SHARD_INDEX when
 * set. Undefined when SHARD_COUNT and SHARD_INDEX are unset (JOB_COMPLETION_INDEX alone does not
 * make a shard: every pod of any Indexed Job has it).
 * @throws SettingsError when only one half is given or a value is not a whole number in range.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv): ShardSpec | undefined {
  const fromJob = nonEmpty(env['JOB_COMPLETION_INDEX']);
  const indexText = fromJob ?? nonEmpty(env['SHARD_INDEX']);
  const indexSource = fromJob !== undefined ? 'JOB_COMPLETION_INDEX' : 'SHARD_INDEX';
  const countText = nonEmpty(env['SHARD_COUNT']);
  if (indexText === undefined && countText === undefined) return undefined;
  // Any pod of an Indexed Job has JOB_COMPLETION_INDEX; only SHARD_COUNT says the run is split.
  if (countText === undefined && fromJob !== undefined && nonEmpty(env['SHARD_INDEX']) === undefined) return undefined;
  if (countText === undefined) throw new SettingsError('SHARD_INDEX is set but SHARD_COUNT is not: set SHARD_COUNT to the number of shards');
  if (indexText === undefined) throw new SettingsError('SHARD_COUNT is set but neither JOB_COMPLETION_INDEX nor SHARD_INDEX is');
  return checkedShard(wholeNumber(indexText, indexSource), wholeNumber(countText, 'SHARD_COUNT'), `${indexSource}/SHARD_COUNT`);
}

/**
 * This shard's part of the load. Connections (wrk, wrk2) and clients (labench) are dealt as evenly
 * as whole numbers allow, the first shards taking one more; a closed loop (wrk) splits only its
 * connections. wrk2's rate follows the connections, since each connection of the whole run keeps its
 * own slot in the run's plan; labench's rate is split evenly, tick by tick.
 * @throws SettingsError when there are fewer connections (or clients) than shards.
 */
export function shareOfLoad(totals: LoadTotals, shard: ShardSpec, names: SettingNames = FLAG_NAMES): LoadShare {
  const { index, count } = shard;
  if (totals.tool === 'labench') {
    if (totals.clients < count) throw tooFew(names.clients, totals.clients, 'client', count);
    const clients = evenPart(totals.clients, index, count);
    return {
      rate: totals.rate / count,
      connections: totals.connections,
      clients,
      threads: Math.min(totals.threads, clients),
      firstConnection: 0,
      totalConnections: totals.connections,
      tickOffset: index,
      tickStride: count,
    };
  }
  if (totals.connections < count) throw tooFew(names.connections, totals.connections, 'connection', count);
  const connections = evenPart(totals.connections, index, count);
  let firstConnection = 0;
  for (let earlier = 0; earlier < index; earlier++) firstConnection += evenPart(totals.connections, earlier, count);
  return {
    rate: (totals.rate * connections) / totals.connections,
    connections,
    clients: totals.clients,
    threads: Math.min(totals.threads, connections),
    firstConnection,
    totalConnections: totals.connections,
    tickOffset: 0,
    tickStride: 1,
  };
}

/**
 * This shard's payload lines: line i of the file goes to shard i mod COUNT, so the shards together
 * send every line as one process would. With fewer lines than shards, shard k sends line k mod L.
 */
export function shareOfLines<T>(lines: readonly T[], shard: ShardSpec): T[] {
  if (lines.length === 0) return [];
  if (lines.length < shard.count) return [lines[shard.index % lines.length]!];
  return lines.filter((_, line) => line % shard.count === shard.index);
}

function evenPart(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

function tooFew(flag: string, given: number, noun: string, count: number): SettingsError {
  return new SettingsError(`${flag} (${given}) must be at least the shard count (${count}): every shard needs a ${noun} of its own`);
}

function checkedShard(index: number, count: number, source: string): ShardSpec {
  if (!Number.isSafeInteger(count) || count < 1) throw new SettingsError(`${source}: the shard count must be at least 1, got ${count}`);
  if (!Number.isSafeInteger(index) || index >= count) {
    throw new SettingsError(`${source}: the shard index must be 0 to ${count - 1} (0-based) for ${count} shards, got ${index}`);
  }
  return { index, count };
}

function wholeNumber(text: string, source: string): number {
  if (!/^\d+$/.test(text)) throw new SettingsError(`${source} must be a whole number, got "${text}"`);
  return Number(text);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

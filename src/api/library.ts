import { SettingsError } from '../core/errors.js';
import { findMax as searchMaxRate, type FindMaxRecord } from '../find-max/find-max.js';
import { FIND_MAX_LOAD_DEFAULTS, findMaxSearchFrom, refuseFixedRate, type SearchInput } from '../find-max/find-max-options.js';
import type { Report } from '../report/report.js';
import { assertTargetAnswered, profile as profileRun } from '../run/profile.js';
import { applyScaleFlags, type ScaleFlags } from '../scale/shard-options.js';
import { jobBaseDir } from '../settings/job-file.js';
import { readSweepFile } from '../sweep/sweep-file.js';
import { planSweep } from '../sweep/sweep-plan.js';
import type { SweepRecord } from '../sweep/sweep-record.js';
import { runSweep } from '../sweep/sweep-run.js';
import { withServedTarget } from '../target/served-process.js';
import { assembleAzureRunRequest } from '../settings/azure-target.js';
import { runRequestFromOptions, runSourcesFromOptions, type Duration, type ProgressOptions, type RunOptions } from './profile-options.js';

export type ProfileOptions = RunOptions & ProgressOptions;

/**
 * Profiles an endpoint: sends the load the options describe, watches the monitors, and returns the
 * report (the shape of schema/report.schema.json), also written as report.json and report.html into
 * `options.output` (default 'outputs'). Aborting `options.signal` stops the load and resolves with
 * what was measured, marked `partial`.
 *
 * @throws SettingsError (code MODELPROF_ERR_SETTINGS) for any invalid option, before a request is sent.
 * @throws ToolError (MODELPROF_ERR_TOOL) when an external program is missing or fails.
 * @throws TargetError (MODELPROF_ERR_TARGET) when the target cannot be reached or answered none of the requests.
 */
export async function profile(options: ProfileOptions): Promise<Report> {
  const { request, azure } = await assembleAzureRunRequest(runSourcesFromOptions(options), {
    env: options.env ?? process.env,
    log: options.onLog ?? (() => undefined),
    ...(options.azure?.ca ? { ca: options.azure.ca } : {}),
  });
  const settings = applyScaleFlags(request.settings, scaleFlagsFromOptions(options), options.env ?? {}, Date.now(), OPTION_NAMES);
  return withServedTarget(request.serve, settings.url, async (servedPid) => {
    const specs = servedPid === undefined ? request.monitors : [...request.monitors, { kind: 'process' as const, pid: servedPid }];
    const { report, reportPath } = await profileRun(settings, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      sla: request.sla,
      monitors: { specs, intervalMs: request.monitorIntervalMs },
      ...(azure?.headerUpdates ? { headerUpdates: azure.headerUpdates } : {}),
    });
    if (!options.signal?.aborted) assertTargetAnswered(report, reportPath);
    return report;
  });
}

/** The search's own settings, as `modelprof find-max` takes them (see README "find-max"). */
export interface SearchOptions {
  /** The lowest rate, tried first (req/s); default 10. */
  startRate?: number;
  /** Never go above this rate (req/s). */
  maxRate?: number;
  /** Ramp multiplier until a rate fails; default 2. */
  factor?: number;
  /** Stop when the bracket is this narrow: '5%' (the default) or 0.05. */
  precision?: string | number;
  /** Measure both ends of the final bracket again; default true. */
  confirm?: boolean;
  /** Bound on the whole search; default '15m'. */
  maxTime?: Duration;
  /** Idle time between points; default '2s'. */
  cooldown?: Duration;
  /** Price of one instance per hour: adds the cost per million requests at the answer. */
  pricePerHour?: number;
  /** Instances behind the endpoint; default 1. */
  instances?: number;
  /** Cores per instance: adds core-hours per million requests at the answer. */
  cores?: number;
}

/** find-max takes a run's options without `rate` (it searches it), with an SLA to meet. */
export type FindMaxOptions = Omit<RunOptions, 'rate'> & { sla: string } & SearchOptions & ProgressOptions;

/**
 * Finds the highest constant rate the endpoint holds within `options.sla`: ramps the rate until one
 * breaks the SLA, then bisects (see README "find-max"). Each point defaults to wrk2, 64 connections,
 * 10 s after 2 s of warm-up. Returns the record also written as find-max.json in `options.output`;
 * its `maxRate` is the answer in req/s (null when none).
 *
 * @throws SettingsError (MODELPROF_ERR_SETTINGS) for invalid options, TargetError when the target is down.
 */
export async function findMax(options: FindMaxOptions): Promise<FindMaxRecord> {
  const name = (key: string): string => `options.${key}`;
  if ('rate' in options && (options as { rate?: unknown }).rate !== undefined) refuseFixedRate(name);
  const run = runRequestFromOptions(options, FIND_MAX_LOAD_DEFAULTS);
  const text = (value: string | number | undefined): string | undefined => (value === undefined ? undefined : String(value));
  const input: SearchInput = Object.fromEntries(
    Object.entries({
      startRate: text(options.startRate),
      maxRate: text(options.maxRate),
      factor: text(options.factor),
      precision: text(options.precision),
      maxTime: text(options.maxTime),
      cooldown: text(options.cooldown),
      pricePerHour: text(options.pricePerHour),
      instances: text(options.instances),
      cores: text(options.cores),
    }).filter(([, value]) => value !== undefined),
  );
  if (options.confirm !== undefined) input.confirm = options.confirm;
  const search = findMaxSearchFrom(run, input, name);
  return withServedTarget(run.serve, run.settings.url, async (servedPid) => {
    const monitors = servedPid === undefined ? run.monitors : [...run.monitors, { kind: 'process' as const, pid: servedPid }];
    const { record } = await searchMaxRate({
      ...search,
      settings: run.settings,
      monitors,
      monitorIntervalMs: run.monitorIntervalMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLog ? { log: options.onLog } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return record;
  });
}

export interface SweepOptions extends ProgressOptions {
  /** The sweep file (schema/sweep.schema.json). */
  file: string;
  /** Folder for sweep.json, sweep.html and one folder per point; beats the file's output. */
  output?: string;
  /** Idle time between points; beats the file's cooldown. */
  cooldown?: Duration;
  /** Keep the points an earlier run measured with the same settings, and measure the rest. */
  resume?: boolean;
  /** What `${VAR}` in the file's headers expands from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Profiles every deployment of a sweep file at every point of its grid and ranks them by cost within
 * the SLA (see README "Sweeps"). Returns the record also written as sweep.json.
 *
 * @throws SettingsError (MODELPROF_ERR_SETTINGS) for a bad sweep file, or an existing sweep.json without `resume`.
 */
export async function sweep(options: SweepOptions): Promise<SweepRecord> {
  if (typeof options?.file !== 'string') throw new SettingsError('options.file must name a sweep file (schema/sweep.schema.json)');
  const document = readSweepFile(options.file);
  const plan = planSweep(
    document,
    options.file,
    jobBaseDir(options.file),
    { ...(options.output === undefined ? {} : { outputDir: options.output }), ...(options.cooldown === undefined ? {} : { cooldown: String(options.cooldown) }) },
    options.env ?? process.env,
  );
  const { record } = await runSweep(plan, {
    resume: options.resume === true,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLog ? { log: options.onLog } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return record;
}

const OPTION_NAMES = { shard: 'options.shard', startAt: 'options.startAt', connections: 'options.connections', clients: 'options.clients' };

function scaleFlagsFromOptions(options: RunOptions): ScaleFlags {
  const { shard, startAt } = options;
  return {
    ...(shard === undefined ? {} : { shard: typeof shard === 'string' ? shard : `${shard.index}/${shard.count}` }),
    ...(startAt === undefined ? {} : { startAt: startAt instanceof Date ? startAt.toISOString() : String(startAt) }),
  };
}

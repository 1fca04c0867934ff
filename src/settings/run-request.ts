import type { MonitorRequest, MonitorSpec } from '../monitors/monitor.js';
import { monitorIntervalFromOptions, monitorSpecsFromOptions, serveFromOptions } from '../monitors/monitor-request.js';
import { parseSla, type SlaClause } from '../judge/sla.js';
import { settingsFromEnvironment } from './environment.js';
import { jobBaseDir, jobLayers, readJobFile, setOverrides, type JobDocument, type JobExtras } from './job-file.js';
import { mergeLayers, type SettingsLayer } from './layers.js';
import { resolveSettings } from './resolve.js';
import type { Settings } from './settings.js';

/** Everything one profiling run needs, resolved and validated before any request. */
export interface RunRequest {
  settings: Settings;
  monitors: MonitorSpec[];
  monitorIntervalMs: number;
  /** A server command to start before the load and stop after it. */
  serve?: { command: string; timeoutMs: number };
  job: JobExtras;
  sla: SlaClause[];
  /** The SLA as written, when one was given. */
  slaText?: string;
}

/** A job document (a job file, --set overrides, a sweep file's shared keys) and how to name it. */
export interface JobSource {
  document: JobDocument;
  /** Names it in messages: "job.yml", "--set". */
  origin: string;
  /** The folder its relative paths (payload.file) resolve from. */
  baseDir: string;
}

/**
 * Where one run's settings come from, highest precedence first:
 * `layers` (flags or library options; a sweep point's grid and deployment), then `jobs`
 * (--set above the job file, each with its environment_variables block just below it), then the
 * seed's variables from `environment`, then `commandDefaults`, then modelprof's defaults.
 */
export interface RunSources {
  layers?: readonly SettingsLayer[];
  jobs?: readonly JobSource[];
  /** Read the seed's environment variables (SCORING_URI, TARGET_RPS, ...) from here; omitted: none are read. */
  environment?: NodeJS.ProcessEnv;
  /** What `${VAR}` in header values expands from. */
  env: NodeJS.ProcessEnv;
  /** A command's own defaults (find-max's wrk2 at 64 connections, the demo's rate): just above modelprof's. */
  commandDefaults?: SettingsLayer;
  /** Monitor settings given above the jobs (flags); each beats the same key of a job's monitors block. */
  monitors?: MonitorRequest;
  /** Accept any TLS certificate; a job's target.insecure also sets it. */
  insecure?: boolean;
  /** An SLA given above the jobs, and the name its errors use ("--sla"); beats a job's sla. */
  sla?: { text: string; source: string };
}

/** Reads a job file and --set overrides into job sources, --set first (it ranks above the file). */
export function jobSources(file: string | undefined, set: readonly string[] = []): JobSource[] {
  const sources: JobSource[] = [];
  if (set.length > 0) sources.push({ document: setOverrides(set), origin: '--set', baseDir: process.cwd() });
  if (file !== undefined) sources.push({ document: readJobFile(file), origin: file, baseDir: jobBaseDir(file) });
  return sources;
}

/**
 * The one way a run is assembled, for `run`, `find-max`, `demo`, each sweep point and the library's
 * profile(): merges the sources in precedence order and validates everything, so every mistake
 * shows before the first request, as one SettingsError naming the setting where it was given.
 */
export function assembleRunRequest(sources: RunSources): RunRequest {
  const jobs = jobsOf(sources);
  const layers = layersOf(sources, jobs);
  // Lower jobs first, so that a higher one's keys win.
  const job: JobExtras = Object.assign({}, ...[...jobs].reverse().map((each) => each.extras)) as JobExtras;
  const monitors: MonitorRequest = Object.assign({}, ...[...jobs].reverse().map((each) => each.extras.monitors ?? {}), definedKeys(sources.monitors ?? {}));
  let settings = resolveSettings(layers, sources.env);
  if (sources.insecure === true || job.insecure) settings = insecureOn(settings, sources.insecure === true ? '--insecure' : 'target.insecure');
  if (job.displayName !== undefined) settings = { ...settings, displayName: job.displayName };
  if (job.experimentName !== undefined) settings = { ...settings, experimentName: job.experimentName };
  const serve = serveFromOptions(monitors);
  const slaJob = jobs.find((each) => each.extras.sla !== undefined);
  const sla = sources.sla ?? (slaJob ? { text: slaJob.extras.sla!, source: `sla in ${slaJob.origin}` } : undefined);
  return {
    settings,
    monitors: monitorSpecsFromOptions(monitors),
    monitorIntervalMs: monitorIntervalFromOptions(monitors),
    ...(serve ? { serve } : {}),
    job,
    sla: sla === undefined ? [] : parseSla(sla.text, sla.source),
    ...(sla === undefined ? {} : { slaText: sla.text }),
  };
}

/** A command's defaults are defaults: nobody asked for them, so a tool that ignores one says nothing. */
function impliedDefaults(layer: SettingsLayer): SettingsLayer {
  return Object.fromEntries(Object.entries(layer).map(([key, given]) => [key, { ...given, implied: 'default' }])) as SettingsLayer;
}

/**
 * What the sources give, merged in precedence order, before modelprof's defaults and validation:
 * where a setting is set and by whom (the Azure target is read from it before assembling).
 */
export function givenSettings(sources: RunSources): SettingsLayer {
  return mergeLayers(layersOf(sources, jobsOf(sources)));
}

function jobsOf(sources: RunSources): (ReturnType<typeof jobLayers> & { origin: string })[] {
  return (sources.jobs ?? []).map((job) => ({ origin: job.origin, ...jobLayers(job.document, job.origin, job.baseDir) }));
}

function layersOf(sources: RunSources, jobs: readonly { layers: readonly SettingsLayer[] }[]): SettingsLayer[] {
  return [
    ...(sources.layers ?? []),
    ...jobs.flatMap((job) => job.layers),
    ...(sources.environment ? [settingsFromEnvironment(sources.environment)] : []),
    ...(sources.commandDefaults ? [impliedDefaults(sources.commandDefaults)] : []),
  ];
}

function definedKeys<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as Partial<T>;
}

/**
 * --insecure (-k) skips certificate checks; an http URL has none to skip, for every engine alike
 * (LaBench included, which refuses -k only over https), so there it is a note, not an error.
 */
function insecureOn(settings: Settings, source: string): Settings {
  if (settings.url.protocol === 'https:') return { ...settings, insecure: true };
  const note = `${source} does nothing here: ${settings.url.protocol.replace(':', '')} has no certificate to check`;
  return { ...settings, notes: [...(settings.notes ?? []), note] };
}

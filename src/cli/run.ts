import { Command } from 'commander';
import { formatResourceSummary } from '../monitors/resource-summary.js';
import type { MonitorRequest, MonitorSpec } from '../monitors/monitor.js';
import { startMonitors } from '../monitors/session.js';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SettingsError } from '../core/errors.js';
import { formatSummary } from '../report/console.js';
import { renderJunit } from '../report/junit.js';
import { renderMarkdownSummary } from '../report/markdown.js';
import { exitCodeFor, parseSla, type SlaClause } from '../report/sla.js';
import { appendSummary, formatVerdictLines } from './report.js';
import { ProgressLine } from '../report/progress-line.js';
import { assertTargetAnswered, profile, writeFileAtomically, type ResourceWatch } from '../run/profile.js';
import { stopOnSignals } from './stop-signal.js';
import { settingsFromEnvironment } from '../settings/environment.js';
import { jobBaseDir, jobLayers, readJobFile, setOverrides, type JobExtras } from '../settings/job-file.js';
import type { SettingsLayer } from '../settings/layers.js';
import { resolveSettings } from '../settings/resolve.js';
import type { Settings } from '../settings/settings.js';
import { applyScaleFlags, type ScaleFlags } from '../scale/shard-options.js';
import { startServedTarget, type ServedTarget } from '../target/served-process.js';
import { EXIT } from './exit-codes.js';
import { addLoadOptions, layerFromOptions } from './load-options.js';
import { addMonitorOptions, monitorIntervalFromOptions, monitorSpecsFromOptions, serveFromOptions } from '../monitors/monitor-request.js';

/** Everything one `modelprof run` needs, resolved and validated before any request. */
export interface RunRequest {
  settings: Settings;
  monitors: MonitorSpec[];
  monitorIntervalMs: number;
  /** A server command to start before the load and stop after it. */
  serve?: { command: string; timeoutMs: number };
  job: JobExtras;
  sla: SlaClause[];
  /** Where to write JUnit XML (one test case per SLA clause). */
  junit?: string;
  json: boolean;
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('profile an endpoint; settings: flags > --set > job file > environment variables > defaults')
    .option('-f, --file <job.yml>', 'job file (schema/job.schema.json)')
    .option('--set <key=value>', 'override a job-file key, e.g. settings.rate=200 (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--sla <clauses>', 'judge the run, e.g. "p99<=200ms, error_rate<0.1%, rps>=100" (exit 1 when a clause fails)')
    .option('--junit <file>', 'write JUnit XML, one test case per SLA clause')
    .option('--json', 'print report.json to stdout instead of the summary')
    .option('--shard <index/count>', 'run as shard INDEX (0-based) of COUNT, sending its part of the load (env SHARD_INDEX or JOB_COMPLETION_INDEX, and SHARD_COUNT); merge the reports with modelprof merge')
    .option('--start-at <time>', 'ISO 8601 time (with a zone) at which to start, so that shards started apart measure the same window');
  addMonitorOptions(addLoadOptions(command)).action(async (options: Record<string, unknown>) => {
    process.exitCode = await runAndReport(runRequestFrom(options, command, process.env));
  });
}

/** Resolves flags, --set, the job file and the environment, in that order of precedence. */
export function runRequestFrom(options: Record<string, unknown>, command: Command, env: NodeJS.ProcessEnv): RunRequest {
  const file = typeof options['file'] === 'string' ? options['file'] : undefined;
  const fromFile = file ? jobLayers(readJobFile(file), file, jobBaseDir(file)) : { layers: [], extras: {} };
  const fromSet = jobLayers(setOverrides(options['set'] as string[]), '--set', process.cwd());
  const layers: SettingsLayer[] = [layerFromOptions(options), ...fromSet.layers, ...fromFile.layers, settingsFromEnvironment(env)];
  const job: JobExtras = { ...fromFile.extras, ...fromSet.extras };
  const monitors = mergeMonitorOptions(options, command, { ...fromFile.extras.monitors, ...fromSet.extras.monitors });
  let settings = applyScaleFlags(resolveSettings(layers, env), scaleFlags(options), env, Date.now());
  if (options['insecure'] === true || job.insecure) settings = { ...settings, insecure: true };
  const serve = serveFromOptions(monitors);
  const junit = typeof options['junit'] === 'string' ? options['junit'] : undefined;
  if (junit !== undefined && !isFolder(dirname(resolve(junit)))) throw new SettingsError(`--junit "${junit}": its folder does not exist`);
  const slaText = typeof options['sla'] === 'string' ? options['sla'] : job.sla;
  const sla = slaText === undefined ? [] : parseSla(slaText, typeof options['sla'] === 'string' ? '--sla' : `sla in ${file ?? '--set'}`);
  return {
    settings,
    monitors: monitorSpecsFromOptions(monitors),
    monitorIntervalMs: monitorIntervalFromOptions(monitors),
    ...(serve ? { serve } : {}),
    job,
    sla,
    ...(junit !== undefined ? { junit } : {}),
    json: options['json'] === true,
  };
}

function scaleFlags(options: Record<string, unknown>): ScaleFlags {
  return {
    ...(typeof options['shard'] === 'string' ? { shard: options['shard'] } : {}),
    ...(typeof options['startAt'] === 'string' ? { startAt: options['startAt'] } : {}),
  };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A monitor flag given on the command line beats the job file's; commander's defaults do not. */
function mergeMonitorOptions(options: Record<string, unknown>, command: Command, fromJob: MonitorRequest): MonitorRequest {
  const merged: Record<string, unknown> = { ...options };
  for (const [key, value] of Object.entries(fromJob)) {
    const source = command.getOptionValueSource(key);
    if (source !== 'cli' && value !== undefined) merged[key] = value;
  }
  return merged as MonitorRequest;
}

/**
 * Runs a profile with its monitors, Ctrl-C handling and a live progress line, prints the summary
 * (or the JSON report), and returns the exit code the verdict calls for.
 */
export async function runAndReport(request: RunRequest): Promise<number> {
  const { settings } = request;
  const stop = stopOnSignals('modelprof: stopping; writing what was measured (Ctrl-C again to quit at once)');
  const progress = new ProgressLine(process.stderr, settings.durationSec);
  let served: ServedTarget | undefined;
  try {
    const specs = [...request.monitors];
    if (request.serve) {
      served = await startServedTarget(request.serve.command, settings.url, request.serve.timeoutMs);
      specs.push({ kind: 'process', pid: served.pid });
    }
    const watch: ResourceWatch | undefined = specs.length > 0 ? await startMonitors(specs, { intervalMs: request.monitorIntervalMs }) : undefined;
    if (!request.json) {
      const shard = settings.shard ? ` as shard ${settings.shard.index} of ${settings.shard.count}` : '';
      const start = settings.startAtMs !== undefined ? ` from ${new Date(settings.startAtMs).toISOString()}` : '';
      process.stderr.write(`modelprof: profiling${shard} for ${settings.durationSec}s after ${settings.warmupSec}s warm-up${start}...\n`);
    }
    const { report, reportPath, htmlPath, verdict } = await profile(settings, {
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
      sla: request.sla,
      ...(watch ? { watch } : {}),
    });
    progress.clear();
    if (request.junit) await writeFileAtomically(request.junit, renderJunit(verdict, report));
    await appendSummary(renderMarkdownSummary(report, verdict));
    if (request.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const resources = report.resources ? formatResourceSummary(report.resources) : [];
      const verdictLines = verdict ? formatVerdictLines(report, verdict).trimEnd().split('\n') : [];
      const extra = [...resources, ...(resources.length > 0 && verdictLines.length > 0 ? [''] : []), ...verdictLines];
      process.stdout.write(`${formatSummary(report, extra)}\n\nreport: ${reportPath}\nhtml:   ${htmlPath}\n`);
    }
    if (stop.signal.aborted) return EXIT.interrupted;
    assertTargetAnswered(report, reportPath);
    return exitCodeFor(report, verdict);
  } finally {
    progress.clear();
    await served?.stop();
    stop.dispose();
  }
}

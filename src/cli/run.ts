import { Command } from 'commander';
import type { HeaderUpdates } from '../load/engine.js';
import { renderJunit } from '../report/junit.js';
import { renderMarkdownSummary } from '../report/markdown.js';
import { OutputError } from '../core/errors.js';
import { checkWritableFile, writeFileAtomically } from '../run/output-files.js';
import { assertTargetAnswered, prepareRun, profile, ReportNotWrittenError } from '../run/profile.js';
import { applyScaleFlags, type ScaleFlags } from '../scale/shard-options.js';
import { withServedTarget } from '../target/served-process.js';
import { addProgressOption, withConsoleSession } from './console-session.js';
import { EXIT, exitCodeForShardReport, exitCodeForVerdict } from './exit-codes.js';
import { addLoadOptions, azureRunRequestFrom, type CommandRunRequest } from './load-options.js';
import { addMonitorOptions } from './monitor-options.js';
import { appendSummary, formatRunSummary } from './report.js';
import { collect } from './collect.js';
import { demoExit } from './demo-exit.js';
import { judgeRun } from '../judge/run-verdict.js';
import { writeErr, writeOut } from './colour.js';

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('profile an endpoint; settings: flags > --set > job file > environment variables > defaults')
    .option('-f, --file <job.yml>', 'job file (schema/job.schema.json)')
    .option('--set <key=value>', 'override a job-file key, e.g. settings.rate=200 (repeatable)', collect)
    .option('--sla <clauses>', 'judge the run, e.g. "p99<=200ms, error_rate<0.1%, rps>=100" (exit 1 when a clause fails)')
    .option('--junit <file>', 'write JUnit XML, one test case per SLA clause')
    .option('--json', 'print report.json to stdout instead of the summary')
    .option('--shard <index/count>', 'run as shard INDEX (0-based) of COUNT, sending its part of the load (env SHARD_INDEX or JOB_COMPLETION_INDEX, and SHARD_COUNT); merge the reports with modelprof merge')
    .option('--start-at <time>', 'ISO 8601 time (with a zone) at which to start, so that shards started apart measure the same window');
  addProgressOption(addMonitorOptions(addLoadOptions(command))).action(async (options: Record<string, unknown>) => {
    // Azure's lines (which target, throttling) come before the console session; later ones (token
    // renewal, waiting for Azure Monitor) go through it, below the progress line.
    let log = (line: string): void => {
      if (options['json'] !== true) writeErr(`modelprof: ${line}\n`);
    };
    const { request, azure } = await azureRunRequestFrom(options, command, process.env, (line) => log(line));
    const settings = applyScaleFlags(request.settings, scaleFlags(options), process.env, Date.now());
    process.exitCode = await runAndReport({ ...request, settings }, { ...(azure?.headerUpdates ? { headerUpdates: azure.headerUpdates } : {}), useLog: (sessionLog) => (log = sessionLog) });
  });
}

function scaleFlags(options: Record<string, unknown>): ScaleFlags {
  return {
    ...(typeof options['shard'] === 'string' ? { shard: options['shard'] } : {}),
    ...(typeof options['startAt'] === 'string' ? { startAt: options['startAt'] } : {}),
  };
}

/** What a run of an Azure ML deployment adds: renewed tokens, and the console's log for Azure's lines. */
export interface RunExtras {
  headerUpdates?: HeaderUpdates;
  /** Called once the console session is up, with its log. */
  useLog?: (log: (line: string) => void) => void;
  /** `modelprof demo`: exit 0 once the report is written, whatever the verdict, and say what `run` would exit (cli/demo-exit.ts). */
  demo?: boolean;
}

/**
 * Runs a profile with its monitors, Ctrl-C handling and a live progress line, prints the summary
 * (or the JSON report) whatever happens after the load, and returns the exit code the verdict calls
 * for: 5 when an output could not be written (the summary printed is then the result).
 */
export async function runAndReport(request: CommandRunRequest, extras: RunExtras = {}): Promise<number> {
  const { settings } = request;
  // Whatever can be refused is refused before the run is announced (and before --serve starts).
  await prepareRun(settings);
  if (request.junit) await checkWritableFile(request.junit, '--junit');
  const consoleOptions = { stopMessage: 'modelprof: stopping; writing what was measured (Ctrl-C again to quit at once)', progressEverySec: request.progressEverySec, logPrefix: 'modelprof: ', quiet: request.json };
  return withConsoleSession(consoleOptions, (session) =>
    withServedTarget(request.serve, settings.url, async (servedPid, served) => {
      extras.useLog?.((line) => session.log(line));
      const specs = servedPid === undefined ? request.monitors : [...request.monitors, { kind: 'process' as const, pid: servedPid }];
      const shard = settings.shard ? ` as shard ${settings.shard.index} of ${settings.shard.count}` : '';
      const start = settings.startAtMs !== undefined ? ` from ${new Date(settings.startAtMs).toISOString()}` : '';
      for (const note of settings.notes ?? []) session.log(`note: ${note}`);
      // The real programs run no warm-up: say so rather than announce one that will not happen.
      const warmup = settings.engine === 'external' ? ` (${settings.tool} runs no warm-up)` : ` after ${settings.warmupSec}s warm-up`;
      session.log(`profiling${shard} for ${settings.durationSec}s${warmup}${start}...`);
      const unwritten: string[] = [];
      const keep = (error: unknown): void => {
        if (!(error instanceof OutputError)) throw error;
        unwritten.push(error.message);
      };
      const outcome = await profile(settings, {
        signal: session.signal,
        onProgress: session.onProgress,
        sla: request.sla,
        monitors: { specs, intervalMs: request.monitorIntervalMs },
        ...(extras.headerUpdates ? { headerUpdates: extras.headerUpdates } : {}),
        ...(served ? { servedTarget: served } : {}),
      }).catch((error: unknown) => {
        if (!(error instanceof ReportNotWrittenError)) throw error;
        unwritten.push(error.message);
        return error.outcome;
      });
      const { report, reportPath, htmlPath, verdict } = outcome;
      session.clear();
      if (request.junit) await writeFileAtomically(request.junit, renderJunit(verdict, report)).catch(keep);
      await appendSummary(renderMarkdownSummary(report, verdict));
      const shown = (path: string): string => (unwritten.some((message) => message.includes(path)) ? `${path} (NOT WRITTEN)` : path);
      if (request.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else writeOut(`${formatRunSummary(report, verdict)}\n\nreport: ${shown(reportPath)}\nhtml:   ${shown(htmlPath)}\n`);
      if (unwritten.length > 0) {
        for (const message of unwritten) process.stderr.write(`modelprof: ${message}\n`);
        return EXIT.outputFailed;
      }
      if (session.signal.aborted) return EXIT.interrupted;
      if (settings.shard) {
        if (!request.json) process.stderr.write(`modelprof: shard ${settings.shard.index} of ${settings.shard.count}: report written, exit 0; the verdict on the whole run is modelprof merge's\n`);
        return exitCodeForShardReport();
      }
      assertTargetAnswered(report, reportPath);
      const code = exitCodeForVerdict(report, verdict);
      if (!extras.demo) return code;
      const demo = demoExit(code, judgeRun(report, verdict));
      process.stderr.write(`modelprof: ${demo.line}\n`);
      return demo.code;
    }, session.signal),
  );
}

import { Command } from 'commander';
import { renderJunit } from '../report/junit.js';
import { renderMarkdownSummary } from '../report/markdown.js';
import { assertTargetAnswered, prepareRun, profile, writeFileAtomically } from '../run/profile.js';
import { applyScaleFlags, type ScaleFlags } from '../scale/shard-options.js';
import { withServedTarget } from '../target/served-process.js';
import { withConsoleSession } from './console-session.js';
import { EXIT, exitCodeForVerdict } from './exit-codes.js';
import { addLoadOptions, runRequestFrom, type CommandRunRequest } from './load-options.js';
import { addMonitorOptions } from './monitor-options.js';
import { appendSummary, formatRunSummary } from './report.js';
import { collect } from './collect.js';

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
  addMonitorOptions(addLoadOptions(command)).action(async (options: Record<string, unknown>) => {
    const request = runRequestFrom(options, command, process.env);
    const settings = applyScaleFlags(request.settings, scaleFlags(options), process.env, Date.now());
    process.exitCode = await runAndReport({ ...request, settings });
  });
}

function scaleFlags(options: Record<string, unknown>): ScaleFlags {
  return {
    ...(typeof options['shard'] === 'string' ? { shard: options['shard'] } : {}),
    ...(typeof options['startAt'] === 'string' ? { startAt: options['startAt'] } : {}),
  };
}

/**
 * Runs a profile with its monitors, Ctrl-C handling and a live progress line, prints the summary
 * (or the JSON report), and returns the exit code the verdict calls for.
 */
export async function runAndReport(request: CommandRunRequest): Promise<number> {
  const { settings } = request;
  // Whatever can be refused is refused before the run is announced.
  await prepareRun(settings);
  const consoleOptions = { stopMessage: 'modelprof: stopping; writing what was measured (Ctrl-C again to quit at once)', durationSec: settings.durationSec, logPrefix: 'modelprof: ', quiet: request.json };
  return withConsoleSession(consoleOptions, (session) =>
    withServedTarget(request.serve, settings.url, async (servedPid) => {
      const specs = servedPid === undefined ? request.monitors : [...request.monitors, { kind: 'process' as const, pid: servedPid }];
      const shard = settings.shard ? ` as shard ${settings.shard.index} of ${settings.shard.count}` : '';
      const start = settings.startAtMs !== undefined ? ` from ${new Date(settings.startAtMs).toISOString()}` : '';
      for (const note of settings.notes ?? []) session.log(`note: ${note}`);
      session.log(`profiling${shard} for ${settings.durationSec}s after ${settings.warmupSec}s warm-up${start}...`);
      const { report, reportPath, htmlPath, verdict } = await profile(settings, {
        signal: session.signal,
        onProgress: session.onProgress,
        sla: request.sla,
        monitors: { specs, intervalMs: request.monitorIntervalMs },
      });
      session.clear();
      if (request.junit) await writeFileAtomically(request.junit, renderJunit(verdict, report));
      await appendSummary(renderMarkdownSummary(report, verdict));
      if (request.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${formatRunSummary(report, verdict)}\n\nreport: ${reportPath}\nhtml:   ${htmlPath}\n`);
      if (session.signal.aborted) return EXIT.interrupted;
      assertTargetAnswered(report, reportPath);
      return exitCodeForVerdict(report, verdict);
    }),
  );
}

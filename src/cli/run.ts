import { Command } from 'commander';
import { TargetError } from '../errors.js';
import { formatSummary } from '../report/console.js';
import { ProgressLine } from '../report/progress-line.js';
import type { Report } from '../report/report.js';
import { profile } from '../run/profile.js';
import { settingsFromEnvironment } from '../settings/environment.js';
import { resolveSettings } from '../settings/resolve.js';
import type { Settings } from '../settings/settings.js';
import { EXIT } from './exit-codes.js';
import { addLoadOptions, layerFromOptions } from './load-options.js';

export function registerRun(program: Command): void {
  addLoadOptions(
    program
      .command('run')
      .description('profile an endpoint: settings from flags, then the seed\'s environment variables, then defaults'),
  )
    .option('--json', 'print report.json to stdout instead of the summary')
    .action(async (options: Record<string, unknown>) => {
      const settings = settingsFromOptions(options, process.env);
      process.exitCode = await runAndReport(settings, { json: options['json'] === true });
    });
}

export function settingsFromOptions(options: Record<string, unknown>, env: NodeJS.ProcessEnv): Settings {
  const settings = resolveSettings([layerFromOptions(options), settingsFromEnvironment(env)], env);
  return options['insecure'] === true ? { ...settings, insecure: true } : settings;
}

/**
 * Runs a profile with Ctrl-C handling and a live progress line, prints the summary (or the JSON
 * report), and returns the exit code the verdict calls for.
 */
export async function runAndReport(settings: Settings, output: { json: boolean }): Promise<number> {
  const aborter = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nmodelprof: stopping; writing what was measured (Ctrl-C again to quit at once)\n');
    aborter.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress = new ProgressLine(process.stderr, settings.durationSec);
  if (!output.json) {
    process.stderr.write(`modelprof: profiling for ${settings.durationSec}s after ${settings.warmupSec}s warm-up...\n`);
  }
  try {
    const { report, reportPath } = await profile(settings, { signal: aborter.signal, onProgress: (p) => progress.update(p) });
    progress.clear();
    if (output.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatSummary(report)}\n\nreport: ${reportPath}\n`);
    return exitCodeOf(report, aborter.signal.aborted);
  } finally {
    progress.clear();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function exitCodeOf(report: Report, interrupted: boolean): number {
  if (interrupted) return EXIT.interrupted;
  const answered = report.requests.ok + report.errors.byKind.http_status;
  if (report.requests.total > 0 && answered === 0) {
    throw new TargetError(`the target answered none of ${report.requests.total} requests (see errors in ${report.settings.engine} report); report written anyway`);
  }
  return report.validity.valid ? EXIT.ok : EXIT.runInvalid;
}

import type { Command } from 'commander';
import type { Progress } from '../load/engine.js';
import { parseDuration } from '../settings/duration.js';
import { ProgressLine } from './progress-line.js';
import { stopOnSignals } from './stop-signal.js';
import { writeErr } from './colour.js';

/** What a long command hands the library: a stop signal, a live line, and a log that does not garble it. */
export interface ConsoleSession {
  /** Aborted on the first Ctrl-C or SIGTERM. */
  signal: AbortSignal;
  onProgress(progress: Progress): void;
  /** Writes one line to stderr below the progress line (unless quiet). */
  log(line: string): void;
  /** Clears the progress line before output goes to the console. */
  clear(): void;
}

export interface ConsoleSessionOptions {
  /** Printed on the first Ctrl-C: what stopping keeps. */
  stopMessage: string;
  /** Without a terminal: a plain progress line every this many seconds (0: none). */
  progressEverySec: number;
  /** Prefix of each log line, e.g. "modelprof: " or "  ". */
  logPrefix: string;
  /** --json: the log stays silent, only the result goes to stdout. */
  quiet?: boolean;
}

/**
 * Runs `work` with Ctrl-C handling (first: stop and keep what was measured; second: quit) and a live
 * progress line on stderr, and takes both down afterwards: the set-up `run`, `find-max` and `sweep` share.
 */
export async function withConsoleSession<T>(options: ConsoleSessionOptions, work: (session: ConsoleSession) => Promise<T>): Promise<T> {
  const stop = stopOnSignals(options.stopMessage);
  const progress = new ProgressLine(process.stderr, { everySec: options.progressEverySec, prefix: options.logPrefix });
  try {
    return await work({
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
      log: (line) => {
        progress.clear();
        if (!options.quiet) writeErr(`${options.logPrefix}${line}\n`);
      },
      clear: () => progress.clear(),
    });
  } finally {
    progress.clear();
    stop.dispose();
  }
}

/** The default of --progress-every: k6 prints about as often without a terminal. */
const DEFAULT_PROGRESS_EVERY = '10s';

/** Adds --progress-every to a command that runs load. */
export function addProgressOption(command: Command): Command {
  return command.option('--progress-every <duration>', `without a terminal (CI, a log file): one progress line on stderr this often, 0 for none (default ${DEFAULT_PROGRESS_EVERY})`);
}

/** --progress-every in seconds. */
export function progressEverySec(options: Record<string, unknown>): number {
  const given = options['progressEvery'];
  return parseDuration(typeof given === 'string' ? given : DEFAULT_PROGRESS_EVERY, '--progress-every');
}

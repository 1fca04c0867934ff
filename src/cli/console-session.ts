import type { Progress } from '../load/engine.js';
import { ProgressLine } from './progress-line.js';
import { stopOnSignals } from './stop-signal.js';

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
  /** The measured duration of one run, for the progress line's countdown. */
  durationSec: number;
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
  const progress = new ProgressLine(process.stderr, options.durationSec);
  try {
    return await work({
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
      log: (line) => {
        progress.clear();
        if (!options.quiet) process.stderr.write(`${options.logPrefix}${line}\n`);
      },
      clear: () => progress.clear(),
    });
  } finally {
    progress.clear();
    stop.dispose();
  }
}

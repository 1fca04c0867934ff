import { EXIT } from './exit-codes.js';

/**
 * How long the first Ctrl-C (or SIGTERM) gives the work to stop and write what it measured: the
 * builtin engine drains for at most 1 s, an external tool gets SIGINT, then SIGTERM after 6 s and
 * SIGKILL after 12 s. Past this, modelprof quits (exit 130) without the report rather than hang.
 */
export const STOP_DEADLINE_MS = 15_000;

export interface StopSignal {
  /** Aborted on the first Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  /** Stops listening for the signals. */
  dispose(): void;
}

export interface StopOptions {
  /** Defaults to STOP_DEADLINE_MS. */
  deadlineMs?: number;
  /** How to quit; process.exit, or a stand-in in tests. */
  exit?: (code: number) => void;
  /** Where the signals come from; the process, or a stand-in in tests. */
  source?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

/**
 * The first Ctrl-C asks the work to stop and keep what it measured (`message` says so on stderr);
 * a second one quits at once, and so does the deadline when the work has not stopped by then.
 */
export function stopOnSignals(message: string, options: StopOptions = {}): StopSignal {
  const aborter = new AbortController();
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const deadlineMs = options.deadlineMs ?? STOP_DEADLINE_MS;
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (): void => {
    if (aborter.signal.aborted) return exit(EXIT.interrupted);
    process.stderr.write(`\n${message}\n`);
    aborter.abort();
    deadline = setTimeout(() => {
      process.stderr.write(`modelprof: the run did not stop within ${deadlineMs / 1000} s of the signal; quitting without its report\n`);
      exit(EXIT.interrupted);
    }, deadlineMs);
    deadline.unref();
  };
  const source = options.source ?? process;
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return {
    signal: aborter.signal,
    dispose: () => {
      clearTimeout(deadline);
      // Once stopping, the process is on its way out: a second Ctrl-C must still quit with 130, not
      // meet the default handler and die by the signal.
      if (aborter.signal.aborted) return;
      source.off('SIGINT', onSignal);
      source.off('SIGTERM', onSignal);
    },
  };
}

import { EXIT } from './exit-codes.js';

export interface StopSignal {
  /** Aborted on the first Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  /** Stops listening for the signals. */
  dispose(): void;
}

/**
 * The first Ctrl-C asks the work to stop and keep what it measured (`message` says so on stderr);
 * a second one quits at once.
 */
export function stopOnSignals(message: string): StopSignal {
  const aborter = new AbortController();
  const onSignal = (): void => {
    if (aborter.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`\n${message}\n`);
    aborter.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: aborter.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

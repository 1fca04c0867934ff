import { readFileSync } from 'node:fs';

/**
 * How long this thread has run on a CPU and waited for one, in ns, from Linux's schedstat
 * (/proc/thread-self/schedstat: time on the CPU, time runnable in a run queue, timeslices);
 * undefined where the file is not there. A generator that waits for a CPU is as unable to send and
 * read on time as one that is busy: its event-loop utilization does not show that wait, this does.
 */
export function threadSchedule(): { runningNs: number; waitingNs: number } | undefined {
  try {
    const [running, waiting] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return running === undefined || waiting === undefined || Number.isNaN(running) || Number.isNaN(waiting) ? undefined : { runningNs: running, waitingNs: waiting };
  } catch {
    return undefined;
  }
}

/** Share of `wallMs` the thread spent running or waiting to run, between two readings (0 without them). */
export function busyOrWaitingShare(from: ReturnType<typeof threadSchedule>, to: ReturnType<typeof threadSchedule>, wallMs: number): number {
  if (!from || !to || wallMs <= 0) return 0;
  return (to.runningNs - from.runningNs + (to.waitingNs - from.waitingNs)) / 1e6 / wallMs;
}

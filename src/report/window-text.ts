import type { Report } from './report.js';

/**
 * What the figures of a run cover, in one phrase for the console's load line: the measured window
 * and what was left out before it. The builtin engine's warm-up is in no figure; wrk2's calibration
 * only out of its latency (its counts and throughput cover the whole run, calibration included); the
 * real programs run no warm-up of their own otherwise.
 */
export function measuredWindowText(report: Pick<Report, 'measuredSeconds' | 'warmup' | 'engine' | 'tool'>): string {
  const { measuredSeconds, warmup } = report;
  if (warmup.excluded === 'latency') {
    return `${measuredSeconds}s run; latency only from the answers after its first ~${warmup.seconds}s (${report.tool}'s calibration, ${warmup.requests} answers), while counts and throughput cover the whole run, calibration included`;
  }
  if (warmup.seconds > 0) return `${measuredSeconds}s measured after ${warmup.seconds}s warm-up (in no figure)`;
  return report.engine.name === 'external' ? `${measuredSeconds}s measured (${report.tool} runs no warm-up)` : `${measuredSeconds}s measured, no warm-up`;
}

import { untrustedKeys } from '../judge/trust.js';
import type { Report } from './report.js';

/** The few figures of a point that sweeps and searches compare, read from its report. */
export interface PointFigures {
  /** The planned rate of open-loop tools (wrk2, labench); absent for closed-loop wrk. */
  offeredRps?: number;
  /**
   * The rate the target served, errors included: throughput.servedRps where the engine measured it
   * (what the served-rate check reads), else all completions per second of the run's window.
   */
  servedRps: number;
  /** Completions without error per second: what the cost figures count. */
  okRps: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  /** Failed requests / all requests, 0..1. */
  errorRate: number;
  /** The run is valid (report.validity.valid) and complete. A point's verdict does not rest on it: see judge/point-verdict.ts. */
  valid: boolean;
  /** Why the run is not valid (its validity reasons, or the cut); present exactly when `valid` is false. */
  invalidBecause?: string[];
  /** Keys of the corrected latency figures the trust rule does not trust (run's `*`); absent where the run judged none. */
  untrusted?: string[];
}

/**
 * For a point with a verdict on a run that is not valid, one line: which point, that its verdict was
 * judged clause by clause where the generator's lag cannot change it, and why the run is not valid.
 * Undefined for a valid point.
 */
export function invalidRunNote(point: Partial<Pick<PointFigures, 'valid' | 'invalidBecause'>>, name: string): string | undefined {
  if (point.valid !== false) return undefined;
  return `${name}: run invalid (${point.invalidBecause?.[0] ?? 'no reason recorded'}); its verdict was judged clause by clause, only where the generator's own lag cannot change it`;
}

/** " *" after a figure the point's run does not trust, as `run` marks it; "" otherwise. */
export function untrustedMark(point: Pick<PointFigures, 'untrusted'>, key: string): string {
  return point.untrusted?.includes(key) ? ' *' : '';
}

export function pointFigures(report: Report): PointFigures {
  const { latency, throughput } = report;
  return {
    ...(throughput.targetRps === undefined ? {} : { offeredRps: throughput.targetRps }),
    servedRps: throughput.servedRps ?? throughput.rps,
    okRps: throughput.okRps,
    ...(latency.p50 === undefined ? {} : { p50Ms: latency.p50 }),
    ...(latency.p90 === undefined ? {} : { p90Ms: latency.p90 }),
    ...(latency.p99 === undefined ? {} : { p99Ms: latency.p99 }),
    errorRate: report.errors.rate,
    valid: report.validity.valid && report.partial === undefined,
    ...(report.validity.valid && report.partial === undefined ? {} : { invalidBecause: invalidBecause(report) }),
    ...(report.validity.trust === undefined ? {} : { untrusted: [...untrustedKeys(report.validity.trust)] }),
  };
}

function invalidBecause(report: Report): string[] {
  if (report.partial !== undefined) return [`partial run: ${report.partial}`];
  return report.validity.reasons.length > 0 ? [...report.validity.reasons] : ['the run is invalid (its report names no reason)'];
}

import { round } from '../core/numbers.js';
import type { SecondOfService } from '../record/result.js';

/**
 * Outages and availability: whether the target served at all, second by second. A run's error rate
 * counts failed attempts, and how many attempts a load model makes while the target is down differs
 * by model (a closed loop retries each connection every 10 ms; a constant rate keeps its plan), so a
 * two-second outage can weigh 0.9% of the requests or 50%. Time without service does not depend on
 * the model: that is what an outage and the availability figure measure.
 */

/** A time without a successful answer. */
export interface Outage {
  /** Seconds from the start of measurement. */
  startSec: number;
  seconds: number;
  /** Requests that failed in its seconds (the seconds it shares with successes included). */
  failed: number;
  /** What ended the service, when known: the watched --serve server's exit. */
  cause?: string;
}

export interface Availability {
  /** Share of the window with service, 0..1: 1 - downSeconds / windowSec. */
  share: number;
  /** Seconds of the window without service. */
  downSeconds: number;
  /** The sending window the share is of, seconds. */
  windowSec: number;
  outages: Outage[];
  /**
   * How outages were found: the per-second answers; modelprof's connection probe of the target
   * (external programs, which give no timeline); or only the watched server's exit.
   */
  basis: 'timeline' | 'probe' | 'server';
}

/** The watched server's end: when (seconds from the start of measurement) and how. */
export interface ServerDeath {
  atSec: number;
  how: string;
}

/**
 * Failures an outage needs: one failed request between two successes a second apart is a failed
 * request, which the error rate already counts; two or more with no success between them are time
 * without service.
 */
export const OUTAGE_MIN_FAILURES = 2;
/** The shortest time without a successful answer that is an outage, seconds. */
export const OUTAGE_MIN_SECONDS = 1;

/**
 * The outages of a run: each time of at least OUTAGE_MIN_SECONDS from one successful answer to the
 * next (from the start of the window, or to its end, when there is none before or after) in whose
 * seconds at least OUTAGE_MIN_FAILURES requests failed, clipped to the sending window `windowSec`;
 * and from the watched server's death to the end of the window. Successes are placed to the
 * millisecond where the seconds say when their first and last came (else at the second's edges).
 * `seconds` may run past the window (answers that came while the engine drained), so the timeouts
 * of requests sent to a target that hung still show it; seconds with no answer at all count as
 * time without one.
 */
export function findAvailability(seconds: readonly SecondOfService[], windowSec: number, death?: ServerDeath, source: 'answers' | 'probe' = 'answers'): Availability {
  const outages: Outage[] = [];
  const sorted = [...seconds].sort((a, b) => a.t - b.t);
  const failedBetween = (from: number, to: number): number => sorted.filter((second) => second.t >= Math.floor(from) && second.t <= to).reduce((sum, second) => sum + second.failed, 0);
  const consider = (from: number, to: number, failed: number): void => {
    const end = Math.min(to, windowSec);
    if (from < windowSec && end - from >= OUTAGE_MIN_SECONDS && failed >= OUTAGE_MIN_FAILURES) {
      outages.push({ startSec: round(from), seconds: round(end - from), failed, ...(source === 'probe' ? { cause: `the target's port took no connection: ${failed} of modelprof's probes failed` } : {}) });
    }
  };
  let lastSuccess = 0;
  for (const second of sorted) {
    if (second.ok === 0) continue;
    const first = second.firstOkSec ?? second.t;
    consider(lastSuccess, first, failedBetween(lastSuccess, second.t));
    lastSuccess = second.lastOkSec ?? second.t + 1;
  }
  // No success after the last one: down from then to the end of the window.
  consider(lastSuccess, Math.max(windowSec, lastSuccess), failedBetween(lastSuccess, Infinity));
  if (death && death.atSec < windowSec) addDeath(outages, Math.max(0, death.atSec), windowSec, death.how);
  const downSeconds = round(outages.reduce((sum, outage) => sum + outage.seconds, 0));
  return {
    share: windowSec > 0 ? round(Math.max(0, 1 - downSeconds / windowSec), 6) : 1,
    downSeconds,
    windowSec: round(windowSec),
    outages,
    basis: seconds.length === 0 ? 'server' : source === 'probe' ? 'probe' : 'timeline',
  };
}

/** The server's death ends service until the window closes: merged with an outage it overlaps. */
function addDeath(outages: Outage[], atSec: number, windowSec: number, how: string): void {
  const cause = `the --serve server ${how}`;
  const overlapping = outages.filter((outage) => outage.startSec + outage.seconds >= atSec);
  const startSec = Math.min(atSec, ...overlapping.map((outage) => outage.startSec));
  const failed = overlapping.reduce((sum, outage) => sum + outage.failed, 0);
  for (const outage of overlapping) outages.splice(outages.indexOf(outage), 1);
  outages.push({ startSec: round(startSec), seconds: round(windowSec - startSec), failed, cause });
}

/** "2.0 s from 2.0 s into the window", with the cause when known. */
export function describeOutage(outage: Outage): string {
  const cause = outage.cause ? ` (${outage.cause})` : '';
  return `${outage.seconds.toFixed(1)} s without a successful answer from ${outage.startSec.toFixed(1)} s into the window${cause}`;
}

/** One line for the console and the verdicts: every outage, and the availability. */
export function describeAvailability(availability: Availability): string {
  const outages = availability.outages.map(describeOutage).join('; ');
  return `${outages}; availability ${(availability.share * 100).toFixed(availability.share > 0.99 && availability.share < 1 ? 3 : 1)}% of the ${availability.windowSec.toFixed(1)} s window`;
}


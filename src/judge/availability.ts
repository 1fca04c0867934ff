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
  /** Requests that failed in its whole seconds (a second it shares with successes is not counted). */
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
  /** How outages were found: the per-second answers, or only the watched server's exit (no timeline). */
  basis: 'timeline' | 'server';
}

/** The watched server's end: when (seconds from the start of measurement) and how. */
export interface ServerDeath {
  atSec: number;
  how: string;
}

/**
 * Failures an outage needs: one failed request in a second without success is a failed request,
 * which the error rate already counts; two or more with no success between them are time without
 * service.
 */
export const OUTAGE_MIN_FAILURES = 2;

/**
 * The outages of a run: each maximal run of consecutive seconds without a successful answer that
 * holds at least OUTAGE_MIN_FAILURES failures (seconds with no answer at all inside it count: a hung
 * target answers nothing until its timeouts), from the last success before it to the first after it
 * (to the millisecond, where the seconds say when those came), clipped to the sending window
 * `windowSec`; and from the watched server's death to the end of the window. `seconds` may run past
 * the window (answers that came while the engine drained), so timeouts of requests sent into an
 * outage still show it.
 */
export function findAvailability(seconds: readonly SecondOfService[], windowSec: number, death?: ServerDeath): Availability {
  const outages: Outage[] = [];
  const bySecond = new Map(seconds.map((second) => [second.t, second]));
  const last = Math.max(-1, ...seconds.map((second) => second.t));
  let start: number | undefined;
  let failed = 0;
  const close = (end: number): void => {
    const clippedEnd = Math.min(end, windowSec);
    if (start !== undefined && failed >= OUTAGE_MIN_FAILURES && clippedEnd > start) outages.push({ startSec: round(start), seconds: round(clippedEnd - start), failed });
    start = undefined;
    failed = 0;
  };
  for (let t = 0; t <= last; t++) {
    const second = bySecond.get(t) ?? { t, ok: 0, failed: 0 };
    if (second.ok > 0) {
      close(second.firstOkSec ?? t);
      continue;
    }
    start ??= bySecond.get(t - 1)?.lastOkSec ?? t;
    failed += second.failed;
  }
  // A run of seconds without success that lasts to the end of the answers lasts to the end of the window.
  close(Math.max(last + 1, windowSec));
  if (death && death.atSec < windowSec) addDeath(outages, Math.max(0, death.atSec), windowSec, death.how);
  const downSeconds = round(outages.reduce((sum, outage) => sum + outage.seconds, 0));
  return {
    share: windowSec > 0 ? round(Math.max(0, 1 - downSeconds / windowSec), 6) : 1,
    downSeconds,
    windowSec: round(windowSec),
    outages,
    basis: seconds.length > 0 ? 'timeline' : 'server',
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


import type { TimelinePoint } from '../record/result.js';
import type { Report } from './report.js';

/** A trailing second with less of the window than this is left out of rate charts (its answers stay in every total). */
const SHORTEST_DRAWN_SHARE = 0.5;

/**
 * The per-second points a rate chart draws. The window rarely ends on a whole second (5.002 s): its
 * last, partial second holds only the answers of its sliver, and drawn as a second it is a bar near
 * zero that says the target stopped. A partial second is drawn as a rate over the part it covers,
 * and left out when that part is under half a second. `note` says what was done, for the caption.
 */
export function rateChartPoints(report: Pick<Report, 'timeline' | 'measuredSeconds'>): { points: TimelinePoint[]; note?: string } {
  const last = report.timeline.at(-1);
  if (!last) return { points: [] };
  const covered = report.measuredSeconds - last.t;
  if (covered >= 1 || covered <= 0) return { points: report.timeline };
  const head = report.timeline.slice(0, -1);
  const sliver = `${Number(covered.toFixed(3))} s`;
  if (covered < SHORTEST_DRAWN_SHARE) {
    return { points: head, note: `The window's last ${sliver} (${last.requests} answers) is in every total but not drawn: a bar for it would be a sliver's count.` };
  }
  const scale = 1 / covered;
  const scaled: TimelinePoint = { ...last, requests: Math.round(last.requests * scale), errors: Math.round(last.errors * scale) };
  return { points: [...head, scaled], note: `The last bar is the window's last ${sliver}, drawn as a rate per second.` };
}

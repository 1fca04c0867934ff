import type { Report } from './report.js';

/**
 * What every report modelprof writes holds beyond its schema, checked when one is read back (by
 * `report`, `compare`, `merge` and the library) so that an edited or damaged file is refused in one
 * line instead of rendering figures that contradict each other: requests.total = ok + errors, the
 * error kinds add up to requests.errors, and no second of the timeline failed more requests than it
 * completed. Returns the first broken rule in words, or undefined.
 */
export function reportInvariantProblem(report: Report): string | undefined {
  const { total, ok, errors } = report.requests;
  if (total !== ok + errors) return `requests.total (${total}) is not requests.ok + requests.errors (${ok} + ${errors})`;
  const byKind = Object.values(report.errors.byKind).reduce((sum, count) => sum + count, 0);
  if (byKind !== errors) return `errors.byKind adds up to ${byKind}, but requests.errors is ${errors}`;
  const second = report.timeline.findIndex((point) => point.errors > point.requests);
  if (second >= 0) {
    const point = report.timeline[second]!;
    return `timeline[${second}] has more errors (${point.errors}) than requests (${point.requests})`;
  }
  return undefined;
}

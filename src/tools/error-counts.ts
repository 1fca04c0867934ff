import { ERROR_KINDS, type ErrorCounts, type ErrorKind, type RunResult } from '../record/result.js';

export function zeroErrorKinds(): Record<ErrorKind, number> {
  return Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as Record<ErrorKind, number>;
}

/** What wrk and wrk2 count: answers (any status) and the sockets that failed without one. */
export interface WrkFamilyCounts {
  answered: number;
  /** Answers per status; statuses above 399 are errors, as wrk and the builtin engine count them. */
  statuses?: Record<string, number>;
  /** The tool's own count of statuses above 399, used when per-status counts are missing. */
  statusErrors?: number;
  connectErrors: number;
  /** Read and write errors: the connection broke with a request on it. */
  resets: number;
  timeouts: number;
}

/**
 * Requests and error counts from wrk's or wrk2's figures. A failed socket is a request without an
 * answer, so it joins the total; a late answer is already among the answers and only its kind
 * changes. ok + errors = total always holds.
 */
export function httpErrorCounts(counts: WrkFamilyCounts): { requests: RunResult['requests']; errors: ErrorCounts; notes: string[] } {
  const byStatus: Record<string, number> = {};
  for (const [status, count] of Object.entries(counts.statuses ?? {})) if (Number(status) > 399 && count > 0) byStatus[status] = count;
  const byKind = zeroErrorKinds();
  byKind.connect_error = counts.connectErrors;
  byKind.connection_reset = counts.resets;
  byKind.timeout = counts.timeouts;
  byKind.http_status = counts.statuses ? Object.values(byStatus).reduce((a, b) => a + b, 0) : (counts.statusErrors ?? 0);

  const total = counts.answered + counts.connectErrors + counts.resets;
  const counted = Object.values(byKind).reduce((a, b) => a + b, 0);
  const errors = Math.min(counted, total);
  const notes =
    counted > total
      ? ['Some answers were counted both as timeouts and by their status (the tool cannot tell which late answers had which status); errors is capped at the total.']
      : [];
  return { requests: { total, ok: total - errors, errors }, errors: { byKind, byStatus }, notes };
}

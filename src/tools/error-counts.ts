import { ERROR_KINDS, type ErrorCounts, type ErrorKind, type RunResult } from '../record/result.js';
import type { ScriptCounts } from './wrk-lua.js';

export function zeroErrorKinds(): Record<ErrorKind, number> {
  return Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as Record<ErrorKind, number>;
}

/** What wrk or wrk2 counted, with what the generated script's hooks counted beside it. */
export interface WrkFamilyCounts {
  tool: 'wrk' | 'wrk2';
  connections: number;
  /** Requests written: request() calls, less the one wrk makes before the run to check the hook. */
  sent: number;
  /** The tool's "requests": every message it parsed as a complete answer, interim (1xx) ones included. */
  parsed: number;
  /** Answers per status, as response() saw them (wrk skips answers that have no header field). */
  statuses: Record<string, number>;
  /** The tool's own count of statuses above 399. */
  statusErrors: number;
  /** Answers whose end was the connection's close (no length, no chunked coding). */
  endsAtClose: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  /** wrk: answers that came after the timeout; wrk2: connections found waiting past it at its 2 s checks. */
  timeouts: number;
  /** modelprof's probe found the target's port refusing connections during the run. */
  portRefused?: boolean;
  /** The run was stopped early (Ctrl-C, SIGTERM). */
  interrupted?: boolean;
}

/** The counts from what wrk's or wrk2's parser read: its text summary and the script's line. */
export function countsOfWrkFamily(
  tool: 'wrk' | 'wrk2',
  output: { connections: number; requests: number; statusErrors: number; socketErrors: Record<'connect' | 'read' | 'write' | 'timeout', number>; script: ScriptCounts },
  run: { portRefused?: boolean; interrupted?: boolean } = {},
): WrkFamilyCounts {
  const { socketErrors, script } = output;
  return {
    tool,
    connections: output.connections,
    sent: script.sent,
    parsed: output.requests,
    statuses: script.statuses,
    statusErrors: output.statusErrors,
    endsAtClose: script.endsAtClose,
    connectErrors: socketErrors.connect,
    readErrors: socketErrors.read,
    writeErrors: socketErrors.write,
    timeouts: socketErrors.timeout,
    ...(run.portRefused ? { portRefused: true } : {}),
    ...(run.interrupted ? { interrupted: true } : {}),
  };
}

export interface WrkFamilyTally {
  requests: RunResult['requests'];
  errors: ErrorCounts;
  /** Final answers: parsed less the interim ones. */
  answered: number;
  /** Requests lost on a broken connection (refused ones included). */
  lost: number;
  /** Of `lost`, write errors while the port refused connections: refused connects, which wrk and wrk2 count as write errors. */
  refused: number;
  /** Read or write errors that cost no request (a connection closed between answers, or bytes after one). */
  spareSocketErrors: number;
  /** Requests still unanswered when the tool stopped, not counted unless nothing was answered. */
  inFlightAtEnd: number;
  /** Nothing came back at all: the requests in flight, counted as timeouts, or as interrupted when the run was stopped early. */
  unanswered: number;
  interim: number;
  /** Answers the script never saw (no header field), whose status only wrk's own count knows. */
  unlabelled: number;
  notes: string[];
}

/**
 * Requests and error counts from wrk's or wrk2's figures, so they agree with what the target itself
 * counted. The tools count sockets, not requests: a read error may cost a request (the target
 * dropped it), or none (wrk 4.1 flags the close that ends a close-delimited answer; the server closed
 * a keep-alive connection between answers; bytes followed a complete answer). The script's count
 * of requests sent settles it: sent = answered + lost + in flight at the end (at most one per
 * connection), so
 * - read/write errors (less wrk's close-delimited ends) that do not exceed the unanswered requests
 *   are each a lost request;
 * - more errors than that means some cost nothing, and then the lost requests are the unanswered
 *   ones beyond one per connection: requests written as the server closed the connection. Whether
 *   the server read them is not known (a half-closed socket may still read), so they are
 *   connection_reset, as the builtin counts a connection closed under a request.
 * wrk and wrk2 connect without waiting and find a refused connection at the first write: while
 * modelprof's probe saw the port refuse connections (`portRefused`), write errors are refused
 * connects (connect_refused), not resets.
 * Requests in flight at the end are left out, as the tools leave them out, except when nothing at
 * all came back (no answer, no close): then they waited the whole run, and are timeouts; or, when
 * the run was stopped early, interrupted (they had not had their timeout yet).
 * ok + errors = total always.
 */
export function wrkFamilyTally(counts: WrkFamilyCounts): WrkFamilyTally {
  const interim = sumWhere(counts.statuses, (status) => status < 200);
  const answered = Math.max(0, counts.parsed - interim);
  const labelled = sumWhere(counts.statuses, () => true);
  const unlabelled = Math.max(0, counts.parsed - labelled);
  // wrk 4.1 reports a read error at the close that ends a close-delimited answer; wrk2 (4.0.0) does not.
  const closeErrors = counts.tool === 'wrk' ? Math.min(counts.endsAtClose, counts.readErrors) : 0;
  const socketErrors = counts.readErrors + counts.writeErrors - closeErrors;
  const unresolved = Math.max(0, counts.sent - answered);
  const lost = socketErrors <= unresolved ? socketErrors : Math.max(0, unresolved - counts.connections);
  const spareSocketErrors = socketErrors - lost;
  const inFlightAtEnd = unresolved - lost;
  // Nothing came back at all, neither an answer nor a close: the requests waited the whole run.
  const unanswered = answered === 0 && lost === 0 ? inFlightAtEnd : 0;
  const refused = counts.portRefused ? Math.min(lost, counts.writeErrors) : 0;

  const byStatus: Record<string, number> = {};
  for (const [status, count] of Object.entries(counts.statuses)) if (Number(status) > 399 && count > 0) byStatus[status] = count;
  const byKind = zeroErrorKinds();
  byKind.connect_error = counts.connectErrors;
  byKind.connect_refused = refused;
  byKind.connection_reset = lost - refused;
  // wrk's timeouts are late answers, already among the answers; wrk2's are connection checks, not requests.
  byKind.timeout = (counts.tool === 'wrk' ? counts.timeouts : 0) + (counts.interrupted ? 0 : unanswered);
  byKind.interrupted = counts.interrupted ? unanswered : 0;
  byKind.http_status = Math.max(counts.statusErrors, sumWhere(byStatus, () => true));

  const total = answered + lost + unanswered + counts.connectErrors;
  const counted = Object.values(byKind).reduce((a, b) => a + b, 0);
  const errors = Math.min(counted, total);
  const notes: string[] = [];
  if (counted > total) {
    notes.push('Some answers were counted both as timeouts and by their status (the tool cannot tell which late answers had which status); errors is capped at the total.');
  }
  return {
    requests: { total, ok: total - errors, errors },
    errors: { byKind, byStatus },
    answered,
    lost,
    refused,
    spareSocketErrors,
    inFlightAtEnd,
    unanswered,
    interim,
    unlabelled,
    notes,
  };
}

/**
 * What the tally means for the user: warnings where the tool's own figures are off, limits where
 * its counts differ from the server's by design (both reach the console), notes for the rest.
 */
export function wrkFamilyRemarks(tool: 'wrk' | 'wrk2', tally: WrkFamilyTally): { warnings: string[]; limits: string[]; notes: string[] } {
  const warnings: string[] = [];
  const limits: string[] = [];
  const notes: string[] = [...tally.notes];
  if (tally.interim > 0) {
    warnings.push(
      `${tool} took ${tally.interim} interim (1xx) answers for final ones and sent its next request early: they are left out of the counts, ${tool === 'wrk' ? "and wrk's latency, which they broke, is not reported" : 'but its latency includes them'}; --engine builtin reads interim answers right`,
    );
  }
  if (tally.spareSocketErrors > 0) {
    warnings.push(
      `${tool} reported ${tally.spareSocketErrors} read errors that cost no request: the target closed keep-alive connections between answers without "Connection: close", or sent bytes after a complete answer (a framing error ${tool} cannot pin on an answer); --engine builtin tells them apart`,
    );
  }
  const reset = tally.lost - tally.refused;
  if (tally.refused > 0) {
    notes.push(
      `${tally.refused} requests failed on write errors while modelprof's probe found the target's port refusing connections: ${tool} connects without waiting and meets a refused connection at its first write, so they are counted as connect_refused.`,
    );
  }
  if (reset > 0) {
    notes.push(
      tally.spareSocketErrors > 0
        ? `${reset} requests were written as the target closed their connection without "Connection: close": ${tool} cannot tell whether the target read them, so they are counted as connection_reset, as --engine builtin counts a connection closed under a request.`
        : `${tool} does not say why a connection broke: the ${reset} requests lost with it are reported as connection_reset.`,
    );
  }
  if (tally.unanswered > 0) {
    notes.push(
      tally.errors.byKind.interrupted > 0
        ? `No answer came before the run was stopped: the ${tally.unanswered} requests in flight count as interrupted (they had not reached their timeout).`
        : `No answer came in the whole run: the ${tally.unanswered} requests ${tool} sent count as timeouts.`,
    );
  } else if (tally.inFlightAtEnd > 0) {
    (tally.answered === 0 ? notes : limits).push(`${tally.inFlightAtEnd} requests were still in flight when ${tool} stopped; ${tool} does not wait for them, so they are not counted.`);
  }
  if (tally.unlabelled > 0) {
    notes.push(`${tally.unlabelled} answers had no header field, which ${tool} does not pass to its script: their statuses are not in errors.byStatus (${tool}'s own count of statuses above 399 is in http_status).`);
  }
  return { warnings, limits, notes };
}

function sumWhere(counts: Record<string, number>, keep: (status: number) => boolean): number {
  return Object.entries(counts).reduce((total, [status, count]) => total + (keep(Number(status)) ? count : 0), 0);
}

import type { OutputLines } from './output-lines.js';

/** The parts of wrk's text summary that wrk and wrk2 share (wrk2 is a fork and prints them alike). */

export interface WrkSocketErrors {
  connect: number;
  read: number;
  write: number;
  timeout: number;
}

export interface WrkHeader {
  threads: number;
  connections: number;
}

export interface WrkThreadStats {
  /** The Latency row's Avg, Stdev and Max as printed, e.g. "2.38ms"; "-nan" when nothing was recorded. */
  latencyShown: { mean: string; stdev: string; max: string };
  latencyLine: number;
}

export interface WrkTotals {
  /** Completed responses, any status. */
  requests: number;
  requestsLine: number;
  runtimeSec: number;
  /** The run time as printed, e.g. "5.00s". */
  runtimeShown: string;
  socketErrors: WrkSocketErrors;
  /** Answers with status > 399 ("Non-2xx or 3xx responses", whatever its wording says). */
  statusErrors: number;
}

/**
 * Milliseconds per unit of wrk's format_time_us and format_time_s (units.c): us and ms below a
 * second, then s and m (a value moves up at 0.85 of the next unit: 850us is 0.85ms, 51s is 0.85m);
 * h is listed but never reached, and is read all the same.
 */
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "Running 5s test @ <url>" and "  1 threads and 4 connections". */
export function readWrkHeader(lines: OutputLines): WrkHeader {
  lines.expect(/^Running \S+ test @ \S+$/, 'a first line like "Running 5s test @ http://host/path"');
  const sizes = lines.expect(/^ {2}(\d+) threads and (\d+) connections$/, 'a line like "  1 threads and 4 connections"');
  return { threads: Number(sizes[1]), connections: Number(sizes[2]) };
}

/** The "Thread Stats" table: its header, the Latency row and the Req/Sec row. */
export function readWrkThreadStats(lines: OutputLines): WrkThreadStats {
  lines.expect(/^ {2}Thread Stats\s+Avg\s+Stdev\s+Max\s+\+\/- Stdev$/, 'the "Thread Stats" table header');
  const latencyLine = lines.nextLineNumber;
  const latency = lines.expect(/^ {4}Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+(?:-?nan|\d+\.\d\d)%$/, 'the "Latency" row of the Thread Stats table');
  if (latency.slice(1, 4).some((shown) => !/^(?:-?nan|\d+\.\d\d)(?:us|ms|s|m|h)$/.test(shown))) {
    throw lines.unexpectedAt(latencyLine, 'expected times like 2.38ms in the Latency row');
  }
  lines.expect(/^ {4}Req\/Sec\s+(?:-?nan|\d+\.\d\d[kMG]?)\s+(?:-?nan|\d+\.\d\d[kMG]?)\s+(?:-?nan|\d+\.\d\d[kMG]?)\s+(?:-?nan|\d+\.\d\d)%$/, 'the "Req/Sec" row of the Thread Stats table');
  return { latencyShown: { mean: latency[1]!, stdev: latency[2]!, max: latency[3]! }, latencyLine };
}

export const WRK_SHOWN_PERCENTS = ['50', '75', '90', '99'] as const;
export type WrkShownPercent = (typeof WRK_SHOWN_PERCENTS)[number];

/**
 * wrk's optional "Latency Distribution" (--latency): four rows like "     50%    2.44ms". wrk pads
 * every value to a two-letter unit (print_units), so one-letter units end in a space: "1.00s ".
 */
export function readWrkDistribution(lines: OutputLines): { percent: WrkShownPercent; shown: string; line: number }[] {
  if (!lines.accept(/^ {2}Latency Distribution$/)) return [];
  return WRK_SHOWN_PERCENTS.map((percent) => {
    const line = lines.nextLineNumber;
    const row = lines.expect(new RegExp(`^\\s+${percent}%\\s+(\\S+)\\s*$`), `the ${percent}% row of the Latency Distribution`);
    if (wrkTimeMs(row[1]!) === undefined) throw lines.unexpectedAt(line, 'expected a time like 2.44ms');
    return { percent, shown: row[1]!, line };
  });
}

/**
 * The closing lines: "N requests in T, B read", the optional "Socket errors" and "Non-2xx or 3xx
 * responses" lines (printed only when not zero), "Requests/sec" and "Transfer/sec". Requests/sec
 * must agree with N / T, which catches an altered count.
 */
export function readWrkTotals(lines: OutputLines): WrkTotals {
  const requestsLine = lines.nextLineNumber;
  const done = lines.expect(/^ {2}(\d+) requests in (\S+), \S+B read$/, 'a line like "  8519 requests in 5.00s, 1.53MB read"');
  const socket = lines.accept(/^ {2}Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$/);
  const status = lines.accept(/^ {2}Non-2xx or 3xx responses: (\d+)$/);
  const rateLine = lines.nextLineNumber;
  const rate = lines.expect(/^Requests\/sec:\s+(\d+\.\d\d)$/, 'a line like "Requests/sec:   1703.13"');
  lines.expect(/^Transfer\/sec:\s+\S+B$/, 'a line like "Transfer/sec:    312.68KB"');

  const requests = Number(done[1]);
  const runtimeMs = wrkTimeMs(done[2]!);
  if (runtimeMs === undefined) throw lines.unexpectedAt(requestsLine, 'the run time is not a time like 5.00s');
  const runtimeSec = runtimeMs / 1000;
  const shownRate = Number(rate[1]);
  // The run time is printed with 2 decimals (in s, m or h), so the two agree to well within 1%.
  if (runtimeSec > 0 && Math.abs(requests / runtimeSec - shownRate) > 0.01 * shownRate + 0.02) {
    throw lines.unexpectedAt(rateLine, `${shownRate} requests/sec does not match ${requests} requests in ${done[2]}`);
  }
  return {
    requests,
    requestsLine,
    runtimeSec,
    runtimeShown: done[2]!,
    socketErrors: socket
      ? { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
    statusErrors: status ? Number(status[1]) : 0,
  };
}

/** A time as wrk prints it ("2.38ms", "5.14s", "0.00us", "2.00m") in ms; undefined for "-nanus" and such. */
export function wrkTimeMs(shown: string): number | undefined {
  const match = /^(\d+\.\d+)(us|ms|s|m|h)$/.exec(shown.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}

/**
 * Whether `ms` is what wrk would print as `shown`: its times have 2 decimals in the unit shown,
 * so they may differ by half a unit in the last place (a little more for long-double rounding).
 */
export function agreesWithShownTime(ms: number, shown: string): boolean {
  const match = /^(\d+\.\d+)(us|ms|s|m|h)$/.exec(shown.trim());
  if (!match) return false;
  const unitMs = UNIT_MS[match[2]!]!;
  return Math.abs(ms - Number(match[1]) * unitMs) <= 0.006 * unitMs;
}

import type { TokenSnapshot } from './token-snapshot.js';
/** Latency summary in milliseconds. Fields a source cannot give are absent, never invented. */
export interface LatencySummary {
  min?: number;
  mean?: number;
  stdev?: number;
  p50?: number;
  p75?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  p999?: number;
  p9999?: number;
  max?: number;
}

/** The percentiles LatencySummary has fields for, in order: the field, the percent, and the name people read. */
export const LATENCY_PERCENTILES: readonly { key: keyof LatencySummary; percent: number; label: string }[] = [
  { key: 'p50', percent: 50, label: 'p50' },
  { key: 'p75', percent: 75, label: 'p75' },
  { key: 'p90', percent: 90, label: 'p90' },
  { key: 'p95', percent: 95, label: 'p95' },
  { key: 'p99', percent: 99, label: 'p99' },
  { key: 'p999', percent: 99.9, label: 'p99.9' },
  { key: 'p9999', percent: 99.99, label: 'p99.99' },
];

/** How a failed request failed. */
export const ERROR_KINDS = [
  'connect_refused',
  'connect_error',
  'connection_reset',
  /**
   * Written on a reused keep-alive connection the server had just closed without announcing it
   * (RFC 9112 section 9.6): the request never reached the server. Not the target's error.
   */
  'reuse_race',
  'timeout',
  'http_status',
  /** A 2xx whose body is not a valid answer of the API (--api): an error object, a wrong shape, a broken or empty stream. */
  'bad_response',
  'protocol',
  /** Still in flight when the run was stopped early (Ctrl-C): neither answered nor failed. */
  'interrupted',
  /** The generator's own machine ran out of sockets or ports (EMFILE, ENFILE, EADDRNOTAVAIL): not the target's fault. */
  'local_resources',
  'other',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** One second of the run, as the target served it. `t` counts seconds from the start of measurement. */
export interface SecondOfService {
  t: number;
  /** Requests answered without error in that second. */
  ok: number;
  /** When the first and the last of them came, seconds from the start of measurement; absent without any. */
  firstOkSec?: number;
  lastOkSec?: number;
  /** Requests that failed on the target's account (not in TARGET_BLAMELESS_KINDS). */
  failed: number;
}

/** Failures that say nothing about the target: this machine's (out of sockets), the user's (Ctrl-C), a reuse race. */
export const TARGET_BLAMELESS_KINDS: readonly ErrorKind[] = ['local_resources', 'interrupted', 'reuse_race'];

export interface ErrorCounts {
  /** Count per kind; kinds with no errors are 0. */
  byKind: Record<ErrorKind, number>;
  /** Count per HTTP status code of the answers counted as errors (400 and above, as in wrk), keyed by the code as a string. */
  byStatus: Record<string, number>;
  /** With a payload of several lines (builtin engine): the lines that failed, so the user sees which one the endpoint rejects. */
  byPayloadLine?: PayloadLineErrors;
  /**
   * The first bodies of failed answers, redacted and cut at 512 bytes: with --api, answers that were
   * not valid (bad_response, with the problem); from the builtin engine, error statuses' bodies, a
   * few per status, with the payload line each came from.
   */
  samples?: ErrorSample[];
}

/** A failed answer's body, as the target sent it (secrets redacted, cut at 512 bytes). */
export interface ErrorSample {
  status: number;
  sample: string;
  /** Why a 2xx answer was no valid answer of the API (bad_response); absent for error statuses. */
  problem?: string;
  /** The payload line (1-based) the request was built from, when the payload has several. */
  line?: number;
  /** The body was longer than what is kept. */
  truncated?: boolean;
}

/** Errors per payload line: the lines with errors, most failing first. */
export interface PayloadLineErrors {
  /** Lines in the payload (of the whole run, for a shard). */
  lines: number;
  /** How many lines had at least one error. */
  linesWithErrors: number;
  /** The worst of them (at most MAX_PAYLOAD_LINES_SHOWN); `line` is 1-based, as editors number lines. */
  worst: { line: number; requests: number; errors: number }[];
}

type LineCount = PayloadLineErrors['worst'][number];

/** Order of failing lines: the largest share failed first, then the most errors, then the first line. */
export function worstLineFirst(a: LineCount, b: LineCount): number {
  return b.errors / b.requests - a.errors / a.requests || b.errors - a.errors || a.line - b.line;
}

/** How many failing payload lines a report lists. */
export const MAX_PAYLOAD_LINES_SHOWN = 20;

/**
 * Sums workers' per-line counts (each indexed by the line's place in this process's payload) into
 * PayloadLineErrors; `lineNumber` maps that place to the line of the payload file (a shard holds
 * every COUNT-th line). Undefined when no line failed.
 */
export function payloadLineErrors(
  counts: readonly { requests: Uint32Array; errors: Uint32Array }[],
  lines: number,
  lineNumber: (index: number) => number = (index) => index + 1,
): PayloadLineErrors | undefined {
  const requests = new Float64Array(counts[0]?.requests.length ?? 0);
  const errors = new Float64Array(requests.length);
  for (const each of counts) {
    for (let i = 0; i < requests.length; i++) {
      requests[i]! += each.requests[i]!;
      errors[i]! += each.errors[i]!;
    }
  }
  const failing: { line: number; requests: number; errors: number }[] = [];
  for (let i = 0; i < errors.length; i++) if (errors[i]! > 0) failing.push({ line: lineNumber(i), requests: requests[i]!, errors: errors[i]! });
  if (failing.length === 0) return undefined;
  failing.sort(worstLineFirst);
  return { lines, linesWithErrors: failing.length, worst: failing.slice(0, MAX_PAYLOAD_LINES_SHOWN) };
}

/** One second of the measured window. `t` counts seconds from the start of measurement. */
export interface TimelinePoint {
  t: number;
  requests: number;
  errors: number;
  /** Latency percentiles of the requests completed in that second, in ms; absent if none. */
  p50?: number;
  p99?: number;
  /**
   * The second's latency HdrHistogram (µs, compressed base64), kept only in shard reports so that
   * a merge can give exact per-second percentiles.
   */
  histogram?: string;
  /** Open-loop builtin runs: send lag percentiles of the planned sends made in that second, in ms. */
  sendLagP50?: number;
  sendLagP99?: number;
}

/** The generator's send lag (actual minus planned send time) over the measured window, in ms. */
export interface SendLagSummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** What the report says of one latency figure: could the generator's own delay have moved it? */
export interface FigureTrust {
  /** A LatencySummary key: p50 ... p9999, or max. */
  figure: string;
  latencyMs: number;
  /** The generator's estimated part in it: the send lag at the percentile the trust rule names, ms. */
  lagMs: number;
  /** The most lag the figure tolerates: max(5% of it, 0.1 ms). */
  limitMs: number;
  /** Its own lag within the limit and every figure below it trusted. */
  trusted: boolean;
  /** Present when its own lag is within the limit but a figure below it is not trusted: that figure's key. */
  belowUntrusted?: string;
}

export interface Validity {
  /**
   * The generator delivered the load (below) and, for the builtin open loop, p50 to p99 are all
   * trusted (issue 9; the figures above are each marked in `trust`). An SLA is judged per clause
   * whatever this says: a clause the generator's lag cannot flip is judged on an invalid run too.
   */
  valid: boolean;
  /**
   * The generator delivered the load as planned and was not saturated, so the figures are the
   * target's. False: nothing in the run can be judged (no SLA clause, no comparison). Absent from
   * reports written before it existed, where `valid` says it (see judge/sla.ts loadHeld).
   */
  loadHeld?: boolean;
  /** Why the run is not a valid measurement; empty when valid. */
  reasons: string[];
  /** Things that do not void the run but qualify its figures (e.g. the target could not keep up). */
  warnings: string[];
  /** The figures the verdict was drawn from (schedule keeping, generator load). */
  checks: ValidityChecks;
  /** Open-loop builtin runs: how late the generator's planned sends left, over every one of the window. */
  sendLag?: SendLagSummary;
  /** Open-loop builtin runs: each corrected latency figure, judged by the trust rule. */
  trust?: FigureTrust[];
  /** Open-loop builtin runs: the highest figure up to which every one from p50 is trusted; null when p50 is not. */
  trustedUpTo?: string | null;
}

export interface ValidityChecks {
  targetRps?: number;
  /** Completions per second of the measured window. */
  achievedRps?: number;
  /** Open-loop builtin runs: the served rate (as throughput.servedRps), which the rate-shortfall warning reads. */
  servedRps?: number;
  /** Open-loop builtin runs: planned sends made per second of the sending window. */
  sendRps?: number;
  /**
   * Open-loop builtin runs: share of the window's planned sends that the generator made, or that only
   * a busy connection kept it from making (0..1); the plan is held at 0.99 and above.
   */
  planHeldShare?: number;
  /** Open-loop builtin runs: planned sends due, with a connection free, still unsent when the window closed. */
  owedSends?: number;
  /** Open-loop builtin runs: planned sends of the window a busy connection kept back (the target's, not the generator's). */
  unsentPlanned?: number;
  /** Share of planned sends that went out within the lateness tolerance (0..1). */
  timelySends?: number;
  /** LaBench: share of ticks handed to a client in time (0..1). */
  timelyTicks?: number;
  /** LaBench: ticks that found no free client. */
  missedTicks?: number;
  /** Worst send lateness against plan, ms. */
  maxSendLagMs?: number;
  /** A planned send later than this counted as late, ms. */
  sendToleranceMs?: number;
  /** Generator event-loop lag, ms (p99 and max over workers). */
  eventLoopLagP99Ms?: number;
  eventLoopLagMaxMs?: number;
  /**
   * The busiest worker thread's share of the time busy in its event loop, or (builtin, Linux) waiting
   * for a CPU it did not get (0..1): above 0.95 the generator is saturated.
   */
  generatorCpu?: number;
}

/** A 2xx answer that was not a valid answer of the API: why, its status, and its first bytes (not yet redacted). */
export interface BadAnswerSample {
  problem: string;
  status: number;
  sample: string;
}

/** The answers of an --api run, merged over workers. */
export interface RunAnswers {
  tokens: TokenSnapshot;
  badAnswers: number;
  samples: BadAnswerSample[];
}

/** Whether an https target's certificate was verified, and by whom (engine and program). */
export interface TlsVerification {
  verified: boolean;
  /** Who verified what, in words ("modelprof, on every connection (certificate chain and host name)"), or why nobody did. */
  by: string;
}

/**
 * The start of a run left out of its figures. `excluded` says from which: `all` (the builtin
 * engine: its requests are in no figure, and measuredSeconds starts after it; the default when
 * absent) or `latency` (wrk2's calibration: left out of the latency only, while the request and error
 * counts and the throughput cover the whole run, calibration included, and measuredSeconds with them).
 */
export interface WarmupSpan {
  seconds: number;
  /** Answers during it: in no figure (`all`), or only in the counts (`latency`). */
  requests: number;
  excluded?: 'all' | 'latency';
  /**
   * Builtin engine, when any: requests planned in the warm-up that ended after the window opened
   * (in it, or while the run drained; in no figure). When the window measured nothing they say
   * why: its connections were still busy with them.
   */
  carried?: CarriedRequests;
}

/**
 * Requests planned in the warm-up that ended after the window opened (in it, or while the run
 * drained): answered below 400, failed on the target's account, and of those timed out.
 */
export interface CarriedRequests {
  ok: number;
  failed: number;
  timedOut: number;
  /** Of `failed`, the error answers by HTTP status, when any. */
  byStatus?: Record<string, number>;
}

/** Several workers' or shards' carried requests, added up; undefined when none ended after the window opened. */
export function sumCarried(all: readonly (CarriedRequests | undefined)[]): CarriedRequests | undefined {
  const sum: CarriedRequests = { ok: 0, failed: 0, timedOut: 0 };
  const byStatus: Record<string, number> = {};
  for (const carried of all) {
    if (!carried) continue;
    sum.ok += carried.ok;
    sum.failed += carried.failed;
    sum.timedOut += carried.timedOut;
    for (const [status, count] of Object.entries(carried.byStatus ?? {})) byStatus[status] = (byStatus[status] ?? 0) + count;
  }
  if (Object.keys(byStatus).length > 0) sum.byStatus = byStatus;
  return sum.ok + sum.failed > 0 ? sum : undefined;
}

/** What one engine measured, before it is shaped into a report. */
export interface RunResult {
  engine: 'builtin' | 'external';
  /** Version of the program that generated load (modelprof's for builtin). */
  engineVersion: string;
  startTime: Date;
  endTime: Date;
  /** Seconds from the start of measurement to the last answer: the time the figures cover. */
  measuredSeconds: number;
  warmup: WarmupSpan;
  /** total = ok + errors always; missed ticks (LaBench model) were never sent and are not in total. */
  requests: { total: number; ok: number; errors: number; missed?: number };
  /** Open-loop builtin runs: the offered rate times the share of the window's plan the target served (judge/served-rate.ts). */
  servedRps?: number;
  errors: ErrorCounts;
  /** Corrected latency for open-loop models (from intended send time), plain for wrk. */
  latency: LatencySummary;
  /** From actual send time, where it differs from `latency`. */
  latencyUncorrected?: LatencySummary;
  /** Merged HdrHistogram of `latency` in microseconds, compressed base64 (V2 encoding). */
  histogram?: string;
  histogramUncorrected?: string;
  /** Merged HdrHistogram of the send lag in microseconds (open-loop builtin runs), same encoding. */
  histogramSendLag?: string;
  /** For an https target: whether and by whom its certificate was verified. */
  tls?: TlsVerification;
  timeline: TimelinePoint[];
  /**
   * Each second's successes and failures on the target's account (past the window too, while the
   * engine drained), and the sending window they are judged over: what outages are found from.
   * Absent where the engine gives no per-second figures (the external tools).
   */
  /** `basis` 'probe': the seconds are modelprof's connection probes (external programs), not the load's answers. */
  service?: { seconds: SecondOfService[]; windowSec: number; basis?: 'probe' };
  validity: Validity;
  /** Set when the run stopped early (Ctrl-C, target down); says why. */
  partial?: string;
  /** Things the user should know about how figures were obtained. */
  notes: string[];
  /**
   * What the program that measured cannot do, where it shapes these figures (an external tool's
   * skipped warm-up, LaBench's bucket width): shown on the console, not only in report.json.
   */
  limits?: string[];
  /** Files kept in the output folder (raw tool output, generated scripts). */
  artifacts: string[];
  /** What an --api run's answers said (builtin engine): token figures, and the bad answers with a few samples. */
  answers?: RunAnswers;
}

import { TARGET_BLAMELESS_KINDS, type ErrorKind } from '../record/result.js';
import type { Report } from '../report/report.js';
import { describeAvailability, type Availability } from './availability.js';

/**
 * Above this share of failed requests a run is flagged even when no SLA asks about errors: an
 * inference endpoint that fails one request in a hundred is broken, whatever its latency says.
 */
export const HIGH_ERROR_RATE = 0.01;


/** What the target did with the run's requests, apart from whether the generator held its plan. */
export interface TargetOutcome {
  /** Requests that reached the target or failed on its account. */
  requests: number;
  /** None of them succeeded: the figures describe error answers (or none), not the model. */
  noSuccess: boolean;
  /** Of `requests`, those that failed. */
  failed: number;
  /** Some succeeded, but more than HIGH_ERROR_RATE failed. */
  highErrorRate: boolean;
  /** The failures seen, in one line, most frequent first, each with what to check; empty when none. */
  seen: string;
  /** Some succeeded, but the target was down for a while (or its watched server died): the outages and the availability. */
  outage?: Availability;
}

type ReportPart = Pick<Report, 'requests' | 'errors' | 'target' | 'availability'> & {
  settings: Pick<Report['settings'], 'timeoutSec' | 'payload'>;
  warmup?: Pick<Report['warmup'], 'carried'>;
};

/**
 * What the target did with the window's requests. A window that holds none, because requests planned
 * in the warm-up held its connections and every one of them failed (a target that never answers), is
 * judged on those: with no success at all the target is at fault, not the generator.
 */
export function judgeTarget(report: ReportPart): TargetOutcome {
  const { requests, errors } = report;
  const carried = report.warmup?.carried;
  if (requests.total === 0 && carried && carried.ok === 0 && carried.failed > 0) {
    const statuses = Object.entries(carried.byStatus ?? {}).map(([status, count]): [number, string] => [count, `${count} HTTP ${status} (${statusAdvice(Number(status), report.target.method, report.settings.payload.lines)})`]);
    const timedOut: [number, string][] = carried.timedOut > 0 ? [[carried.timedOut, `${carried.timedOut} ${KIND_ADVICE.timeout!(report)}`]] : [];
    const what = [...statuses, ...timedOut].sort((a, b) => b[0] - a[0]).map(([, text]) => text).join('; ');
    const seen = `no send of the measured window was answered; the ${carried.failed} requests planned in the warm-up that held its connections all failed${what ? `: ${what}` : ''}`;
    return { requests: carried.failed, noSuccess: true, failed: carried.failed, highErrorRate: false, seen };
  }
  const excluded = TARGET_BLAMELESS_KINDS.reduce((sum, kind) => sum + (errors.byKind[kind] ?? 0), 0);
  const targetRequests = requests.total - excluded;
  const failed = requests.errors - excluded;
  const noSuccess = targetRequests > 0 && requests.ok === 0;
  return {
    requests: targetRequests,
    noSuccess,
    failed,
    highErrorRate: !noSuccess && targetRequests > 0 && failed / targetRequests > HIGH_ERROR_RATE,
    seen: describeFailures(report),
    ...(!noSuccess && report.availability && report.availability.outages.length > 0 ? { outage: report.availability } : {}),
  };
}

/** An HTTP status's name and what to check, for the statuses an inference endpoint gives. */
function statusAdvice(status: number, method: string, payloadLines: number): string {
  switch (status) {
    case 400:
      return `Bad Request: the endpoint rejects the body${payloadLines > 1 ? '; errors by payload line show which lines' : ''}`;
    case 401:
      return 'Unauthorized: check the key (the Authorization header)';
    case 403:
      return 'Forbidden: the key is not allowed here (the Authorization header, or network rules)';
    case 404:
      return 'Not Found: check the URL path and the deployment header (azureml-model-deployment)';
    case 405:
      return `Method Not Allowed: the endpoint does not take ${method}${method === 'GET' && payloadLines === 0 ? ' (no payload was given, so GET was sent: add --payload or --payload-file)' : ''}`;
    case 408:
      return 'Request Timeout: the server gave up waiting (Azure ML: request_timeout_ms)';
    case 413:
      return 'Payload Too Large: the body is larger than the server accepts';
    case 415:
      return 'Unsupported Media Type: check the Content-Type header';
    case 422:
      return "Unprocessable Content: the body parses but does not fit the model's input";
    case 424:
      return "Failed Dependency: Azure ML's model container failed the request (see its logs)";
    case 429:
      return 'Too Many Requests: the endpoint limits concurrency or rate (Azure ML: max_concurrent_requests_per_instance)';
    case 500:
      return "Internal Server Error: the model's code failed (see the server's log)";
    case 502:
      return 'Bad Gateway: the gateway got no good answer from the model';
    case 503:
      return 'Service Unavailable: no healthy instance took the request';
    case 504:
      return 'Gateway Timeout: the model took longer than the gateway waits';
    default:
      return status >= 500 ? 'a server error' : 'a client error: check the request';
  }
}

/** What each way of failing without an HTTP answer means. */
const KIND_ADVICE: Partial<Record<ErrorKind, (report: ReportPart) => string>> = {
  timeout: (r) => `timed out (no answer within the ${r.settings.timeoutSec >= 1 ? `${r.settings.timeoutSec} s` : `${Number((r.settings.timeoutSec * 1000).toFixed(3))} ms`} timeout)`,
  connect_refused: (r) => `refused (nothing listens at ${hostOf(r.target.url)})`,
  connection_reset: () => 'reset by the target',
  connect_error: () => 'could not connect (DNS, TLS or routing)',
  protocol: () => 'answered with broken HTTP/1.1 framing (a bad chunk size, Content-Length values that differ, bytes after a complete answer, or no HTTP/1.1 status line)',
  other: () => 'failed otherwise',
};

/**
 * The failures in one line, most frequent first: each HTTP status seen with its name and what to
 * check, then the failures without an answer (timeouts, refusals, resets); "no HTTP answer at all"
 * when no status was seen. Empty when nothing failed on the target's account.
 */
export function describeFailures(report: ReportPart): string {
  const { errors } = report;
  const method = report.target.method;
  const parts: [count: number, text: string][] = [];
  for (const [status, count] of Object.entries(errors.byStatus)) {
    if (count > 0) parts.push([count, `${count} HTTP ${status} (${statusAdvice(Number(status), method, report.settings.payload.lines)})`]);
  }
  const statuses = parts.reduce((sum, [count]) => sum + count, 0);
  // Statuses a tool counted without telling which (wrk's unlabelled answers).
  const unlabelled = (errors.byKind.http_status ?? 0) - statuses;
  if (unlabelled > 0) parts.push([unlabelled, `${unlabelled} HTTP errors of unknown status`]);
  const withoutAnswer: [number, string][] = [];
  for (const [kind, advice] of Object.entries(KIND_ADVICE) as [ErrorKind, (r: ReportPart) => string][]) {
    const count = errors.byKind[kind] ?? 0;
    if (count > 0) withoutAnswer.push([count, `${count} ${advice(report)}`]);
  }
  const byCount = (a: [number, string], b: [number, string]): number => b[0] - a[0];
  // A broken answer is an answer: "no HTTP answer at all" only when none came.
  const lead = (errors.byKind.protocol ?? 0) > 0 ? 'no valid HTTP answer' : 'no HTTP answer at all';
  if (parts.length === 0 && withoutAnswer.length > 0) return `${lead}: ${withoutAnswer.sort(byCount).map(([, text]) => text).join('; ')}`;
  return [...parts, ...withoutAnswer].sort(byCount).map(([, text]) => text).join('; ');
}

/** One line on what the target did wrong, or undefined when it did nothing worth a banner. */
export function targetHeadline(outcome: TargetOutcome): string | undefined {
  if (outcome.noSuccess) return `TARGET ERROR: none of ${outcome.requests} requests succeeded: ${outcome.seen}`;
  if (outcome.outage) return `TARGET DOWN: ${describeAvailability(outcome.outage)}${outcome.seen ? `: ${outcome.seen}` : ''}`;
  if (outcome.highErrorRate) {
    return `HIGH ERROR RATE: ${((100 * outcome.failed) / outcome.requests).toFixed(2)}% of ${outcome.requests} requests failed: ${outcome.seen}`;
  }
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

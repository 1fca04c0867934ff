import { HttpConnection, ERROR_KIND_INDEX, type ConnectionOwner } from './http-connection.js';
import { IntervalRecorder } from '../record/interval-recorder.js';
import { TARGET_BLAMELESS_KINDS } from '../record/result.js';
import { createLatencyHistogram, recordLatencyMs, type Histogram } from '../record/histogram.js';
import { apiAdapter } from '../target/apis/registry.js';
import { requestSource, type RequestSource } from '../target/request-source.js';
import { LlmAnswers } from './llm-answers.js';
import type { WorkerJob, WorkerStats } from './worker-protocol.js';
import { LIVE_SLOTS } from './live-progress.js';
import { ErrorBodySampler } from './error-bodies.js';

/** Failures that say nothing about the target or the request's body: Ctrl-C, this machine's limits, a reuse race. */
const NOT_THE_TARGETS_FAULT = new Set(TARGET_BLAMELESS_KINDS.map((kind) => ERROR_KIND_INDEX[kind]));

/**
 * What every load model shares inside a worker: the clock, the connections, the request rotation,
 * the recorder, and the generator's own statistics. Times are ms on this thread's performance.now().
 */
export class SendContext {
  readonly loadStartMs: number;
  readonly measureStartMs: number;
  /** No request is sent at or after this time. */
  endMs: number;
  readonly connections: HttpConnection[] = [];
  readonly stats: WorkerStats = {
    plannedSends: 0,
    noticedSends: 0,
    lateSends: 0,
    maxSendLagMs: 0,
    ticks: 0,
    lateTicks: 0,
    missedTicks: 0,
    warmupRequests: 0,
    carriedOk: 0,
    carriedFailed: 0,
    carriedTimedOut: 0,
    carriedByStatus: {},
    unsentPlanned: 0,
    owedSends: 0,
    lastCompletionEpochMs: 0,
    eventLoopLagP99Ms: 0,
    eventLoopLagMaxMs: 0,
    eventLoopUtilization: 0,
    busyOrWaiting: 0,
  };
  /** This thread's clock when the last measured answer arrived (0: none yet); failures such as timeouts do not count. */
  lastCompletionMs = 0;
  /**
   * Open-loop models, for the share of the plan the target served (judge/served-rate.ts): when each
   * measured answer arrived, and when each planned send of the window that went out was due, us from
   * the start of measurement. The closed loop offers no rate to serve.
   */
  readonly completions: Histogram | undefined;
  readonly plannedTimes: Histogram | undefined;
  /**
   * Per payload line (when there is more than one), the measured requests and how many failed on
   * the target's account: two typed-array increments per request, handed over once at the end.
   */
  readonly lines: { requests: Uint32Array; errors: Uint32Array } | undefined;
  private requests: Buffer[];
  private nextRequestIndex: number;
  /** The payload line each connection's request in flight was built from, by connection id. */
  private readonly lineOf: Uint32Array;
  /** The first bodies of error answers, a few per status. */
  readonly errorBodies = new ErrorBodySampler();
  /** Counters the main thread reads live for the progress line (see LiveCounters). */
  private readonly live: Float64Array | undefined;
  /** Requests built from a workload (instead of the encoded rotation). */
  private workload: RequestSource | undefined;
  /** Input tokens each connection's request in flight was built to hold (-1: unknown). */
  private readonly plannedInput: Float64Array;
  /** Reads and judges answers when the job names an API (see LlmAnswers); undefined for raw answers. */
  readonly answers: LlmAnswers | undefined;
  /**
   * Until measuring starts, a second context that takes every warm-up event as a measured one, into
   * throwaway recorders: warm-up seconds are recorded, handed over and merged as measured ones are.
   * The measured path's code (the same methods, on an object of the same shape) is thus compiled by
   * V8's JIT, on threads that share the generator's core, before the window opens: compiling it in
   * the window's first second, and throwing away code compiled without it, stalled sends for
   * milliseconds.
   */
  private rehearsal: SendContext | undefined;

  constructor(
    readonly job: WorkerJob,
    readonly now: () => number,
    readonly recorder: IntervalRecorder,
    /** Where the load starts on this thread's clock. */
    loadStartMs: number,
    /** Whether the model is open-loop (it then records when each answer arrived). */
    openLoop = false,
    /** Records the warm-up as measured (see `rehearsal`); absent: the warm-up is only counted. */
    rehearsal?: IntervalRecorder,
    /**
     * This context is another's rehearsal: everything it is told is measured (no warm-up of its
     * own), its live counters are its own, and it reads no answers. It shares the job object: a copy
     * would have another map, and the measured path's code, compiled for the copy's, would be thrown
     * away at the first measured send.
     */
    rehearses = false,
  ) {
    if (rehearsal) this.rehearsal = new SendContext(job, now, rehearsal, loadStartMs, openLoop, undefined, true);
    this.completions = openLoop ? createLatencyHistogram() : undefined;
    this.plannedTimes = openLoop ? createLatencyHistogram() : undefined;
    this.loadStartMs = loadStartMs;
    this.measureStartMs = rehearses ? loadStartMs : loadStartMs + job.warmupMs;
    this.endMs = this.measureStartMs + job.durationMs;
    this.requests = job.requests.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (job.workload) this.workload = requestSource(job.workload);
    // Workers start at different places in the rotation so lines are spread over time, not in lockstep.
    this.nextRequestIndex = job.workerIndex % this.rotationLength();
    this.lineOf = new Uint32Array(job.connections);
    this.live = rehearses ? new Float64Array(job.live?.length ?? 3) : job.live;
    this.plannedInput = new Float64Array(job.connections).fill(-1);
    if (job.api && !rehearses) this.answers = new LlmAnswers(apiAdapter(job.api.name), job.connections, job.model !== 'wrk', job.api.objectives, rehearsal !== undefined);
    if (this.requests.length > 1) this.lines = { requests: new Uint32Array(this.requests.length), errors: new Uint32Array(this.requests.length) };
  }

  /** Measuring starts: what the warm-up sent is counted from now on, not recorded. */
  endRehearsal(): void {
    this.rehearsal = undefined;
    this.answers?.endRehearsal();
  }

  /** Hands over the warm-up's seconds before `nowMs` (the sweep calls it while warming up). */
  advanceRehearsal(nowMs: number): void {
    this.rehearsal?.recorder.advanceTo(nowMs);
  }

  /** Swaps the rotation for re-encoded requests (new header values); the next send takes the next of them. */
  replaceRequests(requests: readonly Uint8Array[], head?: string): void {
    if (head !== undefined && this.job.workload) this.workload = requestSource({ ...this.job.workload, head });
    if (requests.length === 0 || this.workload) return;
    this.requests = requests.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.nextRequestIndex %= this.requests.length;
  }

  openConnections(owner: ConnectionOwner): void {
    const options = { rejectUnauthorized: this.job.rejectUnauthorized, headRequest: this.job.headRequest };
    // The model owns the outcomes. Error answers' bodies are sampled on their way to it, and with an
    // API the answers' bodies are read too.
    const answers = this.answers;
    const bodies = this.errorBodies;
    const connectionOwner: ConnectionOwner = {
      onResponse: (connection, status) => owner.onResponse(connection, status),
      onFailure: (connection, kind) => owner.onFailure(connection, kind),
      onBody: (connection, data, start, end) => {
        answers?.body(connection.id, data, start, end, this.now());
        bodies.body(connection.id, connection.status, data, start, end);
      },
    };
    for (let id = 0; id < this.job.connections; id++) {
      this.connections.push(new HttpConnection(this.job.endpoint, connectionOwner, id, options));
    }
  }

  /**
   * Sends a request on `connection`, meant for `intendedMs`: request `requestIndex` of the run when
   * the plan names one (a trace entry), else the next of the rotation.
   */
  send(connection: HttpConnection, intendedMs: number, nowMs: number, requestIndex?: number): void {
    connection.intendedAt = intendedMs;
    connection.sentAt = nowMs;
    const index = requestIndex ?? this.nextRequestIndex;
    let request: Buffer;
    if (this.workload) {
      const prepared = this.workload.request(index);
      request = prepared.bytes;
      this.plannedInput[connection.id] = prepared.plannedInputTokens;
    } else {
      this.lineOf[connection.id] = index % this.requests.length;
      request = this.requests[index % this.requests.length]!;
    }
    if (requestIndex === undefined) this.nextRequestIndex = this.nextRequestIndex + 1 === this.rotationLength() ? 0 : this.nextRequestIndex + 1;
    this.answers?.begin(connection.id, nowMs);
    connection.send(request);
  }

  private rotationLength(): number {
    return this.workload ? this.workload.size : this.requests.length;
  }

  /**
   * A planned send of the measured window fell due and the generator saw it `lagMs` late (now -
   * planned): its send lag, whether its connection was free to send it then or not.
   */
  notePlanned(intendedMs: number, lagMs: number, nowMs: number): void {
    if (intendedMs < this.measureStartMs) return this.rehearsal?.notePlanned(intendedMs, lagMs, nowMs);
    this.stats.noticedSends++;
    if (lagMs > this.job.timelyToleranceMs) this.stats.lateSends++;
    if (lagMs > this.stats.maxSendLagMs) this.stats.maxSendLagMs = lagMs;
    this.recorder.recordSendLag(nowMs, lagMs);
  }

  /** A planned send of the measured window went out (on time or after its busy connection's answer). */
  notePlannedSent(intendedMs: number): void {
    if (intendedMs < this.measureStartMs) return this.rehearsal?.notePlannedSent(intendedMs);
    this.stats.plannedSends++;
    if (this.plannedTimes) recordLatencyMs(this.plannedTimes, intendedMs - this.measureStartMs);
  }

  recordResponse(connection: HttpConnection, status: number, nowMs: number): void {
    // An answer that came after the timeout is a timeout, to the millisecond, whenever the sweep
    // would have caught it (as wrk counts it): no latency, no success.
    if (nowMs - connection.sentAt > this.job.timeoutMs) return this.recordFailure(connection, ERROR_KIND_INDEX.timeout, nowMs);
    if (this.answers && status >= 200 && status < 300) {
      const measured = connection.intendedAt >= this.measureStartMs;
      const sent = { intendedMs: connection.intendedAt, sentMs: connection.sentAt, plannedInputTokens: this.plannedInput[connection.id]!, measured };
      // A 2xx whose body is no valid answer of the protocol failed, whatever its status says.
      if (this.answers.finish(connection.id, status, sent, nowMs) !== undefined) return this.recordFailure(connection, ERROR_KIND_INDEX.bad_response, nowMs);
    }
    const measured = connection.intendedAt >= this.measureStartMs;
    this.errorBodies.finish(connection.id, measured ? status : undefined, this.lines ? this.lineOf[connection.id] : undefined);
    if (!measured) {
      this.countWarmup(nowMs, status >= 400 ? ERROR_KIND_INDEX.http_status : -1, status);
      this.rehearsal?.recordResponse(connection, status, nowMs);
    } else {
      this.recorder.recordResponse(nowMs, connection.intendedAt, connection.sentAt, status);
      this.lastCompletionMs = nowMs;
      if (this.completions) recordLatencyMs(this.completions, nowMs - this.measureStartMs);
      if (this.live) this.live[LIVE_SLOTS.measured]!++;
      if (status >= 400 && this.live) this.live[LIVE_SLOTS.errors]!++;
      if (this.lines) this.countLine(connection, status >= 400);
    }
  }

  recordFailure(connection: HttpConnection, kind: number, nowMs: number): void {
    this.errorBodies.finish(connection.id, undefined, undefined);
    if (connection.intendedAt < this.measureStartMs) {
      this.countWarmup(nowMs, kind);
      this.rehearsal?.recordFailure(connection, kind, nowMs);
    } else {
      this.recorder.recordFailure(nowMs, kind);
      if (this.live) {
        this.live[LIVE_SLOTS.measured]!++;
        this.live[LIVE_SLOTS.errors]!++;
      }
      if (this.lines) this.countLine(connection, !NOT_THE_TARGETS_FAULT.has(kind));
    }
  }

  /** A request planned in the warm-up ended at `nowMs`: `failedKind` is its error kind, or -1 when it was answered below 400; `status`, its answer's. */
  private countWarmup(nowMs: number, failedKind: number, status = 0): void {
    this.stats.warmupRequests++;
    if (this.live) this.live[LIVE_SLOTS.warmup]!++;
    if (nowMs < this.measureStartMs || NOT_THE_TARGETS_FAULT.has(failedKind)) return;
    if (failedKind < 0) this.stats.carriedOk++;
    else {
      this.stats.carriedFailed++;
      if (failedKind === ERROR_KIND_INDEX.timeout) this.stats.carriedTimedOut++;
      else if (failedKind === ERROR_KIND_INDEX.http_status) this.stats.carriedByStatus[status] = (this.stats.carriedByStatus[status] ?? 0) + 1;
    }
  }

  private countLine(connection: HttpConnection, failed: boolean): void {
    const line = this.lineOf[connection.id]!;
    this.lines!.requests[line]!++;
    if (failed) this.lines!.errors[line]!++;
  }

  inFlight(): number {
    let count = 0;
    for (const connection of this.connections) if (connection.inFlight) count++;
    return count;
  }

  /** Fails requests that have waited longer than the timeout (called on a coarse sweep). */
  expireTimeouts(nowMs: number): void {
    const limit = nowMs - this.job.timeoutMs;
    for (const connection of this.connections) {
      if (connection.inFlight && connection.sentAt <= limit) connection.abort(ERROR_KIND_INDEX.timeout);
    }
  }

  /** Abandons what is still in flight when the run is cut short, counting it as interrupted. */
  abandonInFlight(): void {
    for (const connection of this.connections) {
      if (!connection.inFlight) continue;
      connection.abort(ERROR_KIND_INDEX.interrupted);
    }
  }

  closeAll(): void {
    for (const connection of this.connections) connection.close();
  }
}

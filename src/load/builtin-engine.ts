import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { InterruptedError } from '../core/errors.js';
import { round } from '../core/numbers.js';
import { RunAggregator } from '../record/aggregator.js';
import { addBuckets, createLatencyHistogram, summarizeHistogram } from '../record/histogram.js';
import { servedShare } from '../judge/served-rate.js';
import { ERROR_KINDS, sumCarried, type CarriedRequests, type RunAnswers, type RunResult } from '../record/result.js';
import { parseGoodput } from '../record/goodput.js';
import { mergeTokenSnapshots } from '../record/token-recorder.js';
import type { AnswerSnapshot } from './llm-answers.js';
import type { JobArrival } from './arrivals.js';
import type { ErrorBodySample } from './error-bodies.js';
import { byPayloadLine, errorSamples } from './run-errors.js';
import { judgeValidity } from '../judge/validity.js';
import type { Settings } from '../settings/settings.js';
import { encodeRequests, endpointOf, requestHead } from '../target/http-request.js';
import type { RequestSpec } from '../target/request-source.js';
import { MODELPROF_VERSION } from '../core/version.js';
import type { EngineContext, LoadEngine } from './engine.js';
import { LiveCounters, startLiveProgress } from './live-progress.js';
import { LOAD_MODELS } from './models/registry.js';
import { checkReachable } from './preflight.js';
import { builtinTlsVerification } from './tls-verification.js';
import { timelyToleranceMs, type MainMessage, type WorkerJob, type WorkerMessage, type WorkerStats } from './worker-protocol.js';

/** Time given to workers between "ready" and the first send, so all start on the same tick. */
const START_DELAY_MS = 50;
const WORKER_URL = new URL('./worker.js', import.meta.url);

/** modelprof's own engine: worker threads running the chosen seed tool's load model. */
export const builtinEngine: LoadEngine = { run: runBuiltin };

export async function runBuiltin(settings: Settings, context: EngineContext = {}): Promise<RunResult> {
  const endpoint = endpointOf(settings.url);
  const rejectUnauthorized = !settings.insecure;
  await checkReachable(endpoint, Math.min(settings.timeoutSec * 1000, 10_000), rejectUnauthorized);
  if (context.signal?.aborted) throw new InterruptedError('stopped before the load started: nothing was measured');

  const api = settings.api;
  // A workload's requests are built in the workers as they are sent; payload lines are encoded here once.
  const workload = workloadSpec(settings);
  const requests = workload ? [] : encodeRequests(settings).map((buffer) => new Uint8Array(buffer));
  const jobApi = api && api.name !== 'raw' ? { name: api.name, objectives: api.goodput ? parseGoodput(api.goodput) : [] } : undefined;
  const arrival = jobArrival(settings);
  const model = LOAD_MODELS[settings.tool];
  const senders = model.senders(settings);
  // LaBench's pool is served by one ticker unless THREAD asks for more (the seed's labench ignores THREAD).
  const workerCount = Math.min(settings.threads, senders);
  const jobs: WorkerJob[] = [];
  // A shard's workers keep their places in the whole run's plan (see shareOfLoad); a lone run is its own whole.
  const plan = settings.shard?.plan ?? { rate: settings.rate, firstConnection: 0, totalConnections: senders, tickOffset: 0, tickStride: 1 };
  let firstConnection = plan.firstConnection;
  for (let index = 0; index < workerCount; index++) {
    const connections = Math.floor(senders / workerCount) + (index < senders % workerCount ? 1 : 0);
    jobs.push({
      model: settings.tool,
      workerIndex: plan.tickOffset + index * plan.tickStride,
      workers: workerCount * plan.tickStride,
      endpoint,
      rejectUnauthorized,
      headRequest: settings.method === 'HEAD',
      requests,
      connections,
      firstConnection,
      totalConnections: plan.totalConnections,
      rate: plan.rate,
      timeoutMs: settings.timeoutSec * 1000,
      timelyToleranceMs: timelyToleranceMs(settings.rate),
      warmupMs: settings.warmupSec * 1000,
      durationMs: settings.durationSec * 1000,
      ...(workload ? { workload } : {}),
      ...(jobApi ? { api: jobApi } : {}),
      ...(arrival ? { arrival } : {}),
    });
    firstConnection += connections;
  }

  // A shard keeps each second's histogram, so a merge gives exact per-second percentiles.
  const aggregator = new RunAggregator(jobs.length, model.uncorrectedLatency, settings.shard !== undefined);
  // The warm-up's seconds, merged as the measured ones are and never reported (see SendContext's rehearsal).
  const rehearsal = settings.warmupSec > 0 ? new RunAggregator(jobs.length, model.uncorrectedLatency, settings.shard !== undefined) : undefined;
  const live = new LiveCounters(jobs.length);
  jobs.forEach((job, index) => (job.live = live.forWorker(index)));
  const stats: WorkerStats[] = [];
  // When the answers arrived and when the sends that went out were due: the share of the plan served.
  const served = { answers: createLatencyHistogram(), planned: createLatencyHistogram() };
  const lineCounts: { requests: Uint32Array; errors: Uint32Array }[] = [];
  const answers: AnswerSnapshot[] = [];
  const bodies: ErrorBodySample[] = [];
  prepareV8ForLoad();
  const workers = jobs.map((job) => new Worker(WORKER_URL, { workerData: job }));
  const send = (message: MainMessage): void => workers.forEach((worker) => worker.postMessage(message));
  let partial: string | undefined;
  /** When a stop was asked for (epoch ms on the shared clock): the sending ended there, not when the answers drained. */
  let stoppedAtEpochMs = Infinity;
  const onAbort = (): void => {
    partial = 'interrupted before the planned end';
    stoppedAtEpochMs = performance.timeOrigin + performance.now();
    send({ type: 'stop' });
  };

  const finished = Promise.all(
    workers.map(
      (worker, index) =>
        new Promise<void>((resolve, reject) => {
          let done = false;
          worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'interval') aggregator.add(index, message.snapshot);
            else if (message.type === 'rehearsal') rehearsal?.add(index, message.snapshot);
            else if (message.type === 'done') {
              done = true;
              aggregator.workerDone(index);
              stats.push(message.stats);
              if (message.served) {
                addBuckets(served.answers, message.served.answers);
                addBuckets(served.planned, message.served.planned);
              }
              if (message.lines) lineCounts.push(message.lines);
              if (message.answers) answers.push(message.answers);
              if (message.bodies) bodies.push(...message.bodies);
              void worker.terminate();
              resolve();
            }
          });
          worker.once('error', reject);
          // A worker that ends without its statistics would silently shrink the counts: never accept that.
          worker.once('exit', (code) => (done ? resolve() : reject(new Error(`load worker exited with code ${code} before reporting`))));
        }),
    ),
  );
  // A crashed worker must not leave the others sending: every way out stops them all.
  const terminateAll = (): void => workers.forEach((worker) => void worker.terminate());
  finished.catch(terminateAll);
  // A stop asked for while the workers start ends the run at once: nothing was measured yet.
  let onEarlyAbort: (() => void) | undefined;
  const stoppedEarly = new Promise<never>((_, reject) => {
    onEarlyAbort = () => reject(new InterruptedError('stopped before the load started: nothing was measured'));
    if (context.signal?.aborted) onEarlyAbort();
    else context.signal?.addEventListener('abort', onEarlyAbort, { once: true });
  });
  try {
    await Promise.race([
      Promise.all(workers.map((worker) => new Promise<void>((resolve) => worker.once('message', () => resolve())))),
      finished.then(() => Promise.reject(new Error('load workers ended before they were ready'))),
      stoppedEarly,
    ]);
  } catch (error) {
    terminateAll();
    throw error;
  } finally {
    context.signal?.removeEventListener('abort', onEarlyAbort!);
    stoppedEarly.catch(() => undefined);
  }

  const { loadStartEpochMs, lateMs } = loadStart(settings.startAtMs);
  const measureStartEpochMs = loadStartEpochMs + settings.warmupSec * 1000;
  send({ type: 'start', loadStartEpochMs });
  context.signal?.addEventListener('abort', onAbort, { once: true });
  if (context.signal?.aborted) onAbort();
  const stopProgress = context.onProgress ? startLiveProgress(context.onProgress, live, aggregator, loadStartEpochMs, settings) : undefined;
  // Renewed credentials are encoded once here and handed to every worker; sends after it use them.
  const unsubscribe = context.headerUpdates?.subscribe((headers) => {
    const renewedSettings = { ...settings, headers: { ...settings.headers, ...headers } };
    if (workload) send({ type: 'requests', requests: [], head: requestHead(renewedSettings) });
    else send({ type: 'requests', requests: encodeRequests(renewedSettings).map((buffer) => new Uint8Array(buffer)) });
  });
  try {
    await finished;
  } catch (error) {
    terminateAll();
    throw error;
  } finally {
    stopProgress?.();
    unsubscribe?.();
    context.signal?.removeEventListener('abort', onAbort);
  }
  // The window runs until the last answer, not just the last send: a target that fell behind
  // answers after the sending stopped, and its throughput must not be counted as the offered rate.
  const sendingEndedEpochMs = Math.min(performance.timeOrigin + performance.now(), stoppedAtEpochMs, measureStartEpochMs + settings.durationSec * 1000);
  const endEpochMs = Math.max(sendingEndedEpochMs, max(stats, 'lastCompletionEpochMs'));
  const measuredSeconds = Math.max(0, (endEpochMs - measureStartEpochMs) / 1000);
  const sendingSeconds = Math.max(0, (sendingEndedEpochMs - measureStartEpochMs) / 1000);

  const total = aggregator.total;
  const carried = carriedRequests(stats);
  const achievedRps = measuredSeconds > 0 ? aggregator.total / measuredSeconds : 0;
  // The offered rate times the share of the window's plan served; a run stopped before its window opened offered nothing to serve.
  const planned = sum(stats, 'plannedSends') + sum(stats, 'unsentPlanned') + sum(stats, 'owedSends') + sum(stats, 'missedTicks');
  const servedRps = model.loop === 'open' && sendingSeconds > 0 ? settings.rate * servedShare(served.answers, served.planned, planned) : undefined;
  const latency = summarizeHistogram(aggregator.histogram);
  const timeline = aggregator.timeline();
  const validity = judgeValidity({
    tool: settings.tool,
    completed: aggregator.total,
    ok: aggregator.ok,
    senders,
    // A sender is held from its request's actual send to the answer: the mean of that is its service time.
    ...(aggregator.histogramUncorrected && aggregator.histogramUncorrected.totalCount > 0
      ? { serviceMeanMs: aggregator.histogramUncorrected.mean / 1000, serviceMaxMs: aggregator.histogramUncorrected.maxValue / 1000 }
      : {}),
    unsentPlanned: sum(stats, 'unsentPlanned'),
    owedSends: sum(stats, 'owedSends'),
    sendingSeconds,
    latency,
    ...(aggregator.histogramSendLag ? { sendLag: aggregator.histogramSendLag } : {}),
    timeline,
    localResourceErrors: aggregator.byKind[ERROR_KINDS.indexOf('local_resources')]!,
    ...(model.loop === 'open' ? { targetRps: settings.rate } : {}),
    achievedRps,
    ...(servedRps !== undefined ? { servedRps } : {}),
    plannedSends: sum(stats, 'plannedSends'),
    noticedSends: sum(stats, 'noticedSends'),
    lateSends: sum(stats, 'lateSends'),
    maxSendLagMs: max(stats, 'maxSendLagMs'),
    toleranceMs: timelyToleranceMs(settings.rate),
    ticks: sum(stats, 'ticks'),
    lateTicks: sum(stats, 'lateTicks'),
    missedTicks: sum(stats, 'missedTicks'),
    eventLoopWatched: model.loop === 'closed' || settings.api !== undefined,
    eventLoopLagP99Ms: max(stats, 'eventLoopLagP99Ms'),
    eventLoopLagMaxMs: max(stats, 'eventLoopLagMaxMs'),
    ...(model.loop === 'closed' ? { loopDelay: worstLoopDelay(stats) } : {}),
    // Busy in its loop, or wanting a CPU it did not get: either way the generator could not keep up.
    generatorBusy: Math.max(max(stats, 'eventLoopUtilization'), max(stats, 'busyOrWaiting')),
    ...(partial ? { partial } : {}),
    ...(carried ? { carried } : {}),
  });

  const notes: string[] = [];
  if (model.latencyNote) notes.push(model.latencyNote);
  notes.push('latency covers every HTTP response, whatever its status; requests that failed without a response have no latency (as in wrk)');
  if (lateMs > 0) notes.push(`the load started ${lateMs.toFixed(0)} ms after --start-at: the workers were not ready in time`);
  const advice = threadAdvice(workerCount);
  if (advice) notes.push(advice);
  const interrupted = aggregator.byKind[ERROR_KINDS.indexOf('interrupted')]!;
  if (interrupted > 0) notes.push(`${interrupted} requests were still in flight when the run stopped; they count as errors of kind "interrupted"`);
  const races = aggregator.byKind[ERROR_KINDS.indexOf('reuse_race')]!;
  if (races > 0) {
    notes.push(
      `${races} requests were written as the target closed their keep-alive connection without "Connection: close" and never reached it (reuse_race): not the target's errors, though its clients will meet the same race`,
    );
  }

  const result: RunResult = {
    engine: 'builtin',
    engineVersion: MODELPROF_VERSION,
    startTime: new Date(measureStartEpochMs),
    endTime: new Date(endEpochMs),
    measuredSeconds,
    // A stop during the warm-up ends it there.
    warmup: {
      seconds: round(Math.max(0, Math.min(settings.warmupSec, (sendingEndedEpochMs - loadStartEpochMs) / 1000))),
      requests: sum(stats, 'warmupRequests'),
      ...(carried ? { carried } : {}),
    },
    requests: { total, ok: aggregator.ok, errors: aggregator.errors },
    errors: { ...aggregator.errorCounts(), ...byPayloadLine(settings, lineCounts), ...errorSamples(settings, bodies) },
    latency,
    timeline,
    service: { seconds: aggregator.service(), windowSec: sendingSeconds },
    validity,
    notes,
    artifacts: [],
    ...aggregator.encoded(),
  };
  if (aggregator.histogramUncorrected) result.latencyUncorrected = summarizeHistogram(aggregator.histogramUncorrected);
  if (jobApi) {
    result.answers = mergeAnswers(answers);
    const bad = result.answers.badAnswers;
    if (bad > 0) notes.push(`${bad} answers with a 2xx status were no valid ${jobApi.name} answer (bad_response): errors.samples shows the first`);
    const withoutDone = result.answers.tokens.counts.endedWithoutDone;
    if (withoutDone > 0) notes.push(`${withoutDone} streams ended on a finish_reason without data: [DONE]; they were accepted`);
  }
  if (model.ticker) result.requests.missed = sum(stats, 'missedTicks');
  if (servedRps !== undefined) result.servedRps = servedRps;
  if (partial) result.partial = partial;
  const tls = builtinTlsVerification(settings);
  if (tls) result.tls = tls;
  return result;
}

/** The workload the workers build requests from, when the run has one. */
function workloadSpec(settings: Settings): Extract<RequestSpec, { kind: 'workload' }> | undefined {
  const api = settings.api;
  if (!api?.workload) return undefined;
  const options = { ...(api.model !== undefined ? { model: api.model } : {}), stream: api.stream, ignoreEos: api.ignoreEos };
  return { kind: 'workload', head: requestHead(settings), api: api.name, options, workload: api.workload };
}

/** The job's arrivals where not the tool's even plan: Poisson at the rate, or the trace's offsets. */
function jobArrival(settings: Settings): JobArrival | undefined {
  const arrival = settings.arrival;
  if (!arrival || arrival.kind === 'even') return undefined;
  if (arrival.kind === 'poisson') return arrival;
  const workload = settings.api?.workload;
  if (workload?.kind !== 'trace') throw new Error('a trace arrival needs the trace workload');
  return { kind: 'trace', offsetsMs: workload.entries.map((entry) => entry.offsetMs), speedup: arrival.speedup };
}

/** The workers' answers as one: token figures merged, bad answers counted, the first samples kept. */
function mergeAnswers(snapshots: readonly AnswerSnapshot[]): RunAnswers {
  return {
    tokens: mergeTokenSnapshots(snapshots.map((snapshot) => snapshot.tokens)),
    badAnswers: snapshots.reduce((total, snapshot) => total + snapshot.badAnswers, 0),
    samples: snapshots.flatMap((snapshot) => snapshot.samples).slice(0, 5),
  };
}

/**
 * When the load starts, as epoch ms on the performance.timeOrigin + performance.now() clock the
 * workers share: at once, or at the wall-clock instant `startAtMs`, moved onto that clock here.
 */
function loadStart(startAtMs: number | undefined): { loadStartEpochMs: number; lateMs: number } {
  const now = performance.timeOrigin + performance.now();
  const soonest = now + START_DELAY_MS;
  if (startAtMs === undefined) return { loadStartEpochMs: soonest, lateMs: 0 };
  const wanted = startAtMs - Date.now() + now;
  return wanted >= soonest ? { loadStartEpochMs: wanted, lateMs: 0 } : { loadStartEpochMs: soonest, lateMs: soonest - wanted };
}

/** Requests planned in the warm-up that ended in the window, when any did. */
function carriedRequests(stats: WorkerStats[]): CarriedRequests | undefined {
  return sumCarried(stats.map((s) => ({ ok: s.carriedOk, failed: s.carriedFailed, timedOut: s.carriedTimedOut, byStatus: s.carriedByStatus })));
}

/** Per judged figure, the worst worker's event-loop delay (a figure merges every worker's requests). */
function worstLoopDelay(stats: WorkerStats[]): Record<string, number> | undefined {
  const all = stats.map((s) => s.loopDelayMs).filter((d): d is Record<string, number> => d !== undefined);
  if (all.length === 0) return undefined;
  const worst: Record<string, number> = {};
  for (const delays of all) for (const [key, ms] of Object.entries(delays)) worst[key] = Math.max(worst[key] ?? 0, ms);
  return worst;
}

/** The statistics that are plain numbers, summed or maxed over workers. */
type NumericStat = { [K in keyof WorkerStats]-?: WorkerStats[K] extends number ? K : never }[keyof WorkerStats];

function sum(stats: WorkerStats[], key: NumericStat): number {
  return stats.reduce((total, s) => total + s[key], 0);
}

function max(stats: WorkerStats[], key: NumericStat): number {
  return stats.reduce((top, s) => Math.max(top, s[key]), 0);
}

/** Worker threads beyond the machine's cores only add contention; say so rather than refuse. */
function threadAdvice(threads: number): string | undefined {
  const cores = availableParallelism();
  return threads > cores ? `THREAD=${threads} exceeds the ${cores} cores of this machine: threads will compete for CPU` : undefined;
}

/**
 * Sets V8 up for the load threads (a V8 flag is process-wide; the thread heaps made after this read
 * it):
 * - No memory reducer. Eight seconds after start, and again whenever a heap looks idle, it runs full
 *   garbage collections to shrink the heaps: at a low rate a load worker and its ticker look idle, so
 *   it paused them for up to 5 ms (a send-lag spike the verdict must then charge to the generator)
 *   and cost about 10 ms of CPU per second of a 15 s run at 200 req/s. The heaps here are small and
 *   the run is short, so there is nothing worth the shrinking.
 * - A quarter of the default interrupt budget (the bytecode a function runs between V8's checks
 *   whether to optimize it), so the send path reaches optimized code within the warm-up. At 200
 *   req/s it otherwise ran interpreted for 5 to 11 s, at about twice the CPU, and its TurboFan
 *   compiles (2-6 ms each, on threads sharing the generator's core) fell in the measured window
 *   (`--trace-opt`; CPU by thread from /proc/<tid>/schedstat, seconds 3-11 of 16 s runs: 40-54
 *   against 23-34 ms per second of load).
 */
function prepareV8ForLoad(): void {
  setFlagsFromString('--no-memory-reducer');
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}

/** V8's default is 67,584 (Node 20, V8 11.3: `node --v8-options`). */
const INTERRUPT_BUDGET = 16_384;

import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { IntervalRecorder } from '../record/interval-recorder.js';
import { LoopLagProbe } from './loop-lag-probe.js';
import { startTickers, stopSpareTickers } from './wake-timer.js';
import { LOAD_MODELS } from './models/registry.js';
import { SendContext } from './send-context.js';
import { busyOrWaitingShare, threadSchedule } from './thread-schedule.js';
import { JUDGED_FIGURES } from '../judge/trust.js';
import { histogramBuckets } from '../record/histogram.js';
import type { MainMessage, WorkerJob, WorkerMessage } from './worker-protocol.js';

/** Open-loop models start this early: their plan, not the start timer (a millisecond coarse), times the first send. */
const PLANNED_START_LEAD_MS = 2;
/** After Ctrl-C, requests in flight get this long to finish before they are abandoned. */
const STOP_GRACE_MS = 1000;

const port = parentPort!;
const job = workerData as WorkerJob;
/**
 * How often requests are checked against the timeout and idle seconds are handed over: every 5% of
 * the timeout, between 1 and 100 ms, so a hung request is dropped within 5% of its timeout (an answer
 * after it is counted a timeout exactly; see SendContext). Each check is a wake of its own at a low
 * rate: a 20 ms sweep was a tenth of the worker's wakes at 200 req/s.
 */
const SWEEP_INTERVAL_MS = Math.max(1, Math.min(100, Math.floor(job.timeoutMs / 20)));
const post = (message: WorkerMessage): void => port.postMessage(message);
const now = (): number => performance.now();

let stopRequestedAt = Infinity;
/** Ends sending now; set once the run is scheduled. */
let endNow: (() => void) | undefined;
/** The running load's context, once scheduled: new request bytes go there. */
let running: SendContext | undefined;

port.on('message', (message: MainMessage) => {
  if (message.type === 'start') schedule(message.loadStartEpochMs - performance.timeOrigin);
  else if (message.type === 'requests') {
    if (running) running.replaceRequests(message.requests, message.head);
    else {
      job.requests = message.requests;
      if (message.head !== undefined && job.workload) job.workload = { ...job.workload, head: message.head };
    }
  } else stopEarly();
});
// The closed loop has no plan to measure lag against: its event loop's delay in answering an event
// stands in, as it does for the reading of streamed tokens (ITL). An open-loop model measures its
// send lag instead, and otherwise spares the probe's wakes.
const openLoop = LOAD_MODELS[job.model].loop === 'open';
const probed = !openLoop || job.api !== undefined;
// Every ticker thread the run will use is running before the first connection opens (see startTickers).
await startTickers(LOAD_MODELS[job.model].wakeTimers + (probed ? 1 : 0));
post({ type: 'ready' });

function schedule(loadStartMs: number): void {
  const uncorrected = LOAD_MODELS[job.model].uncorrectedLatency;
  const recorder = new IntervalRecorder(loadStartMs + job.warmupMs, uncorrected, (snapshot) => post({ type: 'interval', snapshot }));
  const rehearsal = job.warmupMs > 0 ? new IntervalRecorder(loadStartMs, uncorrected, (snapshot) => post({ type: 'rehearsal', snapshot })) : undefined;
  const ctx = new SendContext(job, now, recorder, loadStartMs, openLoop, rehearsal);
  running = ctx;
  const model = LOAD_MODELS[job.model].create(ctx);
  const loopDelay = probed ? new LoopLagProbe(now) : undefined;
  let utilizationAtStart = performance.eventLoopUtilization();
  let scheduleAtStart = threadSchedule();
  let wallAtStart = now();

  const sweep = setInterval(() => {
    const t = now();
    ctx.expireTimeouts(t);
    if (t >= ctx.measureStartMs) recorder.advanceTo(t);
    else ctx.advanceRehearsal(t);
  }, SWEEP_INTERVAL_MS);

  runAt(openLoop ? loadStartMs - PLANNED_START_LEAD_MS : loadStartMs, () => {
    model.start();
    // Probing from the start, the warm-up runs the probe's code (and the wake timer's with the
    // probe's callback) before the window: started with the window, it was compiled in its first second.
    loopDelay?.start();
  });
  let measuring = false;
  runAt(ctx.measureStartMs, () => {
    measuring = true;
    ctx.endRehearsal();
    // Judge the generator on the measured window only.
    loopDelay?.clear(ctx.measureStartMs);
    utilizationAtStart = performance.eventLoopUtilization();
    scheduleAtStart = threadSchedule();
    wallAtStart = now();
  });

  const finish = (): void => {
    clearInterval(sweep);
    loopDelay?.stop();
    recorder.flush();
    const stats = ctx.stats;
    if (ctx.lastCompletionMs > 0) stats.lastCompletionEpochMs = performance.timeOrigin + ctx.lastCompletionMs;
    stats.eventLoopUtilization = performance.eventLoopUtilization(utilizationAtStart).utilization;
    stats.busyOrWaiting = busyOrWaitingShare(scheduleAtStart, threadSchedule(), now() - wallAtStart);
    // A run stopped in its warm-up has no window to judge the loop's delay in.
    if (loopDelay && measuring && loopDelay.histogram.totalCount > 0) {
      stats.eventLoopLagP99Ms = loopDelay.lagMs(99);
      stats.eventLoopLagMaxMs = loopDelay.lagMs(100);
      stats.loopDelayMs = Object.fromEntries(JUDGED_FIGURES.map(({ key, percent }) => [key, loopDelay.lagMs(percent)]));
    }
    ctx.closeAll();
    stopSpareTickers();
    const bodies = ctx.errorBodies.samples;
    post({
      type: 'done',
      stats,
      ...(ctx.completions && ctx.plannedTimes ? { served: { answers: histogramBuckets(ctx.completions), planned: histogramBuckets(ctx.plannedTimes) } } : {}),
      ...(ctx.lines ? { lines: ctx.lines } : {}),
      ...(ctx.answers ? { answers: ctx.answers.snapshot() } : {}),
      ...(bodies.length > 0 ? { bodies } : {}),
    });
    port.close();
  };

  // After the last send, wait for answers (a stall at the end must show), bounded by the timeout.
  const drain = (): void => {
    const t = now();
    if (t >= stopRequestedAt + STOP_GRACE_MS) ctx.abandonInFlight();
    if (ctx.inFlight() === 0) return finish();
    setTimeout(drain, 5);
  };
  const endWatch = (): void => {
    if (now() < ctx.endMs) return void setTimeout(endWatch, Math.max(1, ctx.endMs - now()));
    model.stop();
    drain();
  };
  const endTimer = setTimeout(endWatch, Math.max(0, ctx.endMs - now()));
  endNow = () => {
    if (ctx.endMs <= stopRequestedAt) return;
    ctx.endMs = stopRequestedAt;
    clearTimeout(endTimer);
    endWatch();
  };
  if (stopRequestedAt !== Infinity) endNow();
}

/** Runs `action` once this thread's clock reaches `timeMs` (timers may fire up to 1 ms early). */
function runAt(timeMs: number, action: () => void): void {
  const wait = timeMs - now();
  if (wait <= 0) action();
  else setTimeout(() => runAt(timeMs, action), Math.ceil(wait));
}

function stopEarly(): void {
  if (stopRequestedAt !== Infinity) return;
  stopRequestedAt = now();
  endNow?.();
}

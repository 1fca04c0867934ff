import type { HttpConnection } from '../http-connection.js';
import { senderPlans } from '../arrivals.js';
import { countPlanned, firstIndexFrom, type SendPlan } from '../plan.js';
import type { SendContext } from '../send-context.js';
import { WakeTimer } from '../wake-timer.js';
import type { LoadModel, LoadModelDescription } from './load-model.js';

/**
 * LaBench's model: one even ticker hands each tick to a free client of the pool. A tick that
 * finds every client busy is missed: counted, never sent late and never silently dropped.
 * Latency counts from the tick.
 */
export class EvenTickerModel implements LoadModel {
  private readonly plan: SendPlan;
  private readonly freeClients: Int32Array;
  private freeCount = 0;
  private tick = 0;
  private readonly wake: WakeTimer;
  private stopped = false;

  constructor(private readonly context: SendContext) {
    const { job } = context;
    context.openConnections(this);
    // The ticks dealt to this worker: the even ticker's, or its share of Poisson or trace arrivals.
    this.plan = senderPlans(job.arrival, job.rate)(job.workers, job.workerIndex);
    this.freeClients = new Int32Array(job.connections);
    for (let id = job.connections - 1; id >= 0; id--) this.freeClients[this.freeCount++] = id;
    this.wake = new WakeTimer(context.now, () => this.onTicks());
  }

  start(): void {
    this.onTicks();
    // The ticker wakes the worker at every tick not handled (or missed) by the time it is handed over.
    const { context, plan } = this;
    let tick = this.tick;
    this.wake.start(() => {
      tick = Math.max(tick, this.tick);
      const due = context.loadStartMs + plan.intendedTimeMs(tick);
      if (due >= context.endMs) return Infinity;
      tick++;
      return due;
    });
  }

  stop(): void {
    if (this.stopped) return;
    // Ticks that fell due inside the window are handed out now, however the window's end and the last wake raced.
    this.onTicks();
    this.stopped = true;
    this.wake.close();
    // Ticks of the window the loop never got to: the generator's own backlog, counted in O(1).
    const { context } = this;
    context.stats.owedSends += countPlanned(this.plan, this.tick, context.measureStartMs, context.endMs, context.loadStartMs);
  }

  onResponse(connection: HttpConnection, status: number): void {
    this.context.recordResponse(connection, status, this.context.now());
    this.freeClients[this.freeCount++] = connection.id;
  }

  onFailure(connection: HttpConnection, kind: number): void {
    this.context.recordFailure(connection, kind, this.context.now());
    this.freeClients[this.freeCount++] = connection.id;
  }

  /** Handles every tick that is due; ticks the loop could not serve in time are late, not skipped. */
  private onTicks(): void {
    const { context } = this;
    let now = context.now();
    let due = context.loadStartMs + this.plan.intendedTimeMs(this.tick);
    while (!this.stopped && due <= now && due < context.endMs) {
      if (this.freeCount === 0) {
        this.missTicksUntil(now);
        due = context.loadStartMs + this.plan.intendedTimeMs(this.tick);
        continue;
      }
      const requestIndex = this.plan.requestIndex?.(this.tick);
      this.tick++;
      const lag = now - due;
      if (due >= context.measureStartMs) {
        context.stats.ticks++;
        if (lag > context.job.timelyToleranceMs) context.stats.lateTicks++;
      }
      context.notePlanned(due, lag, now);
      context.notePlannedSent(due);
      context.send(context.connections[this.freeClients[--this.freeCount]!]!, due, now, requestIndex);
      now = context.now();
      due = context.loadStartMs + this.plan.intendedTimeMs(this.tick);
    }
  }

  /**
   * Every client is busy: each tick due by `nowMs` (and inside the run) is missed. Counted in one
   * step for the even ticker, however many there are, so a rate far beyond the pool costs no more
   * than a low one (dealt arrivals are walked).
   */
  private missTicksUntil(nowMs: number): void {
    const { context, plan } = this;
    const origin = context.loadStartMs;
    const end = Math.min(firstIndexFrom(plan, this.tick, context.endMs, origin), firstIndexFrom(plan, this.tick, nowMs, origin, true));
    const endMs = origin + plan.intendedTimeMs(end);
    const missed = countPlanned(plan, this.tick, context.measureStartMs, endMs, origin);
    context.stats.ticks += missed;
    context.stats.missedTicks += missed;
    context.stats.lateTicks += countPlanned(plan, this.tick, context.measureStartMs, Math.min(endMs, nowMs - context.job.timelyToleranceMs), origin);
    this.tick = end;
  }
}

/** LaBench: an even ticker over a client pool (THREAD beyond the pool is not an error: the seed's labench ignores it). */
export const EVEN_TICKER: LoadModelDescription = {
  tool: 'labench',
  loop: 'open',
  ticker: true,
  wakeTimers: 1,
  uncorrectedLatency: true,
  reads: ['clients', 'rate', 'threads'],
  latencyNote: 'latency counts from each tick (the planned send time); latencyUncorrected counts from the actual send',
  senders: (settings) => settings.clients,
  validate: () => undefined,
  create: (context) => new EvenTickerModel(context),
};

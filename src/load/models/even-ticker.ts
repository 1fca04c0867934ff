import type { HttpConnection } from '../http-connection.js';
import { senderPlans } from '../arrivals.js';
import type { SendPlan } from '../plan.js';
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
  }

  stop(): void {
    this.stopped = true;
    this.wake.cancel();
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
    const now = context.now();
    let due = context.loadStartMs + this.plan.intendedTimeMs(this.tick);
    while (!this.stopped && due <= now && due < context.endMs) {
      const requestIndex = this.plan.requestIndex?.(this.tick);
      this.tick++;
      const lag = now - due;
      const measured = due >= context.measureStartMs;
      if (measured) {
        context.stats.ticks++;
        if (lag > context.job.timelyToleranceMs) context.stats.lateTicks++;
      }
      if (this.freeCount > 0) {
        context.notePlannedSend(due, lag);
        context.send(context.connections[this.freeClients[--this.freeCount]!]!, due, now, requestIndex);
      } else if (measured) {
        context.stats.missedTicks++;
      }
      due = context.loadStartMs + this.plan.intendedTimeMs(this.tick);
    }
    if (!this.stopped && due < context.endMs) this.wake.arm(due);
  }
}

/** LaBench: an even ticker over a client pool (THREAD beyond the pool is not an error: the seed's labench ignores it). */
export const EVEN_TICKER: LoadModelDescription = {
  tool: 'labench',
  loop: 'open',
  ticker: true,
  uncorrectedLatency: true,
  reads: ['clients', 'rate', 'threads'],
  latencyNote: 'latency counts from each tick (the planned send time); latencyUncorrected counts from the actual send',
  senders: (settings) => settings.clients,
  validate: () => undefined,
  create: (context) => new EvenTickerModel(context),
};

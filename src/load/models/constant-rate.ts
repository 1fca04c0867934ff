import { DueQueue } from '../due-queue.js';
import type { HttpConnection } from '../http-connection.js';
import { senderPlans } from '../arrivals.js';
import type { SendPlan } from '../plan.js';
import type { SendContext } from '../send-context.js';
import { WakeTimer } from '../wake-timer.js';
import { everyThreadHasAConnection } from './connections-per-thread.js';
import type { LoadModel, LoadModelDescription } from './load-model.js';

/**
 * wrk2's model: each connection follows its own ConstantRatePlan. A connection that is still
 * waiting for a response when its next send is due sends right after the response, and that
 * request's latency counts from its planned time (coordinated-omission correction).
 */
export class ConstantRateModel implements LoadModel {
  private readonly plans: SendPlan[] = [];
  private readonly nextIndex: Int32Array;
  private readonly due: DueQueue;
  private readonly wake: WakeTimer;
  private stopped = false;

  constructor(private readonly context: SendContext) {
    const { job } = context;
    context.openConnections(this);
    // Each connection's own plan: the even one, or its share of Poisson or trace arrivals.
    const planFor = senderPlans(job.arrival, job.rate);
    for (let id = 0; id < job.connections; id++) this.plans.push(planFor(job.totalConnections, job.firstConnection + id));
    this.nextIndex = new Int32Array(job.connections);
    this.due = new DueQueue(job.connections);
    this.wake = new WakeTimer(context.now, () => this.sendDue());
  }

  start(): void {
    for (let id = 0; id < this.plans.length; id++) {
      const intended = this.intendedTime(id);
      if (intended < this.context.endMs) this.due.push(id, intended);
    }
    this.sendDue();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wake.cancel();
    // Sends planned inside the window that a busy connection never got to: wrk2 drops them
    // silently; here they are counted so the report can say the corrected latency lacks them.
    const { context } = this;
    for (let id = 0; id < this.plans.length; id++) {
      const connection = context.connections[id]!;
      let next = this.nextIndex[id]! + (connection.inFlight ? 1 : 0);
      for (let intended = this.intendedTime(id, next); intended < context.endMs; intended = this.intendedTime(id, ++next)) {
        if (intended >= context.measureStartMs) context.stats.unsentPlanned++;
      }
    }
  }

  onResponse(connection: HttpConnection, status: number): void {
    const now = this.context.now();
    this.context.recordResponse(connection, status, now);
    this.release(connection, now);
  }

  onFailure(connection: HttpConnection, kind: number): void {
    const now = this.context.now();
    this.context.recordFailure(connection, kind, now);
    this.release(connection, now);
  }

  /** The run's request for this connection's next send, when the plan names one (a trace entry). */
  private requestIndex(id: number): number | undefined {
    return this.plans[id]!.requestIndex?.(this.nextIndex[id]!);
  }

  private intendedTime(id: number, index = this.nextIndex[id]!): number {
    return this.context.loadStartMs + this.plans[id]!.intendedTimeMs(index);
  }

  /** The connection is free: its next request goes now if it is overdue, else at its planned time. */
  private release(connection: HttpConnection, now: number): void {
    this.nextIndex[connection.id]!++;
    this.enqueue(connection.id, now);
  }

  private enqueue(id: number, now: number): void {
    if (this.stopped) return;
    const intended = this.intendedTime(id);
    if (intended >= this.context.endMs) return;
    if (intended <= now) {
      this.context.notePlannedSend(intended, 0);
      this.context.send(this.context.connections[id]!, intended, now, this.requestIndex(id));
      return;
    }
    this.due.push(id, intended);
    this.wake.arm(intended);
  }

  private sendDue(): void {
    const now = this.context.now();
    while (this.due.peekDue() <= now) {
      const intended = this.due.peekDue();
      const id = this.due.pop();
      if (this.stopped) continue;
      this.context.notePlannedSend(intended, now - intended);
      this.context.send(this.context.connections[id]!, intended, now, this.requestIndex(id));
    }
    if (this.due.size > 0 && !this.stopped) this.wake.arm(this.due.peekDue());
  }
}

/** wrk2: a constant rate over keep-alive connections, coordinated-omission corrected. */
export const CONSTANT_RATE: LoadModelDescription = {
  tool: 'wrk2',
  loop: 'open',
  ticker: false,
  uncorrectedLatency: true,
  reads: ['connections', 'threads', 'rate'],
  latencyNote: "latency counts from each request's planned send time (coordinated-omission corrected); latencyUncorrected counts from the actual send",
  senders: (settings) => settings.connections,
  validate: everyThreadHasAConnection,
  create: (context) => new ConstantRateModel(context),
};

import type { HttpConnection } from '../http-connection.js';
import { senderPlans } from '../arrivals.js';
import { MergedPlans } from '../merged-plans.js';
import { countPlanned, type SendPlan } from '../plan.js';
import type { SendContext } from '../send-context.js';
import { WakeTimer } from '../wake-timer.js';
import { everyThreadHasAConnection } from './connections-per-thread.js';
import type { LoadModel, LoadModelDescription } from './load-model.js';

/**
 * wrk2's model: each connection follows its own ConstantRatePlan. A connection that is still
 * waiting for a response when its next send is due sends right after the response, and that
 * request's latency counts from its planned time (coordinated-omission correction).
 *
 * Every planned send is *noticed* when it falls due, whether or not its connection is free: the
 * ticker wakes the worker at each planned time, and how late the worker sees it is the send lag.
 * A send kept back by a busy connection goes out at the answer with no lag of its own (that wait
 * is the target's, and the corrected latency holds it), but the generator's promptness at its
 * planned time is still measured: a generator starved of CPU cannot hide behind busy connections.
 */
export class ConstantRateModel implements LoadModel {
  private readonly plans: SendPlan[] = [];
  /** Every connection's plan, merged: the planned sends not yet noticed. */
  private readonly noticed: MergedPlans;
  /** Per connection: the next planned index not yet sent (never beyond the next not yet noticed). Float64: exact far beyond Int32. */
  private readonly sendIndex: Float64Array;
  /** The same plans, merged again: the times the ticker is yet to be handed. */
  private readonly woken: MergedPlans;
  private readonly wake: WakeTimer;
  private stopped = false;

  constructor(private readonly context: SendContext) {
    const { job } = context;
    context.openConnections(this);
    // Each connection's own plan: the even one, or its share of Poisson or trace arrivals.
    const planFor = senderPlans(job.arrival, job.rate);
    for (let id = 0; id < job.connections; id++) this.plans.push(planFor(job.totalConnections, job.firstConnection + id));
    const end = (): number => context.endMs;
    this.noticed = new MergedPlans(this.plans, context.loadStartMs, end);
    this.sendIndex = new Float64Array(job.connections);
    this.wake = new WakeTimer(context.now, () => this.noticeDue());
    this.woken = new MergedPlans(this.plans, context.loadStartMs, end);
  }

  start(): void {
    this.noticeDue();
    // The ticker wakes the worker at every planned time not noticed by the time it is handed over.
    this.wake.start(() => {
      const noticed = this.noticed.peekDue();
      while (this.woken.peekDue() < noticed) this.woken.take();
      return this.woken.takeTime();
    });
  }

  stop(): void {
    if (this.stopped) return;
    // What fell due inside the window is seen now, however the window's end and the last wake raced.
    this.noticeDue();
    this.stopped = true;
    this.wake.close();
    // Planned sends of the window that never went out, counted arithmetically (O(1) whatever the
    // rate, for the even plan; dealt arrivals are walked). Noticed but kept back by a busy connection, they are the target's: wrk2 drops them
    // silently; here they are counted so the report can say the corrected latency lacks them.
    // Never noticed, they are the generator's own backlog.
    const { measureStartMs, endMs, loadStartMs, stats } = this.context;
    for (let id = 0; id < this.plans.length; id++) {
      const plan = this.plans[id]!;
      const notNoticed = countPlanned(plan, this.noticed.nextIndex[id]!, measureStartMs, endMs, loadStartMs);
      stats.owedSends += notNoticed;
      stats.unsentPlanned += countPlanned(plan, this.sendIndex[id]!, measureStartMs, endMs, loadStartMs) - notNoticed;
    }
  }

  onResponse(connection: HttpConnection, status: number): void {
    this.context.recordResponse(connection, status, this.context.now());
    this.release(connection);
  }

  onFailure(connection: HttpConnection, kind: number): void {
    this.context.recordFailure(connection, kind, this.context.now());
    this.release(connection);
  }

  /** The connection is free: awake anyway, notice what fell due meanwhile, and send its overdue request if any. */
  private release(connection: HttpConnection): void {
    if (this.stopped) return;
    this.noticeDue();
    if (!connection.inFlight) this.sendNext(connection.id, this.context.now());
  }

  /** Notices every planned send that is due, recording how late; a free connection sends at once. */
  private noticeDue(): void {
    if (this.stopped) return;
    const { context } = this;
    let now = context.now();
    while (this.noticed.peekDue() <= now) {
      const intended = this.noticed.peekDue();
      const id = this.noticed.take();
      context.notePlanned(intended, now - intended, now);
      if (!context.connections[id]!.inFlight) {
        this.sendNext(id, now);
        // Each send of a batch is timed on its own: the writes before it delayed it.
        now = context.now();
      }
    }
  }

  /** Sends the connection's oldest noticed, unsent planned request, if it has one. */
  private sendNext(id: number, now: number): void {
    const index = this.sendIndex[id]!;
    if (index >= this.noticed.nextIndex[id]!) return;
    this.sendIndex[id] = index + 1;
    const intended = this.noticed.time(id, index);
    this.context.notePlannedSent(intended);
    // A trace or workload plan names the request each send carries.
    this.context.send(this.context.connections[id]!, intended, now, this.plans[id]!.requestIndex?.(index));
  }
}

/** wrk2: a constant rate over keep-alive connections, coordinated-omission corrected. */
export const CONSTANT_RATE: LoadModelDescription = {
  tool: 'wrk2',
  loop: 'open',
  ticker: false,
  wakeTimers: 1,
  uncorrectedLatency: true,
  reads: ['connections', 'threads', 'rate'],
  latencyNote: "latency counts from each request's planned send time (coordinated-omission corrected); latencyUncorrected counts from the actual send",
  senders: (settings) => settings.connections,
  validate: everyThreadHasAConnection,
  create: (context) => new ConstantRateModel(context),
};

/**
 * Send plans: pure functions from a request's index to the time it is meant to be sent, in ms
 * from the start of the load. No clock here: the worker pairs a plan with its clock, and tests
 * check plans with plain numbers.
 */
export interface SendPlan {
  /** Intended send time of the `index`-th request (0-based) of this sender, ms after load start. */
  intendedTimeMs(index: number): number;
  /** Which request of the whole run the sender's `index`-th one is (a trace entry, a workload item); absent: the sender's own rotation. */
  requestIndex?(index: number): number;
}

/**
 * wrk2's model: a total rate split evenly over `senders` connections. Sender `k` sends every
 * `senders / rate` seconds, shifted by `k / rate`, so the union of all senders is evenly spaced
 * at the total rate.
 */
export class ConstantRatePlan implements SendPlan {
  private readonly intervalMs: number;
  private readonly offsetMs: number;

  constructor(totalRatePerSec: number, senders: number, senderIndex: number) {
    this.intervalMs = (1000 * senders) / totalRatePerSec;
    this.offsetMs = (1000 * senderIndex) / totalRatePerSec;
  }

  intendedTimeMs(index: number): number {
    return this.offsetMs + index * this.intervalMs;
  }
}

/**
 * LaBench's model: one even ticker at the total rate. With several worker threads, worker `w` of
 * `workers` takes ticks w, w + workers, ...: the same ticks, dealt round-robin.
 */
export class EvenTickerPlan extends ConstantRatePlan {
  constructor(totalRatePerSec: number, workers = 1, workerIndex = 0) {
    super(totalRatePerSec, workers, workerIndex);
  }
}

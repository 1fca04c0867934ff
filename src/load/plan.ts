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

  /**
   * The first index whose intended time (`originMs` + intendedTimeMs) is at or after `timeMs`, in
   * O(1) whatever the rate. Times are compared exactly as a model compares them (origin added), so
   * counts and the model's own sends never disagree at a boundary.
   */
  indexAtOrAfter(timeMs: number, originMs = 0): number {
    let index = Math.max(0, Math.ceil((timeMs - originMs - this.offsetMs) / this.intervalMs));
    // The division may land one off the index intendedTimeMs itself puts on either side of timeMs.
    while (index > 0 && originMs + this.intendedTimeMs(index - 1) >= timeMs) index--;
    while (originMs + this.intendedTimeMs(index) < timeMs) index++;
    return index;
  }

  /** The first index whose intended time is after `timeMs`, in O(1). */
  indexAfter(timeMs: number, originMs = 0): number {
    let index = Math.max(0, Math.floor((timeMs - originMs - this.offsetMs) / this.intervalMs) + 1);
    while (index > 0 && originMs + this.intendedTimeMs(index - 1) > timeMs) index--;
    while (originMs + this.intendedTimeMs(index) <= timeMs) index++;
    return index;
  }

  /** How many indices from `from` on have an intended time in [fromMs, toMs), in O(1). */
  countBetween(from: number, fromMs: number, toMs: number, originMs = 0): number {
    return Math.max(0, this.indexAtOrAfter(toMs, originMs) - Math.max(from, this.indexAtOrAfter(fromMs, originMs)));
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

/**
 * The first index from `from` on whose intended time (`originMs` + intendedTimeMs) is at or after
 * `timeMs`, or after it with `after`. O(1) for the even plans, whatever the rate; a walk from
 * `from` for dealt arrivals (Poisson, a trace), whose times have no closed form.
 */
export function firstIndexFrom(plan: SendPlan, from: number, timeMs: number, originMs: number, after = false): number {
  if (plan instanceof ConstantRatePlan) return Math.max(from, after ? plan.indexAfter(timeMs, originMs) : plan.indexAtOrAfter(timeMs, originMs));
  let index = from;
  while (after ? originMs + plan.intendedTimeMs(index) <= timeMs : originMs + plan.intendedTimeMs(index) < timeMs) index++;
  return index;
}

/** How many indices from `from` on have an intended time in [fromMs, toMs) (see firstIndexFrom for the cost). */
export function countPlanned(plan: SendPlan, from: number, fromMs: number, toMs: number, originMs: number): number {
  return Math.max(0, firstIndexFrom(plan, from, toMs, originMs) - firstIndexFrom(plan, from, fromMs, originMs));
}

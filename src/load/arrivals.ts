import { seededRandom } from '../core/seeded-random.js';
import { ConstantRatePlan, type SendPlan } from './plan.js';

/**
 * The arrival times of a whole run's requests, as pure functions of the request's global index:
 * the same index always gives the same time, in every worker thread, with no clock involved.
 * Senders take their share through a DealtPlan.
 */
export interface ArrivalSequence {
  /** Intended start of request `index` (0-based, over all senders), ms after load start; Infinity past the last request. */
  timeMs(index: number): number;
  /** Requests in the sequence; Infinity for an open-ended one. */
  readonly length: number;
}

/** Arrivals kept around the furthest one computed; an index further back is recomputed from the seed. */
const POISSON_WINDOW = 1 << 16;

/**
 * A Poisson process at `ratePerSec`: gaps between arrivals are independent and exponential with
 * mean 1/rate (drawn by inversion, -ln(1 - u) / rate, from a seeded generator), the first request
 * at time 0. The same seed gives the same arrivals. Memory stays bounded: the last 65,536 arrivals
 * are kept, which covers how far apart the senders of one worker run.
 */
export class PoissonArrivals implements ArrivalSequence {
  readonly length = Infinity;
  private readonly meanGapMs: number;
  private readonly window = new Float64Array(POISSON_WINDOW);
  private random: () => number;
  /** Arrivals [computed - POISSON_WINDOW, computed) are in the window. */
  private computed = 0;
  private nextTime = 0;

  constructor(
    ratePerSec: number,
    private readonly seed: number,
  ) {
    if (!(ratePerSec > 0)) throw new RangeError(`a Poisson rate must be positive, got ${ratePerSec}`);
    this.meanGapMs = 1000 / ratePerSec;
    this.random = seededRandom(seed);
  }

  timeMs(index: number): number {
    if (index < this.computed - POISSON_WINDOW) this.restart();
    while (this.computed <= index) {
      this.window[this.computed % POISSON_WINDOW] = this.nextTime;
      this.computed++;
      this.nextTime += -Math.log(1 - this.random()) * this.meanGapMs;
    }
    return this.window[index % POISSON_WINDOW]!;
  }

  private restart(): void {
    this.random = seededRandom(this.seed);
    this.computed = 0;
    this.nextTime = 0;
  }
}

/** A recorded trace replayed `speedup` times faster (2: twice the rate; 0.5: half). */
export class TraceArrivals implements ArrivalSequence {
  readonly length: number;

  constructor(
    private readonly offsetsMs: readonly number[],
    private readonly speedup = 1,
  ) {
    if (!(speedup > 0)) throw new RangeError(`a trace speed-up must be positive, got ${speedup}`);
    this.length = offsetsMs.length;
  }

  timeMs(index: number): number {
    return index < this.offsetsMs.length ? this.offsetsMs[index]! / this.speedup : Infinity;
  }
}

/**
 * One sender's share of an arrival sequence, dealt round-robin: sender k of n takes requests
 * k, k + n, k + 2n, ... so the senders together follow the sequence exactly (a round-robin split of
 * a Poisson process is not Poisson per sender, but the union is, which is what the target sees).
 */
export class DealtPlan implements SendPlan {
  constructor(
    private readonly arrivals: ArrivalSequence,
    private readonly senders: number,
    private readonly senderIndex: number,
  ) {}

  intendedTimeMs(index: number): number {
    return this.arrivals.timeMs(this.requestIndex(index));
  }

  /** The global request index of this sender's `index`-th request: which workload item or trace entry it carries. */
  requestIndex(index: number): number {
    return this.senderIndex + index * this.senders;
  }
}

/** A job's arrivals as plain data, for the worker thread: Poisson at the job's rate, or a trace's offsets. */
export type JobArrival = { kind: 'poisson'; seed: number } | { kind: 'trace'; offsetsMs: number[]; speedup: number };

/**
 * The plans of one worker's senders: the tool's even plan (wrk2's staggered constant rate, LaBench's
 * dealt ticks), or their share of one Poisson or trace sequence built once for the worker.
 */
export function senderPlans(arrival: JobArrival | undefined, totalRatePerSec: number): (senders: number, senderIndex: number) => SendPlan {
  if (arrival === undefined) return (senders, senderIndex) => new ConstantRatePlan(totalRatePerSec, senders, senderIndex);
  const sequence: ArrivalSequence = arrival.kind === 'poisson' ? new PoissonArrivals(totalRatePerSec, arrival.seed) : new TraceArrivals(arrival.offsetsMs, arrival.speedup);
  return (senders, senderIndex) => new DealtPlan(sequence, senders, senderIndex);
}

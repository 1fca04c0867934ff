import { DueQueue } from './due-queue.js';
import type { SendPlan } from './plan.js';

/**
 * Several senders' SendPlans merged into one sequence in time order: which sender's planned send
 * comes next, and when. Times are ms on the worker's clock (`originMs` plus the plan's time); no
 * send is planned at or after `endMs()` (read at each step: Ctrl-C moves the end forward).
 */
export class MergedPlans {
  private readonly queue: DueQueue;
  /** Per sender: the index of its next planned send not yet taken. Float64: exact far beyond Int32. */
  readonly nextIndex: Float64Array;

  constructor(
    private readonly plans: readonly SendPlan[],
    private readonly originMs: number,
    private readonly endMs: () => number,
  ) {
    this.queue = new DueQueue(plans.length);
    this.nextIndex = new Float64Array(plans.length);
    for (let id = 0; id < plans.length; id++) this.queue.push(id, this.time(id, 0));
  }

  /** The time of the earliest planned send not yet taken; Infinity when none is left before the end. */
  peekDue(): number {
    const due = this.queue.peekDue();
    return due < this.endMs() ? due : Infinity;
  }

  /** Takes the earliest planned send (due at peekDue(), which must not be Infinity) and returns its sender. */
  take(): number {
    const id = this.queue.pop();
    const next = this.time(id, ++this.nextIndex[id]!);
    if (next < this.endMs()) this.queue.push(id, next);
    return id;
  }

  /** Takes the earliest planned send and returns its time; Infinity when none is left. */
  takeTime(): number {
    const due = this.peekDue();
    if (due < Infinity) this.take();
    return due;
  }

  /** Sender `id`'s `index`-th planned time, on the worker's clock. */
  time(id: number, index: number): number {
    return this.originMs + this.plans[id]!.intendedTimeMs(index);
  }
}

/** Node's timers fire up to ~1 ms late; below this much remaining wait we yield with setImmediate instead. */
const SPIN_BELOW_MS = 1.5;

/**
 * Calls `fire` once the clock reaches a due time, within tens of microseconds: a plain timer for
 * most of the wait, then setImmediate turns (which still serve I/O) for the last stretch, so
 * planned sends are not late by a timer's granularity.
 */
export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private armedFor = Infinity;
  private readonly onWake = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    const due = this.armedFor;
    this.armedFor = Infinity;
    if (this.now() >= due) this.fire();
    else this.arm(due);
  };

  constructor(
    private readonly now: () => number,
    private readonly fire: () => void,
  ) {}

  /** Makes sure `fire` runs by `dueMs`; an earlier pending wake is kept. */
  arm(dueMs: number): void {
    if (dueMs >= this.armedFor) return;
    this.cancel();
    this.armedFor = dueMs;
    const wait = dueMs - this.now();
    if (wait > SPIN_BELOW_MS) this.timer = setTimeout(this.onWake, Math.floor(wait - SPIN_BELOW_MS));
    else this.immediate = setImmediate(this.onWake);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.armedFor = Infinity;
  }
}

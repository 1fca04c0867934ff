/**
 * Calls `tick` on a fixed schedule (start + k * interval). A tick that runs past the next slot makes
 * the sampler skip the missed slots instead of piling up calls, so a slow endpoint never gets
 * more than one request at a time. The timer is unref'd: sampling never keeps the process alive.
 */
export class IntervalSampler {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private startedAt = 0;
  /** Index of the slot last scheduled: slot k is due at start + k * interval. */
  private slot = 0;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.schedule();
  }

  /** Stops the schedule and waits for a tick in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    const elapsed = performance.now() - this.startedAt;
    // Timers may fire a little early: never schedule the slot that just ran again.
    this.slot = Math.max(this.slot + 1, Math.floor(elapsed / this.intervalMs) + 1);
    this.timer = setTimeout(() => this.run(), Math.max(0, this.slot * this.intervalMs - elapsed));
    this.timer.unref();
  }

  private run(): void {
    this.inFlight = this.tick().finally(() => this.schedule());
  }
}

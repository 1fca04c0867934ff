import type { Progress } from '../load/engine.js';

/**
 * The live line on a terminal: elapsed, req/s, errors, p99 so far. Rewritten in place; nothing is
 * printed when stderr is not a TTY (logs and CI stay clean).
 */
export class ProgressLine {
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly durationSec: number,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(progress: Progress): void {
    if (!this.enabled) return;
    const p99 = progress.p99Ms === undefined ? '-' : `${progress.p99Ms.toFixed(1)} ms`;
    const when = progress.phase === 'warmup' ? 'warm-up' : `${Math.min(progress.elapsedSec, this.durationSec).toFixed(0)}/${this.durationSec}s`;
    const line = `  ${when}  ${progress.rps} req/s  ${progress.requests} requests  ${progress.errors} errors  p99 ${p99}`;
    this.stream.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

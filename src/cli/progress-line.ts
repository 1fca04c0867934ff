import type { Progress } from '../load/engine.js';

/** Where progress goes: a terminal gets one line rewritten in place, anything else plain lines. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

export interface ProgressOptions {
  /** Without a terminal: one plain line every this many seconds (0: none), as k6 does in CI. */
  everySec: number;
  /** Prefix of each plain line, e.g. "modelprof: ". */
  prefix: string;
  /** Wall clock, ms; injectable so tests need no time to pass. */
  now?: () => number;
}

/**
 * The run's progress on stderr. On a terminal: a live line (elapsed of total, req/s, errors, p50 and
 * p99 so far, send lag for open-loop runs), rewritten a few times a second. Elsewhere (CI, a file):
 * one plain line every `everySec` seconds, so a 300 s run in a CI log is not five silent minutes.
 */
export class ProgressLine {
  private shown = false;
  private startedMs: number | undefined;
  private printedSlots = 0;
  private readonly now: () => number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  update(progress: Progress): void {
    if (this.stream.isTTY === true) {
      this.stream.write(`\r\x1b[2K  ${formatProgress(progress)}`);
      this.shown = true;
      return;
    }
    if (this.options.everySec <= 0) return;
    const nowMs = this.now();
    this.startedMs ??= nowMs;
    // One line per whole interval since the first update; a late update prints once, not many times.
    const slots = Math.floor((nowMs - this.startedMs) / (this.options.everySec * 1000));
    if (slots <= this.printedSlots) return;
    this.printedSlots = slots;
    this.stream.write(`${this.options.prefix}progress ${formatProgress(progress)}\n`);
  }

  /** Takes the terminal line down before other output. */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** One progress line's text, without prefix: "12.0/30s  98 req/s  1230 requests  0 errors  p50 1.20 ms  p99 3.40 ms". */
export function formatProgress(p: Progress): string {
  const total = p.durationSec === undefined ? '' : `/${seconds(p.durationSec)}`;
  if (p.program !== undefined) return `${seconds(p.elapsedSec)}${total}s  ${p.program} running (it reports at the end)`;
  if (p.phase === 'warmup') {
    const warmup = p.warmupSec === undefined ? '' : `/${seconds(p.warmupSec)}`;
    return `warm-up ${seconds(p.warmupElapsedSec ?? 0)}${warmup}s  ${p.rps} req/s`;
  }
  const parts = [
    `${seconds(p.elapsedSec)}${total}s${p.phase === 'draining' ? ' (waiting for the last answers)' : ''}`,
    `${p.rps} req/s`,
    `${p.requests} requests`,
    `${p.errors} errors`,
    `p50 ${ms(p.p50Ms)}`,
    `p99 ${ms(p.p99Ms)}`,
  ];
  if (p.sendLagP99Ms !== undefined) parts.push(`send lag p99 ${ms(p.sendLagP99Ms)}`);
  return parts.join('  ');
}

function seconds(value: number): string {
  return value.toFixed(value < 10 && !Number.isInteger(value) ? 1 : 0);
}

function ms(value: number | undefined): string {
  if (value === undefined) return '-';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ms`;
}

import { SettingsError } from '../core/errors.js';

/**
 * The bounds of every numeric setting, each with why it is there. A value outside its bound stops
 * the run before anything is sent (exit 2), with one line naming the setting, the bound and the
 * reason. The README's "Reliability" section lists the same table (a test keeps the two equal).
 *
 * Bounds that depend on this machine (open files, local ports, cores) are checked where the load
 * is generated: see checkGeneratorLimits in src/load/machine-limits.ts.
 */
export const BOUNDS = {
  rate: { min: 0.001, max: 1_000_000, unit: 'req/s', why: 'beyond one generator: split the run with --shard' },
  connections: { max: 100_000, unit: '', why: 'beyond one generator: split the run with --shard' },
  clients: { max: 100_000, unit: '', why: 'beyond one generator: split the run with --shard' },
  threads: { max: 256, unit: '', why: 'threads beyond the cores only compete for them' },
  duration: { max: 86_400, unit: 's', why: 'at most 24 h per run; longer soaks are a series of runs' },
  warmup: { max: 3_600, unit: 's', why: 'at most 1 h' },
  timeout: { max: 3_600, unit: 's', why: 'the latency histograms record up to 1 h' },
  serveTimeout: { max: 3_600, unit: 's', why: 'at most 1 h' },
  monitorInterval: { max: 3_600_000, unit: 'ms', why: 'at most 1 h' },
  cooldown: { max: 3_600, unit: 's', why: 'at most 1 h' },
  maxTime: { max: 7 * 86_400, unit: 's', why: 'a search of at most 7 days' },
  factor: { max: 100, unit: '', why: 'a larger step brackets nothing' },
  startAhead: { max: 86_400, unit: 's', why: '--start-at at most 24 h ahead' },
  shards: { max: 10_000, unit: '', why: 'at most 10,000 shards' },
  instances: { max: 100_000, unit: '', why: 'at most 100,000 instances' },
  cores: { max: 100_000, unit: '', why: 'at most 100,000 cores per instance' },
  price: { max: 1_000_000, unit: '', why: 'at most 1,000,000 per hour' },
  sweepPoints: { max: 1_000, unit: 'points', why: 'at 60 s a point that is 17 hours of load; split a larger sweep into several files' },
  tokens: { max: 1_000_000, unit: 'tokens', why: 'beyond the longest context windows served (a prompt of 1,000,000 tokens is about 5 MB)' },
} as const;

export type BoundName = keyof typeof BOUNDS;

/** Threads per core the generator may run: more only adds contention and memory (about 15 MB each). */
export const THREADS_PER_CORE = 4;
/** Open files to allow beyond one per connection (the generator's own files, pipes, workers), in advice. */
export const RESERVED_FILES = 64;

/**
 * `value` (as parsed from `source`) within its bound; throws a SettingsError naming the setting,
 * the value as written, the bound and why it is there.
 */
export function withinBound(name: BoundName, value: number, source: string, written: string = String(value)): number {
  const bound: { min?: number; max: number; unit: string; why: string } = BOUNDS[name];
  const unit = bound.unit === '' ? '' : ` ${bound.unit}`;
  if (value > bound.max) {
    throw new SettingsError(`${source} must be at most ${formatBound(bound.max)}${unit}, got "${written}": ${bound.why}`);
  }
  if (bound.min !== undefined && value < bound.min) {
    throw new SettingsError(`${source} must be at least ${formatBound(bound.min)}${unit}, got "${written}"`);
  }
  return value;
}

/** 1000000 -> "1,000,000"; 0.001 -> "0.001". */
export function formatBound(value: number): string {
  return value >= 1000 ? value.toLocaleString('en-US') : String(value);
}

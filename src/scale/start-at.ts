import { setTimeout as sleep } from 'node:timers/promises';
import { SettingsError } from '../core/errors.js';
import { withinBound } from '../settings/bounds.js';

/**
 * ISO 8601 date and time with an explicit zone (Z or ±hh:mm): shards on machines in different
 * zones must read the same instant, so a bare local time is refused.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses `--start-at` into epoch ms and refuses a time already past at `nowMs`: a shard that starts
 * late would measure a window the others have left.
 * @throws SettingsError naming `source` when the text is not an ISO 8601 instant or is not in the future.
 */
export function parseStartAt(text: string, source: string, nowMs: number): number {
  const trimmed = text.trim();
  const epochMs = ISO_INSTANT.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (!Number.isFinite(epochMs)) {
    throw new SettingsError(`${source} must be an ISO 8601 time with a zone, e.g. 2025-06-01T12:00:00Z, got "${text}"`);
  }
  if (epochMs <= nowMs) {
    throw new SettingsError(
      `${source} ${trimmed} is ${((nowMs - epochMs) / 1000).toFixed(1)} s in the past: give a time still to come, late enough for every shard to be started`,
    );
  }
  withinBound('startAhead', (epochMs - nowMs) / 1000, source, trimmed);
  return epochMs;
}

/** A clock and a sleeper, passed in so waiting is tested without real time. */
export interface WaitClock {
  /** Wall-clock epoch ms (Date.now on every machine, kept in step by NTP). */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The machine's wall clock; an aborted sleep resolves early instead of throwing. */
export const SYSTEM_WAIT_CLOCK: WaitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}).catch(() => undefined),
};

/** Longest single sleep: a clock stepped by NTP during a long wait is read again at least this often. */
const MAX_SLEEP_MS = 1000;

/**
 * Resolves at `epochMs` on the wall clock, waking at least every second to read the clock again.
 * Returns false when `signal` aborted the wait first.
 */
export async function waitUntil(epochMs: number, clock: WaitClock, signal?: AbortSignal): Promise<boolean> {
  for (;;) {
    if (signal?.aborted) return false;
    const left = epochMs - clock.now();
    if (left <= 0) return true;
    await clock.sleep(Math.min(left, MAX_SLEEP_MS), signal);
  }
}

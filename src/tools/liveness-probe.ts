import { connect, type Socket } from 'node:net';
import type { SecondOfService } from '../record/result.js';

/**
 * modelprof's own watch on the target while an external program loads it. wrk, wrk2 and LaBench
 * print totals only, with no timeline, so they cannot say when a target stopped serving; this
 * probe opens a TCP connection to the target's host and port every PROBE_INTERVAL_MS and closes it
 * at once (no request is sent, so the target's request count is the program's alone). A probe that
 * connects is a second with service; one refused or not connected within PROBE_TIMEOUT_MS is one
 * without. Its seconds go through the same outage rule as the builtin's answers (findAvailability).
 * It sees a target that stops listening (a dead or restarting server); one that listens but
 * answers errors or nothing is the error rate's to show.
 */

export const PROBE_INTERVAL_MS = 200;
export const PROBE_TIMEOUT_MS = 1_000;

/** One probe: when it started (ms, the clock of `now`) and how it ended. */
export interface ProbeOutcome {
  atMs: number;
  ok: boolean;
  /** The connection was refused: nothing listened at the port. */
  refused: boolean;
}

/** What the probe saw, its counts kept apart from the program's requests. */
export interface LivenessRecord {
  probes: number;
  /** Probes that did not connect; `refused` of them were refused outright. */
  failed: number;
  refused: number;
  /** Per second from `startMs`, shaped as the builtin's seconds of service, for findAvailability. */
  seconds: SecondOfService[];
}

/**
 * Probes in per-second bins from `startMs`: each second's successful probes (with when the first
 * and last came) and its failed ones.
 */
export function livenessRecord(outcomes: readonly ProbeOutcome[], startMs: number): LivenessRecord {
  const bins = new Map<number, SecondOfService>();
  for (const { atMs, ok } of outcomes) {
    const atSec = Math.max(0, (atMs - startMs) / 1000);
    const t = Math.floor(atSec);
    const bin = bins.get(t) ?? { t, ok: 0, failed: 0 };
    bins.set(t, bin);
    if (!ok) {
      bin.failed += 1;
      continue;
    }
    bin.ok += 1;
    bin.firstOkSec = Math.min(bin.firstOkSec ?? atSec, atSec);
    bin.lastOkSec = Math.max(bin.lastOkSec ?? atSec, atSec);
  }
  const failed = outcomes.filter((outcome) => !outcome.ok);
  return {
    probes: outcomes.length,
    failed: failed.length,
    refused: failed.filter((outcome) => outcome.refused).length,
    seconds: [...bins.values()].sort((a, b) => a.t - b.t),
  };
}

export interface LivenessProbe {
  /** Stops probing (a probe in progress is closed and not counted) and returns what was seen, from `startMs`. */
  stop(startMs: number): LivenessRecord;
}

/** Starts probing `url`'s host and port; one probe at a time, the first at once. */
export function startLivenessProbe(url: URL, now: () => number = Date.now): LivenessProbe {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const outcomes: ProbeOutcome[] = [];
  let current: Socket | undefined;
  const probe = (): void => {
    if (current) return;
    const atMs = now();
    const socket = connect({ host, port });
    current = socket;
    const settle = (ok: boolean, refused = false): void => {
      if (current !== socket) return;
      current = undefined;
      socket.destroy();
      outcomes.push({ atMs, ok, refused });
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => settle(false));
    socket.once('connect', () => settle(true));
    socket.once('error', (error: NodeJS.ErrnoException) => settle(false, error.code === 'ECONNREFUSED'));
  };
  probe();
  const timer = setInterval(probe, PROBE_INTERVAL_MS);
  return {
    stop(startMs: number): LivenessRecord {
      clearInterval(timer);
      const pending = current;
      current = undefined;
      pending?.destroy();
      return livenessRecord(outcomes, startMs);
    },
  };
}

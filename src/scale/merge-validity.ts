import { figureLabel, lagLabel, trustedThrough, VALID_THROUGH } from '../judge/trust.js';
import { judgeTrustOf } from '../judge/validity.js';
import type { Histogram } from '../record/histogram.js';
import type { LatencySummary, Validity, ValidityChecks } from '../record/result.js';
import { round } from '../core/numbers.js';

/** A shard's verdict with its index, as the merge reads it. */
export interface ShardVerdict {
  index: number;
  validity: Validity;
}

export interface MergeFacts {
  count: number;
  missing: readonly number[];
  /** Achieved rate of the merge: all requests over the union of the shards' windows. */
  achievedRps: number;
  /** Sum of the present shards' target rates, when they had one. */
  targetRps?: number;
  /** Spread of the shards' measurement starts, seconds. */
  startSpreadSec: number;
}

/** Shards whose windows began further apart than this did not measure the same seconds. */
const START_SPREAD_WARN_SEC = 1;

/**
 * One verdict for the merged run: the load was held only when every shard sent its report and held
 * its own load, and each shard's reasons and warnings are kept, naming the shard. Whether the
 * latency figures are trusted is not a shard's to say: judgeMergedTrust judges the merged figures
 * on the merged send lag, as one run's would be. The checks are the worst shard's (lowest timely
 * share, highest lag and generator load) except the rates, which are the merge's own.
 */
export function combineValidity(shards: readonly ShardVerdict[], facts: MergeFacts): Validity {
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (facts.missing.length > 0) {
    reasons.push(
      `${describeShards(facts.missing)} of ${facts.count} sent no report (died, never started, or not given to the merge): the figures cover ${facts.count - facts.missing.length} of ${facts.count} shards`,
    );
  }
  for (const { index, validity } of shards) {
    // A shard that held its load but not its own trust is judged again on the merged figures (judgeMergedTrust).
    const trustOnly = validity.loadHeld === true && !validity.valid;
    if (!trustOnly) for (const reason of validity.reasons) reasons.push(`shard ${index}: ${reason}`);
    for (const warning of validity.warnings) warnings.push(`shard ${index}: ${warning}`);
  }
  if (facts.startSpreadSec > START_SPREAD_WARN_SEC) {
    warnings.push(
      `the shards began measuring up to ${facts.startSpreadSec.toFixed(1)} s apart: their windows only partly overlap, so rates count over the union of the windows; start them together with --start-at`,
    );
  }
  // The load was held when every shard sent its report and held its own (a shard from before loadHeld: its verdict says it).
  const loadHeld = facts.missing.length === 0 && shards.every(({ validity }) => validity.loadHeld ?? validity.valid);
  return { valid: reasons.length === 0, loadHeld, reasons, warnings, checks: combineChecks(shards.map((s) => s.validity.checks), facts) };
}

/**
 * Judges each merged latency figure on the merged send-lag histogram (judge/validity.ts, the rule
 * one run is judged by) and voids the merge, as that rule voids a run, when p50 to p99 (VALID_THROUGH)
 * are not all trusted.
 */
export function judgeMergedTrust(validity: Validity, latency: LatencySummary, sendLag: Histogram): void {
  Object.assign(validity, judgeTrustOf(latency, sendLag));
  const untrusted = (validity.trust ?? []).filter((figure) => !figure.trusted);
  if (untrusted.length === 0) return;
  const worst = untrusted[0]!;
  const summary = `on the merged send lag, ${untrusted.map((f) => figureLabel(f.figure)).join(', ')} ${untrusted.length === 1 ? 'is' : 'are'} not trusted: the generators' own lag (${lagLabel(worst.figure)} ${worst.lagMs.toFixed(3)} ms) could have moved ${figureLabel(worst.figure)} (${worst.latencyMs.toFixed(3)} ms) by more than ${worst.limitMs.toFixed(3)} ms`;
  if (trustedThrough(validity.trust!, VALID_THROUGH)) {
    validity.warnings.push(`${summary}; an SLA on them is judged only where the lag could not change the verdict`);
  } else {
    validity.valid = false;
    validity.reasons.push(`${summary}: give the shards quieter machines (or cores) of their own, or more shards`);
  }
}

function combineChecks(all: readonly ValidityChecks[], facts: MergeFacts): ValidityChecks {
  const checks: ValidityChecks = { achievedRps: round(facts.achievedRps) };
  if (facts.targetRps !== undefined) checks.targetRps = round(facts.targetRps);
  const lowest = (key: 'timelySends' | 'timelyTicks'): number | undefined => pick(all, key, Math.min);
  const highest = (key: 'maxSendLagMs' | 'sendToleranceMs' | 'eventLoopLagP99Ms' | 'eventLoopLagMaxMs' | 'generatorCpu'): number | undefined =>
    pick(all, key, Math.max);
  const set = (key: keyof ValidityChecks, value: number | undefined): void => {
    if (value !== undefined) checks[key] = value;
  };
  set('timelySends', lowest('timelySends'));
  set('timelyTicks', lowest('timelyTicks'));
  const missed = all.filter((c) => c.missedTicks !== undefined);
  if (missed.length > 0) checks.missedTicks = missed.reduce((total, c) => total + c.missedTicks!, 0);
  set('maxSendLagMs', highest('maxSendLagMs'));
  set('sendToleranceMs', highest('sendToleranceMs'));
  set('eventLoopLagP99Ms', highest('eventLoopLagP99Ms'));
  set('eventLoopLagMaxMs', highest('eventLoopLagMaxMs'));
  set('generatorCpu', highest('generatorCpu'));
  return checks;
}

function pick(all: readonly ValidityChecks[], key: keyof ValidityChecks, choose: (...values: number[]) => number): number | undefined {
  const values = all.map((c) => c[key]).filter((v): v is number => v !== undefined);
  return values.length > 0 ? choose(...values) : undefined;
}

/** "shard 2", "shards 1 and 3", "shards 0, 2 and 5". */
export function describeShards(indexes: readonly number[]): string {
  if (indexes.length === 1) return `shard ${indexes[0]}`;
  return `shards ${indexes.slice(0, -1).join(', ')} and ${indexes[indexes.length - 1]}`;
}

import { LOAD_MODELS } from '../load/models/registry.js';
import type { ToolName } from '../settings/settings.js';
import type { Validity, ValidityChecks } from '../record/result.js';
import { round } from '../core/numbers.js';

/** LaBench's bar: at least this share of ticks and sends must be timely for a valid run. */
export const TIMELY_SHARE_REQUIRED = 0.999;
/** Event-loop stalls beyond this (p99) delay the generator's own reading of responses. */
const LOOP_LAG_P99_LIMIT_MS = 10;
/** A generator busier than this share of the time may itself be the bottleneck. */
const BUSY_GENERATOR = 0.95;
/** Achieved rate below this share of the target rate is worth a warning. */
const RATE_SHORTFALL = 0.99;

export interface GeneratorObservation {
  tool: ToolName;
  completed: number;
  /** Completed without an error (status below 400). */
  ok: number;
  /** Planned sends of the window never sent because their connection was busy when it closed. */
  unsentPlanned: number;
  /** Requests that failed because the generator's machine ran out of sockets or ports. */
  localResourceErrors: number;
  targetRps?: number;
  achievedRps: number;
  plannedSends: number;
  lateSends: number;
  maxSendLagMs: number;
  /** A planned send later than this counted as late. */
  toleranceMs?: number;
  ticks: number;
  lateTicks: number;
  missedTicks: number;
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Busiest worker's event-loop utilization, 0..1. */
  generatorBusy: number;
  partial?: string;
}

const percent = (share: number): string => `${(share * 100).toFixed(share > 0.99 && share < 1 ? 2 : 1)}%`;

/** Decides whether the generator held its plan, and says why not. */
export function judgeValidity(seen: GeneratorObservation): Validity {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const checks: ValidityChecks = {
    achievedRps: round(seen.achievedRps),
    eventLoopLagP99Ms: round(seen.eventLoopLagP99Ms),
    eventLoopLagMaxMs: round(seen.eventLoopLagMaxMs),
    generatorCpu: round(seen.generatorBusy),
  };
  if (seen.completed === 0) reasons.push('no request completed in the measured window');

  const model = LOAD_MODELS[seen.tool];
  if (model.loop === 'open') {
    checks.targetRps = seen.targetRps;
    checks.maxSendLagMs = round(seen.maxSendLagMs);
    if (seen.toleranceMs !== undefined) checks.sendToleranceMs = round(seen.toleranceMs);
    if (seen.plannedSends > 0) {
      checks.timelySends = round((seen.plannedSends - seen.lateSends) / seen.plannedSends, 6);
      if (checks.timelySends < TIMELY_SHARE_REQUIRED) {
        reasons.push(
          `only ${percent(checks.timelySends)} of sends left on schedule within ${seen.toleranceMs?.toFixed(1) ?? '?'} ms of plan (needs ${percent(TIMELY_SHARE_REQUIRED)}; worst ${seen.maxSendLagMs.toFixed(1)} ms late): the generator could not keep its plan`,
        );
      }
    }
    if (seen.targetRps !== undefined && seen.achievedRps < seen.targetRps * RATE_SHORTFALL) {
      warnings.push(
        `achieved ${seen.achievedRps.toFixed(1)} req/s of the ${seen.targetRps} req/s target: the target answered too slowly for the connections available; latencies count from planned send times, so they include the wait`,
      );
    }
  }
  if (model.ticker && seen.ticks > 0) {
    checks.timelyTicks = round((seen.ticks - seen.lateTicks) / seen.ticks, 6);
    checks.missedTicks = seen.missedTicks;
    if (checks.timelyTicks < TIMELY_SHARE_REQUIRED) {
      reasons.push(`only ${percent(checks.timelyTicks)} of ticks were timely (needs ${percent(TIMELY_SHARE_REQUIRED)}): the ticker fell behind`);
    }
    if (seen.missedTicks / seen.ticks > 1 - TIMELY_SHARE_REQUIRED) {
      reasons.push(
        `${seen.missedTicks} of ${seen.ticks} ticks found every client busy and were not sent: raise CLIENTS or lower TARGET_RPS`,
      );
    }
  }
  if (seen.localResourceErrors > 0) {
    reasons.push(
      `${seen.localResourceErrors} requests failed because this machine ran out of sockets or ports (EMFILE/EADDRNOTAVAIL): raise the open-file limit (ulimit -n) or use fewer connections`,
    );
  }
  if (seen.unsentPlanned > 0) {
    warnings.push(
      `${seen.unsentPlanned} planned sends inside the window were never sent: their connections were still waiting for answers when it closed, so the corrected latency lacks them (wrk2 drops them too); add connections`,
    );
  }
  if (seen.eventLoopLagP99Ms > LOOP_LAG_P99_LIMIT_MS) {
    reasons.push(`the generator's event loop stalled (p99 ${seen.eventLoopLagP99Ms.toFixed(1)} ms): latencies include its own delay`);
  }
  if (model.loop === 'closed' && seen.generatorBusy > BUSY_GENERATOR) {
    warnings.push(
      `the generator was busy ${percent(seen.generatorBusy)} of the time: throughput may be limited by modelprof itself; add threads`,
    );
  }
  if (seen.partial) warnings.push(`partial run: ${seen.partial}`);
  return { valid: reasons.length === 0, reasons, warnings, checks };
}

/** What an external program's output shows about the load it sent (src/tools reads it; this judges it). */
export interface ProgramObservation {
  tool: ToolName;
  /** The program as messages name it: "wrk", "wrk2", "LaBench". */
  program: string;
  achievedRps: number;
  targetRps?: number;
  /** Where the program counts them (LaBench): shares (0..1) of ticks that found a free client and of sends on time. */
  timelyTicks?: number;
  timelySends?: number;
  missedTicks?: number;
  /** Findings only this program's output shows (it sent nothing, no latency after calibration). */
  reasons: readonly string[];
  /** Its own caveats (interim answers taken for final ones, a duration too short for calibration). */
  warnings: readonly string[];
  partial?: string;
}

/**
 * The verdict on an external program's run, by the same model rules as judgeValidity: a closed loop
 * cannot fail its plan; an open loop must reach its rate (a warning, as for the builtin engine), and
 * a ticker must hand out 99.9% of its ticks and sends on time.
 */
export function judgeProgramRun(seen: ProgramObservation): Validity {
  const model = LOAD_MODELS[seen.tool];
  const reasons = [...seen.reasons];
  const warnings = [...seen.warnings];
  const checks: ValidityChecks = {
    ...(model.loop === 'open' && seen.targetRps !== undefined ? { targetRps: seen.targetRps } : {}),
    achievedRps: round(seen.achievedRps),
  };
  const twoDecimals = (share: number): string => `${(share * 100).toFixed(2)}%`;
  if (model.ticker) {
    if (seen.missedTicks !== undefined) checks.missedTicks = seen.missedTicks;
    if (seen.timelyTicks !== undefined) {
      checks.timelyTicks = seen.timelyTicks;
      if (seen.timelyTicks < TIMELY_SHARE_REQUIRED) {
        reasons.push(
          `only ${twoDecimals(seen.timelyTicks)} of ${seen.program}'s ticks found a free client (needs ${twoDecimals(TIMELY_SHARE_REQUIRED)}); ${seen.missedTicks ?? 'some'} were never sent: raise CLIENTS or lower TARGET_RPS`,
        );
      }
    }
    if (seen.timelySends !== undefined) {
      checks.timelySends = seen.timelySends;
      if (seen.timelySends < TIMELY_SHARE_REQUIRED) {
        reasons.push(
          `only ${twoDecimals(seen.timelySends)} of ${seen.program}'s sends left within one interval of their tick (needs ${twoDecimals(TIMELY_SHARE_REQUIRED)}): the generator could not keep its schedule`,
        );
      }
    }
  } else if (model.loop === 'open' && seen.targetRps !== undefined && seen.achievedRps < seen.targetRps * RATE_SHORTFALL) {
    warnings.push(
      `${seen.program} achieved ${seen.achievedRps.toFixed(1)} req/s of the ${seen.targetRps} req/s target: the target answered too slowly for the connections available (one request in flight each), or ${seen.program} itself could not keep up; its corrected latency counts from planned start times, so it includes the wait`,
    );
  }
  if (seen.partial) warnings.push(`partial run: ${seen.partial}`);
  return { valid: reasons.length === 0, reasons, warnings, checks };
}

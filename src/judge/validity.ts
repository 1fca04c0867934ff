import { round } from '../core/numbers.js';
import { LOAD_MODELS } from '../load/models/registry.js';
import { summarizeSendLag, type Histogram } from '../record/histogram.js';
import type { CarriedRequests, FigureTrust, LatencySummary, TimelinePoint, Validity, ValidityChecks } from '../record/result.js';
import type { ToolName } from '../settings/settings.js';
import { figureLabel, judgeTrust, lagLabel, trustedThrough, trustedUpTo, TRUST_FLOOR_MS, TRUST_SHARE, VALID_THROUGH } from './trust.js';

/** LaBench's bar: at least this share of ticks and sends must be timely (kept for LaBench's own figures). */
export const TIMELY_SHARE_REQUIRED = 0.999;
/** The plan is held when the generator made at least this share of the sends it was free to make. */
export const PLAN_HELD_SHARE = 0.99;
/** A generator thread busier than this share of the time is saturated. */
export const SATURATED_GENERATOR = 0.95;
/** Achieved rate below this share of the target rate is worth a warning. */
const RATE_SHORTFALL = 0.99;
/**
 * A generator busy (or waiting for a CPU) more than this share of the time may have read its answers
 * late: that holds its connections as a slow target does, so a rate shortfall names both.
 */
const BUSY_ENOUGH_TO_READ_LATE = 0.5;

export interface GeneratorObservation {
  tool: ToolName;
  completed: number;
  /** Completed without an error (status below 400). */
  ok: number;
  /** Connections (LaBench: clients) the load had, over every worker. */
  senders?: number;
  /** Mean and longest time a sender was held per request, ms (from the actual send to the answer). */
  serviceMeanMs?: number;
  serviceMaxMs?: number;
  /** Planned sends of the window never sent because their connection was busy when it closed. */
  unsentPlanned: number;
  /** Planned sends of the window due with a connection free but unsent when it closed: the generator's backlog. */
  owedSends: number;
  /** Requests that failed because the generator's machine ran out of sockets or ports. */
  localResourceErrors: number;
  targetRps?: number;
  achievedRps: number;
  /**
   * Open loop: the offered rate times the share of the window's plan the target served, at the
   * plan's pace (judge/served-rate.ts). Unlike achievedRps, answers still coming after the sending
   * ended (a long latency, an interrupted run's drain) do not thin it.
   */
  servedRps?: number;
  /** Seconds from the start of measurement to the last send (or its planned end). */
  sendingSeconds: number;
  /** Planned sends made in the window. */
  plannedSends: number;
  /** Planned sends of the window the generator saw fall due (LaBench's timely sends count these). */
  noticedSends: number;
  lateSends: number;
  maxSendLagMs: number;
  /** A planned send later than this counted as late (LaBench's timely sends). */
  toleranceMs?: number;
  ticks: number;
  lateTicks: number;
  missedTicks: number;
  /** Whether the event loop's delay was monitored (eventLoopLag* mean nothing otherwise). */
  eventLoopWatched?: boolean;
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Busiest worker's share of time busy in its event loop, or waiting for a CPU (Linux), 0..1. */
  generatorBusy: number;
  /** The corrected latency the trust rule judges. */
  latency: LatencySummary;
  /** Open-loop models: the merged send-lag histogram of the window. */
  sendLag?: Histogram;
  /** Closed loop: the event loop's delay at each judged figure's percentile, ms (the worst worker's). */
  loopDelay?: Readonly<Record<string, number>>;
  /** Per second: the send lag's p50, to see a backlog grow. */
  timeline: readonly TimelinePoint[];
  partial?: string;
  /** Requests planned in the warm-up that ended in the window: what held the connections when it measured nothing. */
  carried?: CarriedRequests;
}

/** What the user can do about a generator that could not deliver its load. */
const MORE_GENERATOR = 'add threads (-t), lower the rate, or run the generator on a machine (or cores) of its own';
const QUIETER_GENERATOR =
  'pin the generator to a core of its own, away from the target and other busy processes (taskset -c), add threads (-t), or use a quieter machine';

const percent = (share: number): string => `${(Math.floor(share * 10000) / 100).toFixed(2)}%`;

/**
 * Decides whether the run measured the target, and says why not and what to do.
 *
 * The load is held when the generator made its planned sends (open loop: at least 99% of those it
 * was free to make, with no backlog growing through the window), was not saturated (no worker busier
 * than 95% of the time) and had sockets to spare. Then each latency figure is judged by the trust
 * rule (judge/trust.ts): an open-loop run is valid when p50 to p99 (VALID_THROUGH) are all trusted
 * (issue 9); the closed loop, with no plan, is judged on saturation alone, its untrusted figures (on
 * its event-loop delay) marked. Untrusted figures above p99 of a valid run are named in a warning.
 * Either way an SLA clause on an untrusted figure is judged only where the lag could not change it
 * (judge/sla.ts): validity labels the run as a measurement, the verdict is per clause.
 */
export function judgeValidity(seen: GeneratorObservation): Validity {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const model = LOAD_MODELS[seen.tool];
  const openLoop = model.loop === 'open';
  const checks: ValidityChecks = {
    achievedRps: round(seen.achievedRps),
    // Measured where the event loop was watched: the closed loop, and any run reading streamed tokens.
    ...(seen.eventLoopWatched ? { eventLoopLagP99Ms: round(seen.eventLoopLagP99Ms), eventLoopLagMaxMs: round(seen.eventLoopLagMaxMs) } : {}),
    generatorCpu: round(seen.generatorBusy),
  };
  if (seen.completed === 0) reasons.push(nothingMeasured(seen));

  if (openLoop) judgePlan(seen, model.ticker, checks, reasons, warnings);
  if (seen.generatorBusy > SATURATED_GENERATOR) {
    reasons.push(
      openLoop
        ? `the generator was saturated (busy, or waiting for a CPU, ${percent(seen.generatorBusy)} of the time): its own delays reach the figures; ${MORE_GENERATOR}`
        : `the generator was saturated (busy, or waiting for a CPU, ${percent(seen.generatorBusy)} of the time): the throughput and latency are modelprof's limit, not the target's; add threads (-t) or run the generator on a machine of its own`,
    );
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
  const loadHeld = reasons.length === 0;
  const validity: Validity = { valid: loadHeld, loadHeld, reasons, warnings, checks };

  const generator = openLoop ? (seen.sendLag && seen.sendLag.totalCount > 0 ? seen.sendLag : undefined) : seen.loopDelay;
  // No figure, nothing to trust: a window that measured nothing is judged on why (above) alone.
  if (generator && seen.completed > 0) {
    if (openLoop) Object.assign(validity, judgeTrustOf(seen.latency, seen.sendLag!));
    else {
      validity.trust = judgeTrust(seen.latency, generator);
      validity.trustedUpTo = trustedUpTo(validity.trust);
    }
    const untrusted = validity.trust!.filter((f) => !f.trusted);
    // The closed loop is judged on saturation alone: its untrusted figures are marked, not voided.
    if (openLoop && !trustedThrough(validity.trust!, VALID_THROUGH)) {
      validity.valid = false;
      reasons.push(untrustedReason(untrusted, seen.timeline, openLoop));
    } else if (untrusted.length > 0) {
      warnings.push(`${untrustedSummary(untrusted, openLoop)}; an SLA on them is judged only where the generator's lag could not change the verdict`);
    }
  }
  if (seen.partial) warnings.push(`partial run: ${seen.partial}`);
  return validity;
}

/** The send lag's summary and each latency figure judged on it: what a report's verdict holds. */
export function judgeTrustOf(latency: LatencySummary, sendLag: Histogram): Pick<Validity, 'sendLag' | 'trust' | 'trustedUpTo'> {
  const trust = judgeTrust(latency, sendLag);
  const summary = summarizeSendLag(sendLag);
  return { ...(summary ? { sendLag: summary } : {}), trust, trustedUpTo: trustedUpTo(trust) };
}

/** Open loop: did the generator make its planned sends, on time, without falling further behind? */
function judgePlan(seen: GeneratorObservation, ticker: boolean, checks: ValidityChecks, reasons: string[], warnings: string[]): void {
  checks.targetRps = seen.targetRps;
  if (seen.servedRps !== undefined) checks.servedRps = round(seen.servedRps);
  checks.maxSendLagMs = round(seen.maxSendLagMs);
  if (seen.toleranceMs !== undefined) checks.sendToleranceMs = round(seen.toleranceMs);
  if (seen.noticedSends > 0) checks.timelySends = round((seen.noticedSends - seen.lateSends) / seen.noticedSends, 6);
  if (seen.sendingSeconds > 0) checks.sendRps = round(seen.plannedSends / seen.sendingSeconds);
  const plan = seen.plannedSends + seen.unsentPlanned + seen.owedSends + seen.missedTicks;
  checks.owedSends = seen.owedSends;
  checks.unsentPlanned = seen.unsentPlanned;
  if (plan > 0) {
    checks.planHeldShare = round(1 - seen.owedSends / plan, 6);
    if (checks.planHeldShare < PLAN_HELD_SHARE) {
      reasons.push(
        `the generator made only ${percent(checks.planHeldShare)} of its planned sends (needs ${percent(PLAN_HELD_SHARE)}; ${seen.owedSends} of ${plan} were still owed, with connections free, when the window closed): it cannot send ${seen.targetRps ?? '?'} req/s here; ${MORE_GENERATOR}`,
      );
    }
  }
  const growth = backlogGrowth(seen.timeline);
  if (growth && reasons.length === 0) {
    reasons.push(
      `the generator fell further behind its plan as the run went on (send lag p50 ${growth.earlyMs.toFixed(2)} ms in the first third of the window, ${growth.lateMs.toFixed(2)} ms in the last): it cannot sustain ${seen.targetRps ?? '?'} req/s here; ${MORE_GENERATOR}`,
    );
  }
  if (ticker && seen.ticks > 0) {
    checks.timelyTicks = round((seen.ticks - seen.lateTicks) / seen.ticks, 6);
    checks.missedTicks = seen.missedTicks;
    if (seen.missedTicks / seen.ticks > 1 - TIMELY_SHARE_REQUIRED) reasons.push(missedTicksReason(seen));
  }
  // A run stopped in its warm-up sent nothing of the window: there is no rate to fall short of.
  const served = seen.servedRps ?? seen.achievedRps;
  if (seen.targetRps !== undefined && seen.sendingSeconds > 0 && served < seen.targetRps * RATE_SHORTFALL) {
    // A starved generator's connections wait on its own late reads (722 req/s of 300,000 seen beside a
    // nice -10 busy loop, where the same nginx answered 39,080 to an unstarved one).
    const orGenerator =
      seen.generatorBusy > BUSY_ENOUGH_TO_READ_LATE
        ? `, or the generator, busy or waiting for a CPU ${percent(seen.generatorBusy)} of the time, read the answers late`
        : '';
    warnings.push(
      `${seen.servedRps !== undefined ? 'served' : 'achieved'} ${served.toFixed(1)} req/s of the ${seen.targetRps} req/s target: the target answered too slowly for the ${ticker ? 'clients' : 'connections'} available${orGenerator}; latencies count from planned send times, so they include the wait`,
    );
  }
}

/**
 * Why ticks found every client busy. By Little's law the plan keeps rate x mean service time clients
 * busy on average: when that nears the pool, the pool is too small. When it is well inside the pool,
 * the misses came in bursts: a stall of the generator's own that piled up more ticks than there are
 * clients (seen: 66 ms stalls at 10k req/s over 64 clients on nginx, which needs one), or else the
 * target's, whose slowest answers held the clients while the ticks went on.
 */
function missedTicksReason(seen: GeneratorObservation): string {
  const missed = `${seen.missedTicks} of ${seen.ticks} ticks found every client busy and were not sent`;
  const rate = seen.targetRps;
  const clients = seen.senders;
  if (rate === undefined || clients === undefined || seen.serviceMeanMs === undefined) return `${missed}: raise CLIENTS or lower TARGET_RPS`;
  const needed = (rate * seen.serviceMeanMs) / 1000;
  const stallTicks = Math.floor((seen.maxSendLagMs * rate) / 1000);
  const ample = `${rate} req/s at the target's mean ${seen.serviceMeanMs.toFixed(2)} ms keeps about ${Math.ceil(needed)} of the ${clients} clients busy`;
  if (needed <= POOL_AMPLE_SHARE * clients && stallTicks > clients) {
    return `${missed}: ${ample}, but the generator itself stalled for up to ${seen.maxSendLagMs.toFixed(1)} ms (its send lag) and the ${stallTicks} ticks due in that time outnumbered the pool; ${QUIETER_GENERATOR}, or raise CLIENTS`;
  }
  const targetStallTicks = seen.serviceMaxMs === undefined ? 0 : Math.floor((seen.serviceMaxMs * rate) / 1000);
  if (needed <= POOL_AMPLE_SHARE * clients && targetStallTicks > clients) {
    return `${missed}: ${ample}, but the target held answers for up to ${seen.serviceMaxMs!.toFixed(1)} ms at times, and the ${targetStallTicks} ticks due in such a stall outnumber the pool; raise CLIENTS to carry the rate through the target's stalls, or lower TARGET_RPS`;
  }
  if (needed <= POOL_AMPLE_SHARE * clients) return `${missed}: ${ample}, and neither a stall of the generator's nor the target's slowest answer piles up more ticks than the pool holds; raise CLIENTS or lower TARGET_RPS`;
  return `${missed}: ${rate} req/s at the target's mean ${seen.serviceMeanMs.toFixed(2)} ms keeps about ${Math.ceil(needed)} clients busy (Little's law) against a pool of ${clients}; raise CLIENTS or lower TARGET_RPS`;
}

/** A pool is ample when the plan keeps at most this share of it busy on average. */
const POOL_AMPLE_SHARE = 0.5;

/**
 * Why the window holds no request, and what to do: a stop before it opened; connections held all
 * window by sends planned in the warm-up (a target far slower than the plan, or one that never
 * answers: judge/target-outcome.ts blames it when none of them succeeded either); or nothing sent at all.
 */
function nothingMeasured(seen: GeneratorObservation): string {
  if (seen.partial && seen.sendingSeconds === 0) return 'the run was stopped during the warm-up: nothing was measured; run it again past its warm-up (or with a shorter --warmup)';
  const carried = seen.carried;
  if (!carried) return 'no request completed in the measured window: check that the target answers (URL, key, timeout)';
  const timedOut = carried.timedOut > 0 ? `, ${carried.timedOut} of them timed out` : '';
  const held = `no send planned in the measured window was answered: its connections were busy all window with ${carried.ok + carried.failed} sends planned in the warm-up (${carried.ok} answered, ${carried.failed} failed${timedOut})`;
  // None answered: the target failed them (judge/target-outcome.ts names how); a rate or connection change would not help.
  if (carried.ok === 0) return `${held}: the target answered none of them; check the target (URL, key, timeout)`;
  return `${held}, so the target answers far slower than ${seen.targetRps !== undefined ? `the plan of ${seen.targetRps} req/s; lower the rate (-R),` : 'the load asks;'} add connections (-c), or check the target`;
}

/**
 * A backlog that grows shows as a send lag whose median climbs through the run: the median of the
 * last third of the seconds well above that of the first third (by half again and a millisecond). A
 * steady lag, however large, keeps the two together, and so does a spike in one second alone. Only
 * seconds with TREND_MIN_REQUESTS answers count: at 1 req/s a second's "median" is one send, and one
 * late send is no trend (a backlog at so low a rate shows as owed sends instead).
 */
function backlogGrowth(timeline: readonly TimelinePoint[]): { earlyMs: number; lateMs: number } | undefined {
  const medians = timeline.filter((p) => p.sendLagP50 !== undefined && p.requests >= TREND_MIN_REQUESTS).map((p) => p.sendLagP50!);
  if (medians.length < 3) return undefined;
  const third = Math.floor(medians.length / 3);
  const middle = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  const earlyMs = middle(medians.slice(0, third));
  const lateMs = middle(medians.slice(medians.length - third));
  return lateMs > 1.5 * earlyMs + 1 ? { earlyMs, lateMs } : undefined;
}

const TREND_MIN_REQUESTS = 10;

function untrustedSummary(untrusted: readonly FigureTrust[], openLoop: boolean): string {
  const worst = untrusted[0]!;
  const names = untrusted.map((f) => figureLabel(f.figure)).join(', ');
  const delay = openLoop ? `send lag (${lagLabel(worst.figure)}` : `event-loop delay (${figureLabel(worst.figure)}`;
  return `${names} ${untrusted.length === 1 ? 'is' : 'are'} not trusted: the generator's own ${delay} ${worst.lagMs.toFixed(3)} ms) could have moved ${figureLabel(worst.figure)} (${worst.latencyMs.toFixed(3)} ms) by more than ${TRUST_SHARE * 100}% (or ${TRUST_FLOOR_MS} ms)`;
}

function untrustedReason(untrusted: readonly FigureTrust[], timeline: readonly TimelinePoint[], openLoop: boolean): string {
  const first = timeline.find((p) => p.sendLagP99 !== undefined);
  const rest = timeline.filter((p) => p !== first && p.sendLagP99 !== undefined);
  // Lag concentrated in the first second is the generator warming up (compiling its hot path).
  const warmingUp =
    first !== undefined && rest.length >= 2 && rest.every((p) => p.sendLagP99! <= untrusted[0]!.limitMs) && first.sendLagP99! > untrusted[0]!.limitMs;
  const advice = warmingUp ? 'most of the lag came in the first second: a longer warm-up (--warmup) or a longer run settles it' : QUIETER_GENERATOR;
  return `${untrustedSummary(untrusted, openLoop)}: ${advice}`;
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
  // An external program measures no send lag: its own verdict also says whether the load was held.
  return { valid: reasons.length === 0, loadHeld: reasons.length === 0, reasons, warnings, checks };
}

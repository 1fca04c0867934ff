import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Progress } from '../load/engine.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import type { SlaClause } from '../judge/sla.js';
import { writeFileAtomically } from '../run/output-files.js';
import { redactUrl } from '../core/redact.js';
import type { Settings, ToolName } from '../settings/settings.js';
import { costAt, type CostFigures, type DeploymentPrice } from '../report/cost.js';
import { measurePoint } from '../run/measure-point.js';
import { pointFigures, type PointFigures } from '../report/point-figures.js';
import { judgePoint, noVerdictReasons } from '../judge/point-verdict.js';
import { findMaxRate, type StopReason, type Verdict } from './search.js';
import { describeOutcome, restsOn } from './find-max-wording.js';
import type { ServedTarget } from '../target/served-process.js';

/** Bumped on any change a reader of find-max.json could notice. */
export const FIND_MAX_SCHEMA_VERSION = '1.0';

/** Engine start and report writing, on top of warm-up and duration, in a point's first time estimate. */
const POINT_OVERHEAD_MS = 1000;

export interface FindMaxRequest {
  /** Every point's settings but the rate; outputDir holds find-max.json and one folder per point. */
  settings: Settings;
  sla: { text: string; clauses: readonly SlaClause[] };
  startRate: number;
  maxRate?: number;
  factor: number;
  precision: number;
  /** Measure both ends of the final bracket again, so that one noisy point cannot move the answer. */
  confirm: boolean;
  /** No point starts unless it is expected to end within this many seconds of the start. */
  maxTimeSec: number;
  /** Idle time before each point after the first, so one point's backlog does not spill into the next. */
  cooldownSec: number;
  price: DeploymentPrice;
  monitors: readonly MonitorSpec[];
  monitorIntervalMs: number;
  signal?: AbortSignal;
  /** One line per event (point measured, re-run), for the console. */
  log?: (line: string) => void;
  onProgress?: (progress: Progress) => void;
  /** The --serve server being measured, whose death is an outage. */
  servedTarget?: Pick<ServedTarget, 'death'>;
}

export interface FindMaxPoint extends PointFigures {
  rate: number;
  verdict: Verdict;
  /** Broken conditions, or why there is no verdict. */
  reasons: string[];
  attempts: number;
  /** report.json, relative to find-max.json. */
  report: string;
  /** False for a point cut short by Ctrl-C: its verdict was not used. */
  counted: boolean;
  /** When the point began (its cool-down first), seconds after the search started. */
  startedSec: number;
  /**
   * How long it took, s: cool-down, every attempt, reports. The search starts a point only when the
   * longest so far (or the first estimate) would end within --max-time; these say where a machine
   * that slowed down made the last one end later.
   */
  tookSec: number;
  /** Open-loop builtin runs: the highest latency figure (from p50 up) the generator's lag could not have moved. */
  trustedUpTo?: string | null;
}

/**
 * What the answer is: the highest rate within the SLA, bracketed to the precision asked ('highest');
 * a rate that met it with the limit still above, because the search stopped early or reached
 * --max-rate ('at-least': a lower bound, never the limit); or no rate met it ('none').
 */
export type AnswerKind = 'highest' | 'at-least' | 'none';

/** The contents of find-max.json, and what `find-max --json` prints. */
export interface FindMaxRecord {
  schemaVersion: typeof FIND_MAX_SCHEMA_VERSION;
  target: { url: string; method: string };
  tool: ToolName;
  sla: string;
  /** The highest measured constant rate that met the SLA (judged clause by clause where the generator's lag cannot change it), in req/s; null when none did. */
  maxRate: number | null;
  /** How far maxRate can be taken: the limit itself, or only a lower bound of it. */
  answer: AnswerKind;
  /** The measurements the answer rests on, in one sentence. */
  restsOn: string;
  /** Highest passing and lowest failing rates measured; null where none was. */
  bracket: { low: number | null; high: number | null };
  precision: number;
  /** Whether both ends of the bracket were measured twice (three times where the two disagreed). */
  confirm: boolean;
  converged: boolean;
  stop: StopReason;
  /** The outcome in one sentence. */
  message: string;
  startTime: string;
  elapsedSec: number;
  maxTimeSec: number;
  /** In the order measured; a rate measured again appears again. */
  points: FindMaxPoint[];
  /** At the answer's rate (requests answered without error per second), when a price or core count was given. */
  cost?: CostFigures & { okRps: number; pricePerHour?: number; instances: number; coresPerInstance?: number };
}

/** Finds the highest constant rate the target holds within the SLA, and writes find-max.json. */
export async function findMax(request: FindMaxRequest): Promise<{ record: FindMaxRecord; recordPath: string }> {
  const { settings } = request;
  const root = settings.outputDir;
  const recordPath = join(root, 'find-max.json');
  const points: FindMaxPoint[] = [];
  const started = new Date();
  const startMs = performance.now();
  const log = request.log ?? (() => {});

  const seconds = (ms: number): number => Math.round(ms) / 1000;
  const measure = async (rate: number): Promise<FindMaxPoint> => {
    const pointStartMs = performance.now();
    if (points.length > 0 && request.cooldownSec > 0) await cooldown(request.cooldownSec, request.signal);
    const outputDir = join(root, 'find-max', `${String(points.length + 1).padStart(2, '0')}-${rate}rps`);
    const measured = await measurePoint({
      settings: { ...settings, rate, outputDir },
      monitors: request.monitors,
      monitorIntervalMs: request.monitorIntervalMs,
      sla: request.sla.clauses,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.servedTarget ? { servedTarget: request.servedTarget } : {}),
      noVerdict: (report) => noVerdictReasons(report, request.sla.clauses),
      onRetry: (reasons) => log(`${rate} req/s: no verdict (${reasons[0] ?? 'no reason given'}); measuring it again`),
    });
    const { verdict, reasons } = judgePoint(measured.report, request.sla.clauses);
    const point: FindMaxPoint = {
      rate,
      verdict,
      reasons,
      attempts: measured.attempts,
      report: relative(root, measured.reportPath),
      counted: true,
      startedSec: seconds(pointStartMs - startMs),
      tookSec: seconds(performance.now() - pointStartMs),
      ...pointFigures(measured.report),
      ...(measured.report.validity.trustedUpTo === undefined ? {} : { trustedUpTo: measured.report.validity.trustedUpTo }),
    };
    points.push(point);
    if (!request.signal?.aborted) log(describePoint(point));
    return point;
  };

  const result = await findMaxRate(measure, {
    startRate: request.startRate,
    ...(request.maxRate === undefined ? {} : { maxRate: request.maxRate }),
    factor: request.factor,
    precision: request.precision,
    confirm: request.confirm,
    timeBudgetMs: request.maxTimeSec * 1000,
    pointEstimateMs: pointEstimateMs(settings, request.cooldownSec),
    now: () => performance.now(),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  for (const step of result.steps) step.outcome.counted = step.counted;

  const answer = points.filter((p) => p.counted && p.verdict === 'pass' && p.rate === result.maxRate).at(-1);
  const record: FindMaxRecord = {
    schemaVersion: FIND_MAX_SCHEMA_VERSION,
    target: { url: redactUrl(settings.url), method: settings.method },
    tool: settings.tool,
    sla: request.sla.text,
    maxRate: result.maxRate ?? null,
    answer: result.maxRate === undefined ? 'none' : result.stop === 'precision' ? 'highest' : 'at-least',
    restsOn: restsOn(result.bracket, points),
    bracket: { low: result.bracket.low ?? null, high: result.bracket.high ?? null },
    precision: request.precision,
    confirm: request.confirm,
    converged: result.converged,
    stop: result.stop,
    message: describeOutcome(result.stop, result.bracket, request, points),
    startTime: started.toISOString(),
    elapsedSec: seconds(performance.now() - startMs),
    maxTimeSec: request.maxTimeSec,
    points,
  };
  const price = request.price;
  if (answer && (price.pricePerHour !== undefined || price.coresPerInstance !== undefined)) {
    record.cost = {
      okRps: answer.okRps,
      ...(price.pricePerHour === undefined ? {} : { pricePerHour: price.pricePerHour }),
      instances: price.instances ?? 1,
      ...(price.coresPerInstance === undefined ? {} : { coresPerInstance: price.coresPerInstance }),
      ...costAt(answer.okRps, price),
    };
  }
  await writeFileAtomically(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  return { record, recordPath };
}

/** What one point is expected to take before any was timed. */
export function pointEstimateMs(settings: Settings, cooldownSec: number): number {
  return (settings.warmupSec + settings.durationSec + cooldownSec) * 1000 + POINT_OVERHEAD_MS;
}

async function cooldown(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(seconds * 1000, undefined, signal ? { signal } : {});
  } catch {
    // Aborted: the point that follows sees the signal and stops at once.
  }
}

function describePoint(point: FindMaxPoint): string {
  const p99 = point.p99Ms === undefined ? '-' : `${point.p99Ms.toFixed(1)} ms`;
  const head = `${point.rate} req/s: served ${point.servedRps.toFixed(1)} req/s, p99 ${p99}, errors ${(point.errorRate * 100).toFixed(2)}%`;
  switch (point.verdict) {
    case 'pass':
      return `${head}: meets the SLA`;
    case 'fail':
      return `${head}: breaks it (${point.reasons.join('; ')})`;
    case 'invalid':
      return `${head}: no verdict, run invalid (${point.reasons.join('; ')})`;
  }
}

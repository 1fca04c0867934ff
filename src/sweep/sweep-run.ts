import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelprofError, SettingsError } from '../core/errors.js';
import type { Progress } from '../load/engine.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import { prepareOutputDir, writeFileAtomically } from '../run/output-files.js';
import { startServedTarget, type ServedTarget } from '../target/served-process.js';
import { measurePoint } from '../run/measure-point.js';
import { pointFigures } from '../report/point-figures.js';
import { judgePoint, noVerdictReasons } from '../judge/point-verdict.js';
import { renderSweepHtml } from './sweep-html.js';
import type { SweepPlan, SweepPoint } from './sweep-plan.js';
import { freshRecord, judgedPoint, readRecord, settleRecord, unmeasured, type SweepPointRecord, type SweepRecord } from './sweep-record.js';

export interface SweepRunOptions {
  /** Keep the points an earlier run of the same plan measured, and measure the rest. */
  resume: boolean;
  /** Aborting stops the current point (its report is kept, marked partial) and ends the sweep. */
  signal?: AbortSignal;
  /** One line per event, for the console. */
  log?: (line: string) => void;
  onProgress?: (progress: Progress) => void;
}

export interface SweepOutcome {
  record: SweepRecord;
  recordPath: string;
  htmlPath: string;
}

/**
 * Runs every point of the plan that is not already measured, deployment by deployment (starting
 * each one's serve command before its first point and stopping it after its last), and rewrites
 * sweep.json after every point, so an interrupted sweep keeps everything it finished.
 */
export async function runSweep(plan: SweepPlan, options: SweepRunOptions): Promise<SweepOutcome> {
  const recordPath = join(plan.outputDir, 'sweep.json');
  const htmlPath = join(plan.outputDir, 'sweep.html');
  const log = options.log ?? (() => {});
  const signal = options.signal;
  const earlier = await readRecord(recordPath);
  if (earlier && !options.resume) {
    throw new SettingsError(`"${recordPath}" already holds a sweep: pass --resume to continue it, or choose another --output`);
  }
  let record = freshRecord(plan, new Date());
  if (earlier) record = { ...record, startTime: earlier.startTime, points: record.points.map((point) => keptPoint(point, earlier, plan.outputDir) ?? point) };
  await prepareOutputDir(plan.outputDir, plan.outputSource);
  const save = async (): Promise<void> => {
    record = settleRecord(record, new Date());
    await writeFileAtomically(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  };
  await save();

  const slotOf = (point: SweepPoint): number => record.points.findIndex((p) => p.deployment === point.deployment && p.id === point.id);
  const todo = plan.points.filter((point) => !judgedPoint(record.points[slotOf(point)]!));
  const kept = plan.points.length - todo.length;
  log(`${todo.length} of ${plan.points.length} points to measure${kept > 0 ? ` (${kept} kept from the earlier run)` : ''}`);

  let done = 0;
  for (const deployment of plan.deployments) {
    const points = todo.filter((point) => point.deployment === deployment.name);
    if (points.length === 0 || signal?.aborted) continue;
    let served: ServedTarget | undefined;
    try {
      if (deployment.serve) {
        try {
          served = await startServedTarget(deployment.serve.command, new URL(points[0]!.settings.url), deployment.serve.timeoutMs);
        } catch (error) {
          if (!(error instanceof ModelprofError)) throw error;
          for (const point of points) record.points[slotOf(point)] = { ...unmeasured(record.points[slotOf(point)]!), status: 'failed', reasons: [error.message] };
          record.deployments = record.deployments.map((d) => (d.name === deployment.name ? { ...d, notStarted: error.message } : d));
          done += points.length;
          log(`${deployment.name}: could not start: ${error.message}`);
          await save();
          continue;
        }
      }
      const monitors: MonitorSpec[] = served ? [...plan.monitors, { kind: 'process', pid: served.pid }] : plan.monitors;
      for (const point of points) {
        if (done > 0 && plan.cooldownSec > 0) await cooldown(plan.cooldownSec, signal);
        if (signal?.aborted) break;
        done++;
        const slot = slotOf(point);
        const entry = await measureEntry(point, record.points[slot]!, plan, monitors, options, (line) => log(`${deployment.name}: ${line}`), served);
        record.points[slot] = entry;
        await save();
        log(`[${done + kept}/${plan.points.length}] ${deployment.name} ${point.id}: ${describeEntry(entry)}`);
      }
    } finally {
      await served?.stop();
    }
  }
  await save();
  await writeFileAtomically(htmlPath, renderSweepHtml(record));
  return { record, recordPath, htmlPath };
}

/** An earlier run's point, when it was measured with the same settings and its report is still there. */
function keptPoint(point: SweepPointRecord, earlier: SweepRecord, outputDir: string): SweepPointRecord | undefined {
  const old = earlier.points.find((p) => p.deployment === point.deployment && p.id === point.id);
  if (old === undefined || !judgedPoint(old) || old.fingerprint !== point.fingerprint || old.report === undefined) return undefined;
  return existsSync(join(outputDir, old.report)) ? old : undefined;
}

async function measureEntry(
  point: SweepPoint,
  entry: SweepPointRecord,
  plan: SweepPlan,
  monitors: readonly MonitorSpec[],
  options: SweepRunOptions,
  log: (line: string) => void,
  served?: ServedTarget,
): Promise<SweepPointRecord> {
  const startTime = new Date().toISOString();
  // Nothing of an earlier measurement of this point survives into the new entry.
  const blank = { ...unmeasured(entry), startTime };
  try {
    const measured = await measurePoint({
      settings: point.settings,
      monitors,
      monitorIntervalMs: plan.monitorIntervalMs,
      ...(plan.sla ? { sla: plan.sla.clauses } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(served ? { servedTarget: served } : {}),
      noVerdict: (report) => noVerdictReasons(report, plan.sla?.clauses ?? []),
      onRetry: (reasons) => log(`${point.id}: no verdict (${reasons[0] ?? 'no reason given'}); measuring it again`),
    });
    const { verdict, reasons } = judgePoint(measured.report, plan.sla?.clauses ?? []);
    const figures = { ...blank, ...pointFigures(measured.report), attempts: measured.attempts, report: relative(plan.outputDir, measured.reportPath) };
    if (options.signal?.aborted) return { ...figures, status: 'interrupted', reasons: ['interrupted (Ctrl-C); --resume measures it again'] };
    if (verdict === 'invalid') return { ...figures, status: 'invalid', reasons };
    return { ...figures, status: 'measured', verdict, reasons };
  } catch (error) {
    if (!(error instanceof ModelprofError)) throw error;
    return { ...blank, status: 'failed', reasons: [error.message] };
  }
}

function describeEntry(entry: SweepPointRecord): string {
  const figures =
    entry.servedRps === undefined
      ? ''
      : `served ${entry.servedRps.toFixed(1)} req/s, p99 ${entry.p99Ms === undefined ? '-' : `${entry.p99Ms.toFixed(1)} ms`}, errors ${((entry.errorRate ?? 0) * 100).toFixed(2)}%: `;
  switch (entry.status) {
    case 'measured':
      return `${figures}${entry.verdict === 'pass' ? 'meets the SLA' : `breaks it (${entry.reasons.join('; ')})`}`;
    case 'invalid':
      return `${figures}no verdict, run invalid (${entry.reasons.join('; ')})`;
    case 'interrupted':
      return 'interrupted';
    case 'failed':
      return `failed: ${entry.reasons.join('; ')}`;
    case 'pending':
      return 'pending';
  }
}

async function cooldown(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(seconds * 1000, undefined, signal ? { signal } : {});
  } catch {
    // Aborted: the loop sees the signal next.
  }
}

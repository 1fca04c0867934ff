import { join } from 'node:path';
import { builtinEngine } from '../load/builtin-engine.js';
import type { HeaderUpdates, LoadEngine, Progress } from '../load/engine.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import type { RunResult } from '../record/result.js';
import { busyShare, readHostCpu, saturatedHostWarning } from '../monitors/host-cpu.js';
import { startMonitors } from '../monitors/session.js';
import { buildReport } from '../report/build-report.js';
import { renderHtmlReport } from '../report/html.js';
import type { Report } from '../report/report.js';
import { evaluateSla, storedSla, type SlaClause, type SlaVerdict } from '../judge/sla.js';
import type { EngineName, Settings } from '../settings/settings.js';
import { externalEngine } from '../tools/registry.js';
import type { ServedTarget } from '../target/served-process.js';
import { OutputError, TargetError } from '../core/errors.js';
import { checkGeneratorLimits } from '../load/machine-limits.js';
import { prepareOutputDir, writeFileAtomically } from './output-files.js';
import { judgeTarget } from '../judge/target-outcome.js';

const ENGINES: Record<EngineName, LoadEngine> = {
  builtin: builtinEngine,
  external: externalEngine,
};

export interface ProfileOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Monitors started just before the load and stopped after it; their figures join the report. */
  monitors?: { specs: readonly MonitorSpec[]; intervalMs: number };
  /** The SLA to judge the run by; the verdict leads the HTML report. */
  sla?: readonly SlaClause[];
  /** Header values renewed during the run (an Azure ML token); engines that can, send them from then on. */
  headerUpdates?: HeaderUpdates;
  /** The --serve server being measured: if it ends during the window, the target is down from then on. */
  servedTarget?: Pick<ServedTarget, 'death'>;
}

export interface ProfileOutcome {
  report: Report;
  reportPath: string;
  htmlPath: string;
  /** Present when an SLA was given. */
  verdict?: SlaVerdict;
}

/**
 * One profiling run: load with the chosen engine, watch, judge, and write report.json and
 * report.html into the output folder. A run cut short still writes what it measured, marked partial.
 */
export async function profile(settings: Settings, options: ProfileOptions = {}): Promise<ProfileOutcome> {
  await prepareRun(settings);
  const specs = options.monitors?.specs ?? [];
  const watch = specs.length > 0 ? await startMonitors(specs, { intervalMs: options.monitors!.intervalMs }) : undefined;
  const engine = ENGINES[settings.engine];
  // Two reads of /proc/stat around the load: a saturated machine distorts every figure.
  const hostBefore = await readHostCpu();
  let result: RunResult;
  try {
    result = await engine.run(settings, {
      runDir: settings.outputDir,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.headerUpdates ? { headerUpdates: options.headerUpdates } : {}),
    });
  } catch (error) {
    // No report: the monitors only need stopping, so their timers do not outlive the run.
    await watch?.stop({ startMs: Date.now(), endMs: Date.now() });
    throw error;
  }
  const resources = watch ? await watch.stop({ startMs: result.startTime.getTime(), endMs: result.endTime.getTime() }) : undefined;
  const hostAfter = hostBefore ? await readHostCpu() : undefined;
  const died = options.servedTarget?.death();
  const death = died ? { atSec: (died.atMs - result.startTime.getTime()) / 1000, how: died.how } : undefined;
  const report = buildReport(settings, result, resources, death);
  const saturated = saturatedHostWarning(hostBefore && hostAfter ? busyShare(hostBefore, hostAfter) : undefined);
  if (saturated) report.validity.warnings.push(saturated);
  const verdict = options.sla && options.sla.length > 0 ? evaluateSla(options.sla, report) : undefined;
  if (verdict) report.sla = storedSla(verdict);
  const reportPath = join(settings.outputDir, 'report.json');
  const htmlPath = join(settings.outputDir, 'report.html');
  const outcome: ProfileOutcome = { report, reportPath, htmlPath, ...(verdict ? { verdict } : {}) };
  // Both files are attempted whatever the other did; a failure keeps the measured outcome.
  const failures = await Promise.all([
    writeFileAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`).then(() => undefined, (error: unknown) => error),
    writeFileAtomically(htmlPath, renderHtmlReport(report, verdict)).then(() => undefined, (error: unknown) => error),
  ]);
  const failed = failures.filter((error) => error !== undefined);
  if (failed.length === 0) return outcome;
  const unexpected = failed.find((error) => !(error instanceof OutputError));
  if (unexpected) throw unexpected;
  throw new ReportNotWrittenError(failed.map((error) => (error as OutputError).message).join('; '), outcome);
}

/**
 * The load ran, but report.json or report.html could not be written (disk full, the folder gone).
 * `outcome` holds everything measured, so a caller can still print the summary.
 */
export class ReportNotWrittenError extends OutputError {
  constructor(
    message: string,
    readonly outcome: ProfileOutcome,
  ) {
    super(message);
  }
}

/**
 * Everything about a run that can be refused before it starts: settings the engine cannot run as
 * asked (2.5 s for the real wrk), an external program that is not installed, a load this machine cannot generate (connections beyond its open
 * files or ports, threads beyond its cores), and an output folder that cannot be written. Call it
 * before saying that a run begins; profile() calls it too.
 */
export async function prepareRun(settings: Settings): Promise<void> {
  ENGINES[settings.engine].check?.(settings);
  checkGeneratorLimits(settings);
  await ENGINES[settings.engine].prepare?.(settings);
  await prepareOutputDir(settings.outputDir, settings.outputSource);
}

/**
 * A run in which no request succeeded is a target error (exit 4) once the report is written: the
 * figures describe error answers, not the model. The message names what was seen (the statuses and
 * what each one means, or that there was no HTTP answer at all).
 *
 * `point` (a find-max or sweep point) is laxer: there, error answers a higher load can explain
 * (408, 429, 5xx) make a point that breaks its SLA, not a target error; a wrong key, URL, method or
 * payload (other 4xx) and a target that never answers are still errors.
 */
export function assertTargetAnswered(report: Report, reportPath: string, scope: 'run' | 'point' = 'run'): void {
  const outcome = judgeTarget(report);
  if (!outcome.noSuccess) return;
  const loadExplained = Object.keys(report.errors.byStatus).some((status) => status === '408' || status === '429' || Number(status) >= 500);
  if (scope === 'point' && loadExplained) return;
  throw new TargetError(`target error: none of ${outcome.requests} requests succeeded: ${outcome.seen}; report written to ${reportPath}`);
}

import { constants } from 'node:fs';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinEngine } from '../load/builtin-engine.js';
import type { HeaderUpdates, LoadEngine, Progress } from '../load/engine.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import type { RunResult } from '../record/result.js';
import { startMonitors } from '../monitors/session.js';
import { buildReport } from '../report/build-report.js';
import { renderHtmlReport } from '../report/html.js';
import type { Report } from '../report/report.js';
import { evaluateSla, type SlaClause, type SlaVerdict } from '../judge/sla.js';
import type { EngineName, Settings } from '../settings/settings.js';
import { externalEngine } from '../tools/registry.js';
import { SettingsError, TargetError } from '../core/errors.js';

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
  const report = buildReport(settings, result, resources);
  const verdict = options.sla && options.sla.length > 0 ? evaluateSla(options.sla, report) : undefined;
  const reportPath = join(settings.outputDir, 'report.json');
  const htmlPath = join(settings.outputDir, 'report.html');
  await writeFileAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomically(htmlPath, renderHtmlReport(report, verdict));
  return { report, reportPath, htmlPath, ...(verdict ? { verdict } : {}) };
}

/**
 * Everything about a run that can be refused before it starts: settings the engine cannot run as
 * asked (2.5 s for the real wrk), and an output folder that cannot be written. Call it before saying
 * that a run begins; profile() calls it too.
 */
export async function prepareRun(settings: Settings): Promise<void> {
  ENGINES[settings.engine].check?.(settings);
  await prepareOutputDir(settings.outputDir);
}

/** Creates the output folder before any load, so a bad path fails at once with one line. */
export async function prepareOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new SettingsError(`output folder "${dir}" cannot be used (${(error as NodeJS.ErrnoException).code ?? String(error)}): give --output a writable folder`);
  }
}

/** Readers never see half a report: write beside it, then rename over it. */
export async function writeFileAtomically(path: string, contents: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, contents, { mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    throw new SettingsError(`cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * A target that answered none of the requests (every one refused, reset or timed out) is down,
 * whatever else the report says: a TargetError (exit 4) once the report is written.
 */
export function assertTargetAnswered(report: Report, reportPath: string): void {
  const { byKind } = report.errors;
  const answered = report.requests.ok + byKind.http_status;
  // Failures of this machine (out of sockets), of the user (Ctrl-C) or of a reuse race (the request
  // never reached the target) say nothing about the target.
  const targetFailures = report.requests.errors - byKind.local_resources - byKind.interrupted - (byKind.reuse_race ?? 0);
  if (answered === 0 && targetFailures > 0) {
    const kinds = Object.entries(report.errors.byKind).filter(([, count]) => count > 0).map(([kind, count]) => `${count} ${kind}`);
    throw new TargetError(`the target answered none of ${report.requests.total} requests (${kinds.join(', ')}); report written to ${reportPath}`);
  }
}

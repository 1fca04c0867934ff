import type { Progress } from '../load/engine.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import type { Report } from '../report/report.js';
import type { SlaClause } from '../judge/sla.js';
import { assertTargetAnswered, profile } from './profile.js';
import type { Settings } from '../settings/settings.js';

export interface PointRun {
  settings: Settings;
  /** Started afresh for every attempt, so each report carries its own window. */
  monitors: readonly MonitorSpec[];
  monitorIntervalMs: number;
  /** Judged in each point's report.html. */
  sla?: readonly SlaClause[];
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Told why an attempt was invalid, before it is re-run. */
  onRetry?: (reasons: readonly string[]) => void;
}

export interface MeasuredPoint {
  report: Report;
  reportPath: string;
  /** 2 when the first attempt was invalid and the point was measured again. */
  attempts: number;
}

/**
 * Measures one point into its own folder. A run the generator could not hold is measured once more
 * (a passing stall on a shared machine should not cost the point); the second report stands either
 * way, and an invalid one is the caller's to mark. A target that failed every request in a way no load
 * explains (see assertTargetAnswered) is a TargetError.
 */
export async function measurePoint(run: PointRun): Promise<MeasuredPoint> {
  let attempts = 0;
  for (;;) {
    attempts++;
    const { report, reportPath } = await profile(run.settings, {
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      monitors: { specs: run.monitors, intervalMs: run.monitorIntervalMs },
      ...(run.sla ? { sla: run.sla } : {}),
    });
    // Stopped at once by Ctrl-C, a point may have answers still in flight and none back: that says nothing of the target.
    if (run.signal?.aborted) return { report, reportPath, attempts };
    assertTargetAnswered(report, reportPath, 'point');
    if (report.validity.valid || attempts >= 2) return { report, reportPath, attempts };
    run.onRetry?.(report.validity.reasons);
  }
}

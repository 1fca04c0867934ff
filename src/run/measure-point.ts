import type { Progress } from '../load/engine.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import type { Report } from '../report/report.js';
import { loadHeld, type SlaClause } from '../judge/sla.js';
import { assertTargetAnswered, profile } from './profile.js';
import type { Settings } from '../settings/settings.js';
import type { ServedTarget } from '../target/served-process.js';

export interface PointRun {
  settings: Settings;
  /** Started afresh for every attempt, so each report carries its own window. */
  monitors: readonly MonitorSpec[];
  monitorIntervalMs: number;
  /** Judged in each point's report.html. */
  sla?: readonly SlaClause[];
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /**
   * Why an attempt gives no verdict (empty: it gives one). Such an attempt is measured once more.
   * Default: the reasons the generator did not deliver the load.
   */
  noVerdict?: (report: Report) => readonly string[];
  /** Told why an attempt gave no verdict, before it is re-run. */
  onRetry?: (reasons: readonly string[]) => void;
  /** The --serve server being measured, whose death is an outage. */
  servedTarget?: Pick<ServedTarget, 'death'>;
}

export interface MeasuredPoint {
  report: Report;
  reportPath: string;
  /** 2 when the first attempt was invalid and the point was measured again. */
  attempts: number;
}

/**
 * Measures one point into its own folder. An attempt that gives no verdict (the generator could not
 * deliver the load, or its lag left a clause unjudged) is measured once more: a passing stall on a
 * shared machine should not cost the point. The second report stands either way, and one without a
 * verdict is the caller's to mark. A target that failed every request in a way no load explains (see
 * assertTargetAnswered) is a TargetError.
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
      ...(run.servedTarget ? { servedTarget: run.servedTarget } : {}),
    });
    // Stopped at once by Ctrl-C, a point may have answers still in flight and none back: that says nothing of the target.
    if (run.signal?.aborted) return { report, reportPath, attempts };
    assertTargetAnswered(report, reportPath, 'point');
    const reasons = (run.noVerdict ?? loadNotHeld)(report);
    if (reasons.length === 0 || attempts >= 2) return { report, reportPath, attempts };
    run.onRetry?.(reasons);
  }
}

function loadNotHeld(report: Report): readonly string[] {
  return loadHeld(report) ? [] : report.validity.reasons.length > 0 ? report.validity.reasons : ['the run is invalid'];
}

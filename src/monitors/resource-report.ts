import type { MeasurementWindow, Reading } from './monitor.js';
import type { MonitorStatus, ResourceMetric, ResourceReport } from './resources.js';
import { round } from '../core/numbers.js';

/** Everything one monitor handed over during a session. */
export interface MonitorRecord {
  name: string;
  samples: readonly { timeMs: number; readings: readonly Reading[] }[];
  /** Each sample covers [timeMs, timeMs + grainMs) (see Monitor.grainMs). */
  grainMs?: number;
  /** The first failure and how many there were; absent if the monitor never failed. */
  failures?: { first: { timeMs: number; reason: string }; count: number };
}

/**
 * Shapes what the monitors recorded into the report: per metric, avg/p50/min/max and a timeline
 * over the samples inside the measured window, with t in seconds from the window's start (the
 * load timeline's clock). A metric name produced by two monitors (two node_exporters) keeps its
 * plain name for the first and becomes `<name>@<monitor>` for the others. A grain monitor's
 * samples count when their grain overlaps the window, and its metrics say their grain.
 */
export function buildResourceReport(
  records: readonly MonitorRecord[],
  window: MeasurementWindow,
  intervalMs: number,
): ResourceReport {
  const metrics: Record<string, ResourceMetric> = {};
  const monitors: MonitorStatus[] = [];
  for (const record of records) {
    const grain = record.grainMs ?? 0;
    const inWindow = record.samples.filter((s) =>
      grain > 0 ? s.timeMs < window.endMs && s.timeMs + grain > window.startMs : s.timeMs >= window.startMs && s.timeMs <= window.endMs,
    );
    const series = new Map<string, { unit: string; points: ResourceMetric['timeline'] }>();
    for (const sample of inWindow) {
      const t = round((sample.timeMs - window.startMs) / 1000);
      for (const reading of sample.readings) {
        if (!Number.isFinite(reading.value)) continue;
        const entry = series.get(reading.metric) ?? { unit: reading.unit, points: [] };
        entry.points.push({ t, v: round(reading.value), ...(reading.peak !== undefined && Number.isFinite(reading.peak) ? { max: round(reading.peak) } : {}) });
        series.set(reading.metric, entry);
      }
    }
    for (const [metric, { unit, points }] of series) {
      const key = metric in metrics ? `${metric}@${record.name}` : metric;
      const summary = summarize(points.map((p) => p.v));
      const peak = Math.max(summary.max, ...points.map((p) => p.max ?? p.v));
      metrics[key] = { unit, source: record.name, ...summary, max: peak, timeline: points, ...(grain > 0 ? { grainSeconds: grain / 1000 } : {}) };
    }
    monitors.push(statusOf(record, inWindow.length, window));
  }
  return { intervalMs, monitors, metrics };
}

function statusOf(record: MonitorRecord, samples: number, window: MeasurementWindow): MonitorStatus {
  if (!record.failures) return { name: record.name, ok: true, samples };
  const { first, count } = record.failures;
  const when =
    first.timeMs < window.startMs ? 'before measurement' : `at t=${((first.timeMs - window.startMs) / 1000).toFixed(1)}s`;
  const times = count > 1 ? `, ${count} failures in all` : '';
  return { name: record.name, ok: false, error: `${first.reason} (${when}${times})`, samples };
}

function summarize(values: readonly number[]): { avg: number; p50: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const avg = sorted.reduce((total, v) => total + v, 0) / sorted.length;
  // Nearest-rank median: always a value that was actually observed.
  const p50 = sorted[Math.ceil(sorted.length / 2) - 1]!;
  return { avg: round(avg), p50, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Three decimals: enough for %, ms and seconds, and keeps report.json small. */

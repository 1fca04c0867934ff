import { scaleBytes } from '../report/format.js';
import type { ResourceMetric, ResourceReport } from './resources.js';

/** The metrics worth a console line, in the order shown; the rest are in report.json. */
const MAIN_METRICS: { pattern: RegExp; label: (match: RegExpExecArray) => string }[] = [
  { pattern: /^process\.cpu_percent$/, label: () => 'process CPU (1 core = 100%)' },
  { pattern: /^process\.rss_bytes$/, label: () => 'process memory (RSS)' },
  { pattern: /^host\.cpu_percent$/, label: () => 'host CPU' },
  { pattern: /^host\.memory_used_bytes$/, label: () => 'host memory used' },
  { pattern: /^gpu\.([^.]+)\.utilization_percent$/, label: (m) => `GPU ${m[1]} utilization` },
  { pattern: /^gpu\.([^.]+)\.memory_used_bytes$/, label: (m) => `GPU ${m[1]} memory used` },
  { pattern: /^gpu\.([^.]+)\.power_watts$/, label: (m) => `GPU ${m[1]} power` },
  { pattern: /^azure\.cpu$/, label: () => 'Azure CPU' },
  { pattern: /^azure\.memory$/, label: () => 'Azure memory' },
  { pattern: /^azure\.gpu$/, label: () => 'Azure GPU' },
  { pattern: /^azure\.gpu_memory$/, label: () => 'Azure GPU memory' },
  { pattern: /^azure\.gpu_energy$/, label: () => 'Azure GPU energy' },
  { pattern: /^azure\.disk$/, label: () => 'Azure disk' },
  { pattern: /^azure\.requests_per_minute$/, label: () => 'Azure requests' },
];

/** A few console lines for the run summary: the main metrics (avg and max) and every failed monitor. */
export function formatResourceSummary(report: ResourceReport): string[] {
  if (report.monitors.length === 0) return [];
  const rows: [string, string][] = [];
  const shown = new Set<string>();
  for (const { pattern, label } of MAIN_METRICS) {
    for (const name of Object.keys(report.metrics).sort()) {
      const match = pattern.exec(name);
      if (!match || shown.has(name)) continue;
      const metric = report.metrics[name]!;
      const grain = metric.grainSeconds ? ` (per ${metric.grainSeconds === 60 ? 'minute' : `${metric.grainSeconds} s`})` : '';
      rows.push([`${label(match)}${grain}`, `avg ${formatValue(metric.avg, metric)}  max ${formatValue(metric.max, metric)}`]);
      shown.add(name);
    }
  }
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  const instant = Object.values(report.metrics).some((m) => !m.grainSeconds);
  const grains = [...new Set(Object.values(report.metrics).flatMap((m) => (m.grainSeconds ? [m.grainSeconds] : [])))];
  const how = [
    ...(instant || grains.length === 0 ? [`sampled every ${report.intervalMs} ms`] : []),
    ...grains.map((g) => (g === 60 ? 'Azure Monitor at a 1-minute grain' : `a ${g} s grain`)),
  ];
  const lines = [`Server resources (${how.join('; ')}):`];
  for (const [label, values] of rows) lines.push(`  ${label.padEnd(width)}  ${values}`);
  const others = Object.keys(report.metrics).length - shown.size;
  if (others > 0) lines.push(`  ${others} more metric${others === 1 ? '' : 's'} in report.json`);
  // Each monitor that gave nothing says why, on one line: its failure, or that it read nothing.
  for (const monitor of report.monitors) {
    if (!monitor.ok) lines.push(`  monitor ${monitor.name} failed: ${oneLine(monitor.error ?? 'no reason given')}`);
    else if (monitor.samples === 0) lines.push(`  monitor ${monitor.name}: no sample in the measured window`);
  }
  return lines;
}

/** A reason on one console line: an error body's line breaks folded. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function formatValue(value: number, metric: ResourceMetric): string {
  switch (metric.unit) {
    case 'bytes': {
      // The console prints one decimal ("46.0 MiB"); reports print three significant digits (formatBytes).
      const scaled = scaleBytes(value);
      return `${scaled.value.toFixed(scaled.unit === 'B' ? 0 : 1)} ${scaled.unit}`;
    }
    case '%':
      return `${value.toFixed(1)}%`;
    default:
      return `${Number(value.toFixed(2))}${metric.unit ? ` ${metric.unit}` : ''}`;
  }
}

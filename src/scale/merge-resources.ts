import type { ResourceMetric, ResourceReport } from '../monitors/resources.js';
import { round } from '../core/numbers.js';

/** A shard's monitors, with where its timeline starts relative to the merge's (seconds). */
export interface ShardResources {
  index: number;
  offsetSec: number;
  resources: ResourceReport;
}

/**
 * Metrics of a shard's own processes (--serve, --monitor-pid on that shard's machine): different
 * processes on different machines, so their CPU, memory and thread counts add up, even where the
 * process ids read the same (pods often give their first process the same id).
 */
const ADDITIVE = new Set(['process.cpu_percent', 'process.rss_bytes', 'process.threads', 'process.processes']);

/**
 * The merge's resource report. A metric of each shard's own processes (ADDITIVE) that every
 * shard has is summed second by second over the seconds where every shard has a sample. Any other
 * metric that the shards read from one source (one Prometheus, one node_exporter, the target's
 * GPUs) is the same thing seen several times: it is kept once, from the lowest shard, never added.
 * Anything else stays apart, renamed `<name>@shard<k>`. Each shard's full report is kept in
 * `merge.shards[].resources` as well.
 */
export function mergeResources(shards: readonly ShardResources[]): ResourceReport | undefined {
  if (shards.length === 0) return undefined;
  const metrics: Record<string, ResourceMetric> = {};
  const names = [...new Set(shards.flatMap((s) => Object.keys(s.resources.metrics)))].sort();
  for (const name of names) {
    const holders = shards.filter((s) => name in s.resources.metrics);
    const series = holders.map((s) => ({ shard: s, metric: s.resources.metrics[name]! }));
    const sources = new Set(series.map((s) => s.metric.source));
    if (ADDITIVE.has(name) && holders.length === shards.length && holders.length > 1) {
      const summed = sumSeries(series.map((s) => shifted(s.metric, s.shard.offsetSec)));
      if (summed) metrics[name] = summed;
    } else if (sources.size === 1) {
      metrics[name] = shifted(series[0]!.metric, series[0]!.shard.offsetSec);
    } else {
      for (const { shard, metric } of series) metrics[`${name}@shard${shard.index}`] = shifted(metric, shard.offsetSec);
    }
  }
  return {
    intervalMs: Math.max(...shards.map((s) => s.resources.intervalMs)),
    monitors: shards.flatMap((s) => s.resources.monitors.map((m) => ({ ...m, name: `shard ${s.index}: ${m.name}` }))),
    metrics,
  };
}

function shifted(metric: ResourceMetric, offsetSec: number): ResourceMetric {
  if (offsetSec === 0) return metric;
  return { ...metric, timeline: metric.timeline.map((p) => ({ t: round(p.t + offsetSec), v: p.v })) };
}

/** Sums per whole second of the timeline, over the seconds where every series has a sample. */
function sumSeries(series: readonly ResourceMetric[]): ResourceMetric | undefined {
  const bySecond = series.map((metric) => {
    const seconds = new Map<number, number>();
    for (const point of metric.timeline) if (!seconds.has(Math.floor(point.t))) seconds.set(Math.floor(point.t), point.v);
    return seconds;
  });
  const common = [...bySecond[0]!.keys()].filter((t) => bySecond.every((seconds) => seconds.has(t))).sort((a, b) => a - b);
  if (common.length === 0) return undefined;
  const timeline = common.map((t) => ({ t, v: round(bySecond.reduce((total, seconds) => total + seconds.get(t)!, 0)) }));
  const values = timeline.map((p) => p.v).sort((a, b) => a - b);
  return {
    unit: series[0]!.unit,
    source: `sum of ${series.length} shards`,
    avg: round(values.reduce((total, v) => total + v, 0) / values.length),
    p50: values[Math.ceil(values.length / 2) - 1]!,
    min: values[0]!,
    max: values[values.length - 1]!,
    timeline,
  };
}

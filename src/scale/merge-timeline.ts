import { createLatencyHistogram, decodeHistogram } from '../record/histogram.js';
import type { TimelinePoint } from '../record/result.js';

/** One shard's timeline and where its second 0 starts on the wall clock. */
export interface ShardTimeline {
  startEpochMs: number;
  points: readonly TimelinePoint[];
}

export interface MergedTimeline {
  points: TimelinePoint[];
  /** Seconds where several shards answered but one of them kept no per-second histogram: p50/p99 left out. */
  secondsWithoutPercentiles: number;
}

/**
 * Aligns shard timelines on wall-clock seconds and adds them. Second t of a shard that started
 * `d` seconds after the earliest shard (rounded to the second) is second t + d of the merge.
 * Requests and errors add exactly. A second's p50 and p99 come from the sum of that second's
 * histograms when every shard that answered in it kept one (shard reports do), or from the one
 * shard that answered; otherwise they are left out rather than guessed.
 */
export function mergeTimelines(shards: readonly ShardTimeline[]): MergedTimeline {
  if (shards.length === 0) return { points: [], secondsWithoutPercentiles: 0 };
  const origin = Math.min(...shards.map((s) => s.startEpochMs));
  const seconds = new Map<number, TimelinePoint[]>();
  for (const shard of shards) {
    const offset = Math.round((shard.startEpochMs - origin) / 1000);
    for (const point of shard.points) {
      const t = point.t + offset;
      const list = seconds.get(t) ?? [];
      list.push(point);
      seconds.set(t, list);
    }
  }
  const last = Math.max(-1, ...seconds.keys());
  const scratch = createLatencyHistogram();
  const points: TimelinePoint[] = [];
  let secondsWithoutPercentiles = 0;
  for (let t = 0; t <= last; t++) {
    const parts = seconds.get(t) ?? [];
    const point: TimelinePoint = { t, requests: 0, errors: 0 };
    for (const part of parts) {
      point.requests += part.requests;
      point.errors += part.errors;
    }
    const answered = parts.filter((part) => part.p50 !== undefined || part.histogram !== undefined);
    if (answered.length === 1 && answered[0]!.histogram === undefined) {
      const only = answered[0]!;
      if (only.p50 !== undefined) point.p50 = only.p50;
      if (only.p99 !== undefined) point.p99 = only.p99;
    } else if (answered.length > 0 && answered.every((part) => part.histogram !== undefined)) {
      scratch.reset();
      for (const part of answered) scratch.add(decodeHistogram(part.histogram!));
      if (scratch.totalCount > 0) {
        point.p50 = scratch.getValueAtPercentile(50) / 1000;
        point.p99 = scratch.getValueAtPercentile(99) / 1000;
      }
    } else if (answered.length > 0) {
      secondsWithoutPercentiles++;
    }
    points.push(point);
  }
  return { points, secondsWithoutPercentiles };
}

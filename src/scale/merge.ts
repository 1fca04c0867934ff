import { ERROR_KINDS, MAX_PAYLOAD_LINES_SHOWN, sumCarried, type ErrorCounts, type ErrorSample, type PayloadLineErrors, worstLineFirst } from '../record/result.js';
import { BODIES_PER_STATUS } from '../load/error-bodies.js';
import { mergeLlmSections, type LlmSection } from '../record/token-summary.js';
import type { MergedShard, Report } from '../report/report.js';
import { addHistograms, writeHistograms } from './merge-histograms.js';
import { mergeResources } from './merge-resources.js';
import { mergeTimelines } from './merge-timeline.js';
import { findAvailability } from '../judge/availability.js';
import { combineValidity, describeShards, judgeMergedTrust } from './merge-validity.js';
import { checkShardSet, type ShardReport, type ShardSetOptions, type SourcedReport } from './shard-set.js';
import { round } from '../core/numbers.js';
import { decodeHistogram } from '../record/histogram.js';

export type { SourcedReport } from './shard-set.js';
export type MergeOptions = ShardSetOptions;

/**
 * One report from the reports of the shards of one run (`--shard INDEX/COUNT`), as if one
 * generator had sent the whole load. Exact where the shards' records allow it:
 * - every encoded HdrHistogram (latency corrected and uncorrected, and any other `histogram*`
 *   field) is added bucket by bucket, and the percentiles are read from the sum, so they are those
 *   of all requests of all shards, to the histograms' 3 significant digits;
 * - counts, errors by kind and status, warm-up requests and missed ticks are summed;
 * - the window runs from the earliest shard's start to the latest shard's last answer, and the
 *   rates count all requests over it;
 * - timelines are aligned on wall-clock seconds (see mergeTimelines);
 * - validity is valid only when every shard sent a report and was valid, naming the shards that
 *   were not (see combineValidity); resources are kept per shard and merged by mergeResources.
 * The result is a normal report: `settings` are the whole run's, and `merge` lists the shards.
 * @throws SettingsError when the reports are not the shards of one run (see checkShardSet).
 */
export function mergeReports(reports: readonly SourcedReport[], options: MergeOptions = {}): Report {
  const { count, shards, missing } = checkShardSet(reports, options);
  const base = shards[0]!.report;
  const merged = structuredClone(base) as Report & Record<string, unknown>;
  delete merged.shard;
  delete merged.partial;
  delete merged.resources;
  delete merged.latencyUncorrected;
  // A shard's SLA verdict is on its part of the load: the merged run is judged again (merge --sla).
  delete merged.sla;

  const starts = shards.map((s) => Date.parse(s.report.startTime));
  const ends = shards.map((s) => Date.parse(s.report.endTime));
  const startMs = Math.min(...starts);
  const endMs = Math.max(...ends);
  const seconds = Math.max(0, (endMs - startMs) / 1000);

  const requests = { total: sum(shards, (r) => r.requests.total), ok: sum(shards, (r) => r.requests.ok), errors: sum(shards, (r) => r.requests.errors) };
  const missed = shards.filter((s) => s.report.requests.missed !== undefined);
  const targets = shards.filter((s) => s.report.throughput.targetRps !== undefined);
  const targetRps = targets.length > 0 ? sum(targets, (r) => r.throughput.targetRps!) : undefined;

  merged.settings = base.shard.run;
  merged.startTime = new Date(startMs).toISOString();
  merged.endTime = new Date(endMs).toISOString();
  merged.measuredSeconds = round(seconds);
  merged.warmup = { seconds: base.shard.run.warmupSec, requests: sum(shards, (r) => r.warmup.requests) };
  const carried = sumCarried(shards.map((s) => s.report.warmup.carried));
  if (carried) merged.warmup.carried = carried;
  merged.requests = missed.length > 0 ? { ...requests, missed: sum(missed, (r) => r.requests.missed!) } : requests;
  merged.throughput = {
    rps: seconds > 0 ? round(requests.total / seconds) : 0,
    okRps: seconds > 0 ? round(requests.ok / seconds) : 0,
    ...(targetRps !== undefined ? { targetRps: round(targetRps) } : {}),
  };
  merged.errors = { ...sumErrors(shards.map((s) => s.report.errors)), rate: requests.total > 0 ? requests.errors / requests.total : 0 };

  // Summaries are read from the added histograms only: a shard's own percentiles never stand for the run.
  merged.latency = {};
  const histograms = addHistograms(shards.map((s) => s.report));
  const timeline = mergeTimelines(shards.map((s) => ({ startEpochMs: Date.parse(s.report.startTime), points: s.report.timeline })));
  merged.timeline = timeline.points;
  // Time without service is found again on the merged timeline (where every shard gave one): a
  // second is down when no shard had a success in it. Its failures count every error.
  delete merged.availability;
  if (shards.every((s) => s.report.availability?.basis === 'timeline')) {
    const windowSec = Math.max(...shards.map((s) => (Date.parse(s.report.startTime) - startMs) / 1000 + s.report.availability!.windowSec));
    merged.availability = findAvailability(timeline.points.map((p) => ({ t: p.t, ok: p.requests - p.errors, failed: p.errors })), windowSec);
  }

  const validity = combineValidity(
    shards.map((s) => ({ index: s.report.shard.index, validity: s.report.validity })),
    {
      count,
      missing,
      achievedRps: merged.throughput.rps,
      ...(targetRps !== undefined ? { targetRps } : {}),
      startSpreadSec: (Math.max(...starts) - startMs) / 1000,
    },
  );
  const thin = histograms.filter((h) => h.from < shards.length).map((h) => h.path.join('.'));
  if (thin.length > 0) validity.warnings.push(`${thin.join(', ')} came from only some shards: those figures leave the other shards' requests out`);
  if (requests.total > 0 && !histograms.some((h) => h.path.join('.') === 'histogram')) {
    validity.warnings.push('no shard kept a latency histogram (an external tool without one): latency percentiles cannot be merged and are left out');
  }
  merged.validity = validity;
  writeHistograms(merged, histograms);
  // Each figure of the merge is judged on the merged send lag, as one run's would be.
  if (merged.histogramSendLag !== undefined) judgeMergedTrust(validity, merged.latency, decodeHistogram(merged.histogramSendLag));

  // The LLM section has counts and derived figures (tokens/s, goodput) beside its histograms: its own merge recomputes them all.
  const llm = shards.map((s) => s.report.llm).filter((section): section is LlmSection => section !== undefined);
  if (llm.length > 0) {
    merged.llm = mergeLlmSections(llm, { measuredSeconds: merged.measuredSeconds, requests: requests.total });
    if (llm.length < shards.length) validity.warnings.push(`llm came from only ${llm.length} of ${shards.length} shards: its figures leave the other shards' answers out`);
  }

  const partial = [
    ...(missing.length > 0 ? [`${describeShards(missing)} of ${count} missing`] : []),
    ...shards.filter((s) => s.report.partial).map((s) => `shard ${s.report.shard.index}: ${s.report.partial}`),
  ];
  if (partial.length > 0) merged.partial = partial.join('; ');

  const withResources = shards.filter((s) => s.report.resources);
  const resources = mergeResources(
    withResources.map((s) => ({ index: s.report.shard.index, offsetSec: Math.round((Date.parse(s.report.startTime) - startMs) / 1000), resources: s.report.resources! })),
  );
  if (resources) merged.resources = resources;

  merged.notes = [
    `merged from ${shards.length} of ${count} shard reports: histograms added exactly, counts summed, timelines aligned on wall-clock seconds`,
    ...(timeline.secondsWithoutPercentiles > 0
      ? [`${timeline.secondsWithoutPercentiles} seconds of the timeline have no p50/p99: a shard answering in them kept no per-second histogram`]
      : []),
    ...unique(shards.flatMap((s) => s.report.notes)),
  ];
  merged.artifacts = [];
  merged.merge = { count, missing, shards: shards.map(describeShard) };
  return merged;
}

function describeShard({ source, report }: ShardReport): MergedShard {
  const shard: MergedShard = {
    index: report.shard.index,
    source,
    startTime: report.startTime,
    endTime: report.endTime,
    requests: { total: report.requests.total, ok: report.requests.ok, errors: report.requests.errors },
    rps: report.throughput.rps,
    latency: {
      ...(report.latency.p50 !== undefined ? { p50: report.latency.p50 } : {}),
      ...(report.latency.p99 !== undefined ? { p99: report.latency.p99 } : {}),
    },
    valid: report.validity.valid,
  };
  if (report.partial) shard.partial = report.partial;
  if (report.resources) shard.resources = report.resources;
  return shard;
}

function sumErrors(all: readonly ErrorCounts[]): ErrorCounts {
  const byKind = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, all.reduce((total, e) => total + (e.byKind[kind] ?? 0), 0)])) as ErrorCounts['byKind'];
  const statuses = new Map<string, number>();
  for (const errors of all) for (const [status, n] of Object.entries(errors.byStatus)) statuses.set(status, (statuses.get(status) ?? 0) + n);
  const byStatus = Object.fromEntries([...statuses].sort(([a], [b]) => Number(a) - Number(b)));
  const byPayloadLine = mergePayloadLines(all.flatMap((errors) => (errors.byPayloadLine ? [errors.byPayloadLine] : [])));
  const samples = mergeSamples(all.flatMap((errors) => errors.samples ?? []));
  return { byKind, byStatus, ...(byPayloadLine ? { byPayloadLine } : {}), ...(samples.length > 0 ? { samples } : {}) };
}

/** The shards' error bodies, as many per status as one process keeps. */
function mergeSamples(all: readonly ErrorSample[]): ErrorSample[] {
  const perStatus = new Map<number, number>();
  return all
    .filter((sample) => {
      const count = perStatus.get(sample.status) ?? 0;
      perStatus.set(sample.status, count + 1);
      return count < BODIES_PER_STATUS;
    })
    .sort((a, b) => a.status - b.status);
}

/** Shards hold disjoint payload lines (line i goes to shard i mod COUNT), so their failing lines add up exactly. */
function mergePayloadLines(all: readonly PayloadLineErrors[]): PayloadLineErrors | undefined {
  if (all.length === 0) return undefined;
  const worst = all.flatMap((each) => each.worst).sort(worstLineFirst);
  return { lines: all[0]!.lines, linesWithErrors: all.reduce((total, each) => total + each.linesWithErrors, 0), worst: worst.slice(0, MAX_PAYLOAD_LINES_SHOWN) };
}

function sum(shards: readonly { report: Report }[], figure: (report: Report) => number): number {
  return shards.reduce((total, s) => total + figure(s.report), 0);
}

function unique(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

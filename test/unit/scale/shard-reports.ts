import { createLatencyHistogram, encodeHistogram, recordLatencyMs, summarizeHistogram, type Histogram } from '../../../src/record/histogram.js';
import { ERROR_KINDS, type TimelinePoint } from '../../../src/record/result.js';
import type { Report, ReportSettings } from '../../../src/report/report.js';
import { seededRandom } from '../../../src/core/seeded-random.js';

/** One recorded request of a synthetic run: when it was answered (s after the shard's start) and its latency. */
export interface Sample {
  second: number;
  ms: number;
  uncorrectedMs: number;
}

/** Heavy-tailed latencies over `seconds` seconds, the same for a given seed. */
export function samples(count: number, seconds: number, seed: number): Sample[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const ms = 2 + 40 * Math.log(1 - random()) ** 2;
    return { second: Math.floor(random() * seconds), ms, uncorrectedMs: ms * (0.5 + random() / 2) };
  });
}

export const RUN_SETTINGS: ReportSettings = {
  tool: 'wrk2',
  engine: 'builtin',
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: '<redacted>' },
  payload: { origin: 'payload.jsonl', lines: 4 },
  durationSec: 10,
  warmupSec: 1,
  connections: 8,
  threads: 1,
  rate: 400,
  clients: 1,
  timeoutSec: 10,
};

export function histogramOf(values: readonly number[]): Histogram {
  const histogram = createLatencyHistogram();
  for (const ms of values) recordLatencyMs(histogram, ms);
  return histogram;
}

export interface ShardReportOptions {
  index: number;
  count: number;
  samples: readonly Sample[];
  startMs: number;
  errors?: number;
  run?: ReportSettings;
}

/** A schema-valid shard report.json holding exactly `samples` (plus `errors` failed requests without latency). */
export function shardReport(options: ShardReportOptions): Report {
  const { index, count, startMs } = options;
  const run = options.run ?? RUN_SETTINGS;
  const errors = options.errors ?? 0;
  const corrected = histogramOf(options.samples.map((s) => s.ms));
  const uncorrected = histogramOf(options.samples.map((s) => s.uncorrectedMs));
  const seconds = run.durationSec;
  const timeline: TimelinePoint[] = [];
  for (let t = 0; t < seconds; t++) {
    const inSecond = options.samples.filter((s) => s.second === t);
    const point: TimelinePoint = { t, requests: inSecond.length + (t === 0 ? errors : 0), errors: t === 0 ? errors : 0 };
    if (inSecond.length > 0) {
      const h = histogramOf(inSecond.map((s) => s.ms));
      point.p50 = h.getValueAtPercentile(50) / 1000;
      point.p99 = h.getValueAtPercentile(99) / 1000;
      point.histogram = encodeHistogram(h);
    }
    timeline.push(point);
  }
  const total = options.samples.length + errors;
  const byKind = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, kind === 'timeout' ? errors : 0])) as Report['errors']['byKind'];
  const share = run.rate / count;
  return {
    schemaVersion: '1.0',
    tool: run.tool,
    engine: { name: 'builtin', version: '0.1.0' },
    modelprofVersion: '0.1.0',
    settings: { ...run, rate: share, connections: Math.max(1, Math.floor(run.connections / count)) },
    target: { url: 'http://127.0.0.1:5001/score', method: 'POST' },
    startTime: new Date(startMs).toISOString(),
    endTime: new Date(startMs + seconds * 1000).toISOString(),
    measuredSeconds: seconds,
    warmup: { seconds: run.warmupSec, requests: 10 },
    requests: { total, ok: options.samples.length, errors },
    throughput: { rps: total / seconds, okRps: options.samples.length / seconds, targetRps: share },
    latency: summarizeHistogram(corrected),
    latencyUncorrected: summarizeHistogram(uncorrected),
    errors: { byKind, byStatus: {}, rate: total > 0 ? errors / total : 0 },
    timeline,
    validity: { valid: true, loadHeld: true, reasons: [], warnings: [], checks: { targetRps: share, achievedRps: total / seconds, timelySends: 1, maxSendLagMs: 0.2 + index / 10 } },
    histogram: encodeHistogram(corrected),
    histogramUncorrected: encodeHistogram(uncorrected),
    shard: { index, count, run },
    notes: ['latency counts from each request\'s planned send time'],
    artifacts: [],
  };
}

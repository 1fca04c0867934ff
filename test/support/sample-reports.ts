import hdr from 'hdr-histogram-js';
import { ERROR_KINDS, LATENCY_PERCENTILES, type ErrorKind, type FigureTrust, type LatencySummary, type TimelinePoint } from '../../src/record/result.js';
import type { ResourceMetric, ResourceReport } from '../../src/monitors/resources.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/report/report.js';
import type { ToolName } from '../../src/settings/settings.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { figureLabel, judgeTrust, trustedThrough, trustedUpTo, VALID_THROUGH } from '../../src/judge/trust.js';
import { createLatencyHistogram, encodeHistogram, recordLagMs, summarizeSendLag } from '../../src/record/histogram.js';

/**
 * Realistic Report objects for the report tests, shaped the way the run pipeline shapes them: latency
 * recorded into HdrHistograms (1 us .. 1 h, 3 significant digits, microseconds), summaries and the
 * per-second timeline computed from the same requests.
 */

/** One finished request, as a load generator sees it. */
export interface RequestSample {
  /** Seconds from the start of measurement at completion. */
  t: number;
  /** Latency from the planned send (the corrected figure), ms. */
  latencyMs: number;
  /** Latency from the actual send, ms; only open-loop tools have it. */
  uncorrectedMs?: number;
  /** Absent for a success. */
  error?: ErrorKind;
  status?: number;
  /** How late the generator sent it, ms (open-loop builtin runs record it). */
  sendLagMs?: number;
}

export interface ReportOptions {
  tool?: ToolName;
  url?: string;
  seconds?: number;
  targetRps?: number;
  valid?: boolean;
  /** Whether the generator delivered the load; defaults to `valid`. */
  loadHeld?: boolean;
  reasons?: string[];
  resources?: ResourceReport;
  headers?: Record<string, string>;
  notes?: string[];
  partial?: string;
  startTime?: Date;
}

export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function recordMs(histogram: hdr.Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

function summaryOf(histogram: hdr.Histogram): LatencySummary {
  if (histogram.totalCount === 0) return {};
  const summary: LatencySummary = {
    min: histogram.minNonZeroValue / 1000,
    mean: histogram.mean / 1000,
    stdev: histogram.stdDeviation / 1000,
  };
  for (const { key, percent } of LATENCY_PERCENTILES) summary[key] = histogram.getValueAtPercentile(percent) / 1000;
  summary.max = histogram.maxValue / 1000;
  return summary;
}

/** A report from individual requests: what a run of `seconds` seconds would write. */
export function buildReport(samples: RequestSample[], options: ReportOptions = {}): Report {
  const tool = options.tool ?? 'wrk2';
  const seconds = options.seconds ?? Math.max(1, Math.ceil(Math.max(0, ...samples.map((s) => s.t))));
  const corrected = newHistogram();
  const uncorrected = newHistogram();
  const hasUncorrected = samples.some((s) => s.uncorrectedMs !== undefined);
  const sendLag = createLatencyHistogram();
  for (const sample of samples) if (sample.sendLagMs !== undefined) recordLagMs(sendLag, sample.sendLagMs);
  const perSecond = new Map<number, { requests: number; errors: number; histogram: hdr.Histogram }>();
  const byKind = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
  const byStatus: Record<string, number> = {};
  let errors = 0;
  for (const sample of samples) {
    const second = Math.min(seconds - 1, Math.floor(sample.t));
    const bucket = perSecond.get(second) ?? { requests: 0, errors: 0, histogram: newHistogram() };
    perSecond.set(second, bucket);
    bucket.requests++;
    if (sample.error) {
      errors++;
      bucket.errors++;
      byKind[sample.error]++;
      if (sample.status !== undefined) byStatus[String(sample.status)] = (byStatus[String(sample.status)] ?? 0) + 1;
      continue;
    }
    recordMs(corrected, sample.latencyMs);
    recordMs(bucket.histogram, sample.latencyMs);
    if (sample.uncorrectedMs !== undefined) recordMs(uncorrected, sample.uncorrectedMs);
  }
  const timeline: TimelinePoint[] = [];
  for (let t = 0; t < seconds; t++) {
    const bucket = perSecond.get(t);
    const point: TimelinePoint = { t, requests: bucket?.requests ?? 0, errors: bucket?.errors ?? 0 };
    if (bucket && bucket.histogram.totalCount > 0) {
      point.p50 = bucket.histogram.getValueAtPercentile(50) / 1000;
      point.p99 = bucket.histogram.getValueAtPercentile(99) / 1000;
    }
    timeline.push(point);
  }
  const total = samples.length;
  const latency = summaryOf(corrected);
  const trust = sendLag.totalCount > 0 ? judgeTrust(latency, sendLag) : undefined;
  const loadHeld = options.loadHeld ?? options.valid ?? true;
  const valid = options.valid ?? (loadHeld && (trust === undefined || trustedThrough(trust, VALID_THROUGH)));
  const start = options.startTime ?? new Date('2026-11-24T10:00:00Z');
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool,
    engine: { name: 'builtin', version: '0.1.0' },
    modelprofVersion: '0.1.0',
    settings: {
      tool,
      engine: 'builtin',
      method: 'POST',
      headers: options.headers ?? { 'content-type': 'application/json', authorization: '<redacted>' },
      payload: { origin: 'payload.jsonl', lines: 3 },
      durationSec: seconds,
      warmupSec: 2,
      connections: 8,
      threads: 2,
      // The seed's defaults where the tool does not use the setting, as a real run records them.
      rate: options.targetRps ?? 50,
      clients: 1,
      timeoutSec: 10,
    },
    target: { url: options.url ?? 'http://127.0.0.1:8080/score', method: 'POST' },
    startTime: start.toISOString(),
    endTime: new Date(start.getTime() + seconds * 1000).toISOString(),
    measuredSeconds: seconds,
    warmup: { seconds: 2, requests: 0 },
    requests: { total, ok: total - errors, errors },
    throughput: {
      rps: total / seconds,
      okRps: (total - errors) / seconds,
      ...(options.targetRps !== undefined ? { targetRps: options.targetRps } : {}),
    },
    latency,
    ...(hasUncorrected ? { latencyUncorrected: summaryOf(uncorrected) } : {}),
    errors: { byKind, byStatus, rate: total === 0 ? 0 : errors / total },
    timeline,
    validity: {
      valid,
      loadHeld,
      reasons: !valid ? (options.reasons ?? [loadHeld && trust ? untrustedReason(trust) : 'only 62% of sends left on schedule (need 99%)']) : [],
      warnings: [],
      checks: options.targetRps !== undefined ? { targetRps: options.targetRps, achievedRps: total / seconds, timelySends: 0.998, maxSendLagMs: 3.2 } : {},
      ...(trust ? { sendLag: summarizeSendLag(sendLag)!, trust, trustedUpTo: trustedUpTo(trust) } : {}),
    },
    ...(corrected.totalCount > 0 ? { histogram: hdr.encodeIntoCompressedBase64(corrected) } : {}),
    ...(hasUncorrected && uncorrected.totalCount > 0 ? { histogramUncorrected: hdr.encodeIntoCompressedBase64(uncorrected) } : {}),
    ...(sendLag.totalCount > 0 ? { histogramSendLag: encodeHistogram(sendLag) } : {}),
    ...(options.resources ? { resources: options.resources } : {}),
    ...(options.partial ? { partial: options.partial } : {}),
    notes: options.notes ?? [],
    artifacts: [],
  };
  return report;
}

export interface SyntheticOptions extends ReportOptions {
  seed?: number;
  /** Median latency, ms. */
  medianMs?: number;
  /** Spread of the log-normal latency (0.2 is a tight service, 0.6 a noisy one). */
  sigma?: number;
  rps?: number;
  /** Every n-th request fails with HTTP 503. */
  errorEvery?: number;
  /** Record an uncorrected latency too (open-loop tools). */
  uncorrected?: boolean;
  /** A latency spike (x factor) during these seconds, e.g. a GC pause or a noisy neighbour. */
  spike?: { from: number; to: number; factor: number };
  /** The generator's send lag of the i-th request, ms, added to its (corrected) latency. */
  sendLag?: (i: number) => number;
}

/** A report of a run against a service with log-normal latency: the usual shape of a model server. */
export function syntheticReport(options: SyntheticOptions = {}): Report {
  const random = seededRandom(options.seed ?? 1);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const seconds = options.seconds ?? 20;
  const rps = options.rps ?? 200;
  const median = options.medianMs ?? 12;
  const sigma = options.sigma ?? 0.25;
  const samples: RequestSample[] = [];
  for (let i = 0; i < seconds * rps; i++) {
    const t = i / rps;
    const spike = options.spike && t >= options.spike.from && t < options.spike.to ? options.spike.factor : 1;
    const service = median * Math.exp(sigma * gaussian()) * spike;
    const failed = options.errorEvery !== undefined && i % options.errorEvery === options.errorEvery - 1;
    const lag = options.sendLag?.(i);
    samples.push({
      t,
      latencyMs: service + (lag ?? 0),
      ...(lag === undefined ? {} : { sendLagMs: lag }),
      ...(options.uncorrected ? { uncorrectedMs: spike > 1 ? service / spike + random() * 2 : service * 0.97 } : {}),
      ...(failed ? { error: 'http_status' as const, status: 503 } : {}),
    });
  }
  return buildReport(samples, { seconds, ...options });
}

function resourceMetric(source: string, unit: string, seconds: number, at: (t: number) => number): ResourceMetric {
  const timeline = Array.from({ length: seconds * 2 }, (_, i) => ({ t: i / 2, v: at(i / 2) }));
  const values = timeline.map((s) => s.v).sort((a, b) => a - b);
  return {
    unit,
    source,
    avg: values.reduce((a, b) => a + b, 0) / values.length,
    p50: values[Math.floor(values.length / 2)]!,
    min: values[0]!,
    max: values[values.length - 1]!,
    timeline,
  };
}

/** What the process and nvidia-smi monitors would record over `seconds` seconds. */
export function sampleResources(seconds: number): ResourceReport {
  return {
    intervalMs: 500,
    monitors: [
      { name: 'process:4242', ok: true, samples: seconds * 2 },
      { name: 'nvidia-smi', ok: true, samples: seconds * 2 },
    ],
    metrics: {
      'process.cpu_percent': resourceMetric('process:4242', '%', seconds, (t) => 110 + 40 * Math.sin(t / 3) + (t > seconds / 2 ? 20 : 0)),
      'process.cpu_machine_percent': resourceMetric('process:4242', '%', seconds, (t) => 55 + 20 * Math.sin(t / 3) + (t > seconds / 2 ? 10 : 0)),
      'process.rss_bytes': resourceMetric('process:4242', 'bytes', seconds, (t) => 1.2e9 + t * 4e6),
      'gpu.0.utilization_percent': resourceMetric('nvidia-smi', '%', seconds, (t) => 70 + 15 * Math.cos(t / 2)),
    },
  };
}

/** What judgeValidity says of a run whose load was held but whose lag reached p50..p99 (its wording, shortened). */
function untrustedReason(trust: readonly FigureTrust[]): string {
  const untrusted = trust.filter((f) => !f.trusted);
  const worst = untrusted[0]!;
  return `${untrusted.map((f) => figureLabel(f.figure)).join(', ')} ${untrusted.length === 1 ? 'is' : 'are'} not trusted: the generator's own send lag (${worst.lagMs.toFixed(3)} ms) could have moved ${figureLabel(worst.figure)} (${worst.latencyMs.toFixed(3)} ms) by more than 5% (or 0.1 ms): pin the generator to a core of its own`;
}

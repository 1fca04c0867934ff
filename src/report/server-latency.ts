import type { ResourceMetric } from '../monitors/resources.js';
import type { LatencySummary } from '../record/result.js';
import type { Report } from './report.js';
import { round } from '../core/numbers.js';

const PERCENTILES = ['p50', 'p90', 'p95', 'p99'] as const;

/** One percentile as the endpoint saw it (Azure Monitor) and as modelprof's client saw it. */
export interface LatencyComparisonRow {
  percentile: (typeof PERCENTILES)[number];
  /** Azure's per-minute RequestLatency_Pxx, averaged over the run's minutes weighted by their requests; ms. */
  serverMs?: number;
  /** modelprof's figure: coordinated-omission corrected where the tool plans sends; ms. */
  clientMs?: number;
  /** From the actual send (open-loop tools only); ms. */
  clientUncorrectedMs?: number;
}

/** What the server-side figures are, stated wherever they are shown. */
export const SERVER_LATENCY_NOTE =
  "server-side: Azure Monitor's RequestLatency_Pxx, a percentile per minute, averaged over the run's minutes weighted by requests per minute (not a percentile of the whole run); it starts and ends at the endpoint, so the client-side figure also holds the network, TLS and any queueing before the endpoint";

/**
 * Azure's server-side latency percentiles beside modelprof's client-side ones, when the report has
 * Azure Monitor figures (azure.latency_p50..p99); undefined otherwise.
 */
export function serverClientLatency(report: Report): LatencyComparisonRow[] | undefined {
  const metrics = report.resources?.metrics ?? {};
  if (!PERCENTILES.some((p) => metrics[`azure.latency_${p}`])) return undefined;
  const requests = metrics['azure.requests_per_minute'];
  return PERCENTILES.map((percentile) => {
    const row: LatencyComparisonRow = { percentile };
    const server = weightedMean(metrics[`azure.latency_${percentile}`], requests);
    if (server !== undefined) row.serverMs = server;
    const client = report.latency[percentile as keyof LatencySummary];
    if (client !== undefined) row.clientMs = client;
    const uncorrected = report.latencyUncorrected?.[percentile as keyof LatencySummary];
    if (uncorrected !== undefined) row.clientUncorrectedMs = uncorrected;
    return row;
  });
}

/** Mean of a grain metric's values, each minute weighted by that minute's requests when known. */
function weightedMean(metric: ResourceMetric | undefined, requests: ResourceMetric | undefined): number | undefined {
  if (!metric || metric.timeline.length === 0) return undefined;
  const weightAt = new Map((requests?.timeline ?? []).map((p) => [p.t, p.v]));
  let total = 0;
  let weights = 0;
  for (const point of metric.timeline) {
    const weight = weightAt.get(point.t) ?? (weightAt.size === 0 ? 1 : 0);
    total += point.v * weight;
    weights += weight;
  }
  return weights > 0 ? round(total / weights) : undefined;
}

/** Console lines: one per percentile, server beside client, and what the server figure is. */
export function formatServerClientLatency(rows: readonly LatencyComparisonRow[]): string[] {
  const ms = (value: number | undefined): string => (value === undefined ? '-' : `${value >= 100 ? value.toFixed(1) : value.toFixed(2)} ms`);
  const withUncorrected = rows.some((r) => r.clientUncorrectedMs !== undefined);
  const lines = [`Latency, server-side (Azure Monitor, 1-minute grain) vs client-side (modelprof):`];
  lines.push(`  ${''.padEnd(6)}${'server'.padStart(12)}${'client'.padStart(12)}${withUncorrected ? 'uncorrected'.padStart(14) : ''}`);
  for (const row of rows) {
    lines.push(`  ${row.percentile.padEnd(6)}${ms(row.serverMs).padStart(12)}${ms(row.clientMs).padStart(12)}${withUncorrected ? ms(row.clientUncorrectedMs).padStart(14) : ''}`);
  }
  lines.push(`  (${SERVER_LATENCY_NOTE})`);
  return lines;
}

import { setTimeout as delay } from 'node:timers/promises';
import { queryMetrics, type MetricSeries } from '../azure/metrics-client.js';
import type { AzureMonitorOptions } from './azure-monitor-options.js';
import { failureReason, type MeasurementWindow, type Monitor, type Reading, type SampleSink } from './monitor.js';

/** Azure ML publishes online endpoint metrics once a minute: every figure from here covers a whole minute. */
export const AZURE_GRAIN_MS = 60_000;

/**
 * The metrics read, by the resource that publishes them (Azure Monitor "supported metrics" for
 * Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments and .../onlineEndpoints),
 * and the report names they get. Endpoint metrics are filtered to this deployment.
 */
export const AZURE_DEPLOYMENT_METRICS = [
  { azure: 'CpuUtilizationPercentage', metric: 'azure.cpu', unit: '%' },
  { azure: 'CpuMemoryUtilizationPercentage', metric: 'azure.memory', unit: '%' },
  { azure: 'GpuUtilizationPercentage', metric: 'azure.gpu', unit: '%' },
  { azure: 'GpuMemoryUtilizationPercentage', metric: 'azure.gpu_memory', unit: '%' },
  { azure: 'GpuEnergyJoules', metric: 'azure.gpu_energy', unit: 'J' },
  { azure: 'DiskUtilization', metric: 'azure.disk', unit: '%' },
] as const;

export const AZURE_ENDPOINT_METRICS = [
  { azure: 'RequestLatency_P50', metric: 'azure.latency_p50', unit: 'ms' },
  { azure: 'RequestLatency_P90', metric: 'azure.latency_p90', unit: 'ms' },
  { azure: 'RequestLatency_P95', metric: 'azure.latency_p95', unit: 'ms' },
  { azure: 'RequestLatency_P99', metric: 'azure.latency_p99', unit: 'ms' },
  { azure: 'RequestsPerMinute', metric: 'azure.requests_per_minute', unit: 'requests/min' },
] as const;

/** The window is complete when both of these have a value for every minute (GPU metrics never come on CPU instances). */
const COMPLETENESS_METRICS = ['CpuUtilizationPercentage', 'RequestsPerMinute'];

/** A reading of one minute: `value` is Azure's Average, `peak` its Maximum when Azure gives one. */
export interface GrainReading extends Reading {
  peak?: number;
}


/**
 * Reads the deployment's utilization and the endpoint's server-side latency from Azure Monitor for
 * the minutes the run's measured window touches (PT1M grain, Average and Maximum). Azure publishes
 * metrics minutes late, so stop() waits, boundedly and with progress, until the last minute is in;
 * minutes still missing after the wait are reported, never invented.
 */
export class AzureMonitor implements Monitor {
  readonly name: string;
  readonly grainMs = AZURE_GRAIN_MS;
  private sink: SampleSink | undefined;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AzureMonitorOptions) {
    const { names } = options.deployment;
    this.name = `azure-monitor:${names.endpoint}/${names.deployment}`;
    this.waitMs = options.waitMs ?? 5 * 60_000;
    this.pollMs = options.pollMs ?? 30_000;
    this.now = options.now ?? (() => options.arm.serverNow());
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  async start(sink: SampleSink): Promise<void> {
    this.sink = sink;
  }

  async stop(window: MeasurementWindow): Promise<void> {
    const sink = this.sink!;
    const minutes = minutesOf(window);
    if (minutes.length === 0) return;
    let series: MetricSeries[];
    try {
      series = await this.waitForMinutes(minutes);
    } catch (error) {
      sink.fail(`Azure Monitor: ${failureReason(error)}`);
      return;
    }
    for (const [timeMs, readings] of readingsByMinute(series, minutes)) sink.record(timeMs, readings);
    const missing = missingMinutes(series, minutes);
    const waited = `after waiting ${formatWait(this.waitMs)}`;
    if (missing.length === minutes.length) {
      sink.fail(`Azure Monitor has no data for the run's ${minutes.length} minute(s) ${waited} (1-minute grain); try a longer AZURE_METRICS_WAIT`);
    } else if (missing.length > 0) {
      sink.fail(`Azure Monitor has no data yet for ${missing.length} of ${minutes.length} minutes (${missing.map(clock).join(', ')} UTC) ${waited}; the figures cover the other minutes`);
    }
    for (const failed of series.filter((s) => s.error !== undefined)) sink.fail(`Azure Monitor ${failed.name}: ${failed.error}`);
  }

  /**
   * Queries until every minute is in or the wait is over; returns the last answer. A minute counts
   * once it has closed on Azure's clock: before that Azure may hold a partial figure for it.
   */
  private async waitForMinutes(minutes: readonly number[]): Promise<MetricSeries[]> {
    const lastMinuteClosesAt = minutes[minutes.length - 1]! + AZURE_GRAIN_MS;
    const deadline = this.now() + this.waitMs;
    let series: MetricSeries[] = [];
    for (;;) {
      if (this.now() >= lastMinuteClosesAt) {
        series = await this.query(minutes);
        if (missingMinutes(series, minutes).length === 0) return series;
      }
      const left = deadline - this.now();
      if (left <= 0) return series;
      const have = minutes.length - missingMinutes(series, minutes).length;
      this.options.onProgress?.(
        `waiting for Azure Monitor's 1-minute metrics: ${have} of ${minutes.length} minutes in, up to ${formatWait(left)} more (AZURE_METRICS_WAIT)`,
      );
      const untilClose = lastMinuteClosesAt - this.now();
      await this.sleep(Math.max(1, Math.min(left, untilClose > 0 ? untilClose : this.pollMs)));
    }
  }

  private async query(minutes: readonly number[]): Promise<MetricSeries[]> {
    const { arm, deployment, apiVersion } = this.options;
    const span = { startMs: minutes[0]!, endMs: minutes[minutes.length - 1]! + AZURE_GRAIN_MS, interval: 'PT1M', aggregations: ['Average', 'Maximum'] as const };
    const version = apiVersion ? { apiVersion } : {};
    const [fromDeployment, fromEndpoint] = await Promise.all([
      queryMetrics(arm, { resourceId: deployment.deploymentResourceId, metricNames: AZURE_DEPLOYMENT_METRICS.map((m) => m.azure), ...span, ...version }, `the metrics of deployment "${deployment.names.deployment}"`),
      queryMetrics(
        arm,
        {
          resourceId: deployment.endpointResourceId,
          metricNames: AZURE_ENDPOINT_METRICS.map((m) => m.azure),
          filter: `deployment eq '${deployment.names.deployment.replace(/'/g, "''")}'`,
          ...span,
          ...version,
        },
        `the metrics of endpoint "${deployment.names.endpoint}"`,
      ),
    ]);
    return [...fromDeployment, ...fromEndpoint];
  }
}

/** Minute starts (epoch ms) of every minute the window touches. */
export function minutesOf(window: MeasurementWindow): number[] {
  if (window.endMs <= window.startMs) return [];
  const first = Math.floor(window.startMs / AZURE_GRAIN_MS) * AZURE_GRAIN_MS;
  const last = Math.floor((window.endMs - 1) / AZURE_GRAIN_MS) * AZURE_GRAIN_MS;
  const minutes: number[] = [];
  for (let t = first; t <= last; t += AZURE_GRAIN_MS) minutes.push(t);
  return minutes;
}

function missingMinutes(series: readonly MetricSeries[], minutes: readonly number[]): number[] {
  const sentinels = series.filter((s) => COMPLETENESS_METRICS.includes(s.name));
  if (sentinels.length < COMPLETENESS_METRICS.length) return [...minutes];
  return minutes.filter((minute) => sentinels.some((s) => s.points.find((p) => p.timeMs === minute)?.average === undefined));
}

/** Readings per minute, in the report's names and units; minutes outside `minutes` and empty grains are dropped. */
export function readingsByMinute(series: readonly MetricSeries[], minutes: readonly number[]): Map<number, GrainReading[]> {
  const catalogue = new Map<string, { metric: string; unit: string }>([...AZURE_DEPLOYMENT_METRICS, ...AZURE_ENDPOINT_METRICS].map((m) => [m.azure, m]));
  const wanted = new Set(minutes);
  const byMinute = new Map<number, GrainReading[]>();
  for (const s of series) {
    const known = catalogue.get(s.name);
    if (!known) continue;
    for (const point of s.points) {
      if (!wanted.has(point.timeMs) || point.average === undefined) continue;
      const reading: GrainReading = { metric: known.metric, unit: known.unit, value: point.average };
      if (point.maximum !== undefined) reading.peak = point.maximum;
      byMinute.set(point.timeMs, [...(byMinute.get(point.timeMs) ?? []), reading]);
    }
  }
  return new Map([...byMinute.entries()].sort(([a], [b]) => a - b));
}

function clock(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(11, 16);
}

function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60 ? `${seconds % 60}s` : ''}` : `${seconds}s`;
}

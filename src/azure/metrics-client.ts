import type { ArmClient } from './arm-client.js';

/**
 * Azure Monitor metrics through ARM: GET {resourceId}/providers/Microsoft.Insights/metrics, as
 * published in Azure/azure-rest-api-specs
 * (specification/monitor/resource-manager/Microsoft.Insights/stable/2023-10-01/metrics_API.json,
 * operation Metrics_List; shapes Response, Metric, TimeSeriesElement and MetricValue in
 * commonMonitoringTypes.json).
 */
export const DEFAULT_METRICS_API_VERSION = '2023-10-01';

export type MetricAggregation = 'Average' | 'Maximum';

export interface MetricsQuery {
  resourceId: string;
  metricNames: readonly string[];
  /** The window, epoch ms; Azure aligns it to the grain. */
  startMs: number;
  endMs: number;
  /** ISO 8601 grain; modelprof asks for PT1M, the finest Azure ML online endpoints publish. */
  interval: string;
  aggregations: readonly MetricAggregation[];
  /** An OData filter on dimensions, e.g. "deployment eq 'blue'". */
  filter?: string;
  apiVersion?: string;
}

/** One value of one grain: `timeMs` is the start of the grain; an aggregation Azure has no data for yet is absent. */
export interface MetricPoint {
  timeMs: number;
  average?: number;
  maximum?: number;
}

export interface MetricSeries {
  /** The metric's REST API name, e.g. CpuUtilizationPercentage. */
  name: string;
  /** Azure's unit name: Percent, Milliseconds, Count, ... */
  unit: string;
  points: MetricPoint[];
  /** Set when Azure could not compute this metric (errorCode other than Success). */
  error?: string;
}

/** Response, as published (fields modelprof reads). */
interface MetricsResponse {
  interval?: string;
  value?: {
    name?: { value?: string };
    unit?: string;
    errorCode?: string;
    errorMessage?: string;
    timeseries?: { data?: { timeStamp?: string; average?: number | null; maximum?: number | null }[] }[];
  }[];
}

/** Lists the metric values of one resource; several time series of a metric (dimension values) are combined per grain. */
export async function queryMetrics(arm: ArmClient, query: MetricsQuery, what: string): Promise<MetricSeries[]> {
  const parameters: Record<string, string> = {
    'api-version': query.apiVersion ?? DEFAULT_METRICS_API_VERSION,
    timespan: `${new Date(query.startMs).toISOString()}/${new Date(query.endMs).toISOString()}`,
    interval: query.interval,
    metricnames: query.metricNames.join(','),
    aggregation: query.aggregations.join(','),
  };
  if (query.filter) parameters['$filter'] = query.filter;
  const response = await arm.get<MetricsResponse>(`${query.resourceId}/providers/Microsoft.Insights/metrics`, parameters, what);
  return (response.value ?? []).map((metric) => {
    const series: MetricSeries = {
      name: metric.name?.value ?? 'unknown',
      unit: metric.unit ?? '',
      points: combine(metric.timeseries ?? []),
    };
    if (metric.errorCode && metric.errorCode !== 'Success') series.error = `${metric.errorCode}${metric.errorMessage ? `: ${metric.errorMessage.slice(0, 200)}` : ''}`;
    return series;
  });
}

/** Per grain: the mean of the series' averages and the largest maximum (one series: itself). */
function combine(timeseries: NonNullable<NonNullable<MetricsResponse['value']>[number]['timeseries']>): MetricPoint[] {
  const byTime = new Map<number, { averages: number[]; maxima: number[] }>();
  for (const element of timeseries) {
    for (const value of element.data ?? []) {
      const timeMs = value.timeStamp ? Date.parse(value.timeStamp) : Number.NaN;
      if (Number.isNaN(timeMs)) continue;
      const entry = byTime.get(timeMs) ?? { averages: [], maxima: [] };
      if (typeof value.average === 'number') entry.averages.push(value.average);
      if (typeof value.maximum === 'number') entry.maxima.push(value.maximum);
      byTime.set(timeMs, entry);
    }
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => a - b)
    .map(([timeMs, { averages, maxima }]) => {
      const point: MetricPoint = { timeMs };
      if (averages.length > 0) point.average = averages.reduce((sum, v) => sum + v, 0) / averages.length;
      if (maxima.length > 0) point.maximum = Math.max(...maxima);
      return point;
    });
}

import { TextClient } from './http-text.js';
import {
  failureReason,
  type MeasurementWindow,
  type Monitor,
  type PromQuery,
  type Reading,
  type SampleSink,
} from './monitor.js';
import { redactUrl } from '../core/redact.js';

/** Prometheus answers at most 11,000 points per series; a longer run gets a coarser step. */
const MAX_POINTS = 11_000;
const QUERY_TIMEOUT_MS = 30_000;

/**
 * Runs one PromQL range query against a Prometheus server over the run's measured window, at
 * stop(): for users whose metrics already live in Prometheus. It sees what Prometheus had scraped
 * by then, so the last scrape interval of the run may be missing. One series gives
 * `query.<name>`; several give `query.<name>{label="value",...}`, one metric per series.
 */
export class PrometheusServerMonitor implements Monitor {
  readonly name: string;
  private sink: SampleSink | undefined;
  private intervalMs = 1000;

  constructor(
    private readonly server: URL,
    private readonly query: PromQuery,
  ) {
    this.name = `prometheus-server:${redactUrl(server)} query ${query.name}`;
  }

  async start(sink: SampleSink, intervalMs: number): Promise<void> {
    this.sink = sink;
    this.intervalMs = intervalMs;
  }

  async stop(window: MeasurementWindow): Promise<void> {
    const sink = this.sink!;
    const client = new TextClient(QUERY_TIMEOUT_MS);
    try {
      const response = await client.get(this.rangeQueryUrl(window), 'application/json');
      for (const [timeMs, readings] of this.readAnswer(response.status, response.body)) sink.record(timeMs, readings);
    } catch (error) {
      sink.fail(`query ${this.query.name}: ${failureReason(error)}`);
    } finally {
      client.close();
    }
  }

  private rangeQueryUrl(window: MeasurementWindow): URL {
    const url = new URL(this.server);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/api/v1/query_range`;
    const seconds = Math.max(0, window.endMs - window.startMs) / 1000;
    const step = Math.max(this.intervalMs / 1000, seconds / MAX_POINTS);
    url.search = new URLSearchParams({
      query: this.query.promql,
      start: (window.startMs / 1000).toFixed(3),
      end: (window.endMs / 1000).toFixed(3),
      step: step.toFixed(3),
    }).toString();
    return url;
  }

  /** Turns a query_range answer into readings grouped by timestamp; throws on an error answer. */
  private readAnswer(status: number, body: string): Map<number, Reading[]> {
    let answer: RangeAnswer;
    try {
      answer = JSON.parse(body) as RangeAnswer;
    } catch {
      throw new Error(`HTTP ${status}, not a Prometheus API answer`);
    }
    if (answer.status !== 'success') {
      throw new Error(`${answer.errorType ?? `HTTP ${status}`}: ${answer.error ?? 'no reason given'}`);
    }
    if (answer.data?.resultType !== 'matrix' || !Array.isArray(answer.data.result)) {
      throw new Error(`expected a matrix answer, got ${answer.data?.resultType ?? 'nothing'}`);
    }
    const series = answer.data.result;
    const byTime = new Map<number, Reading[]>();
    for (const { metric, values } of series) {
      const name = series.length === 1 ? `query.${this.query.name}` : `query.${this.query.name}${labelSet(metric)}`;
      for (const [seconds, text] of values) {
        const value = Number(text);
        if (!Number.isFinite(value)) continue;
        const timeMs = Math.round(seconds * 1000);
        const readings = byTime.get(timeMs) ?? [];
        readings.push({ metric: name, unit: '', value });
        byTime.set(timeMs, readings);
      }
    }
    return byTime;
  }
}

interface RangeAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: {
    resultType?: string;
    result?: { metric: Record<string, string>; values: [number, string][] }[];
  };
}

function labelSet(metric: Record<string, string>): string {
  const pairs = Object.keys(metric)
    .filter((key) => key !== '__name__')
    .sort()
    .map((key) => `${key}=${JSON.stringify(metric[key])}`);
  return `{${pairs.join(',')}}`;
}

import { performance } from 'node:perf_hooks';

/** Upper bounds (seconds) of the request-duration histogram: 1 ms up to Azure's longest request timeout. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180];

const PREFIX = 'modelprof_sample_';

/** Gauges read at scrape time rather than counted. */
export interface SampleGauges {
  readonly inFlight: number;
  readonly queued: number;
}

/**
 * Counts what the sample endpoint received and answered on /score, and renders it in the
 * Prometheus text exposition format 0.0.4 so monitors can scrape it like a real deployment.
 */
export class SampleMetrics {
  /** Requests that reached /score, answered or not. */
  received = 0;
  readonly #byStatus = new Map<number, number>();
  readonly #bucketCounts: number[] = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  #durationSum = 0;
  #durationCount = 0;

  recordAnswer(status: number, seconds: number): void {
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
    this.#bucketCounts[bucket]!++;
    this.#durationSum += seconds;
    this.#durationCount++;
  }

  /** Answers by HTTP status code, e.g. { "200": 97, "429": 3 }. */
  byStatus(): Record<string, number> {
    return Object.fromEntries([...this.#byStatus].map(([status, count]) => [String(status), count]));
  }

  render(gauges: SampleGauges): string {
    const lines: string[] = [];
    family(lines, `${PREFIX}requests_received_total`, 'counter', 'Requests that reached /score, answered or not.');
    lines.push(`${PREFIX}requests_received_total ${this.received}`);

    family(lines, `${PREFIX}requests_total`, 'counter', 'Answers to /score by HTTP status code.');
    for (const [status, count] of [...this.#byStatus].sort(([a], [b]) => a - b)) {
      lines.push(`${PREFIX}requests_total{status="${escapeLabelValue(String(status))}"} ${count}`);
    }

    const histogram = `${PREFIX}request_duration_seconds`;
    family(lines, histogram, 'histogram', 'Time from a /score request arriving to its answer being written.');
    let cumulative = 0;
    DURATION_BUCKETS.forEach((bound, index) => {
      cumulative += this.#bucketCounts[index]!;
      lines.push(`${histogram}_bucket{le="${bound}"} ${cumulative}`);
    });
    cumulative += this.#bucketCounts[DURATION_BUCKETS.length]!;
    lines.push(`${histogram}_bucket{le="+Inf"} ${cumulative}`);
    lines.push(`${histogram}_sum ${this.#durationSum}`);
    lines.push(`${histogram}_count ${this.#durationCount}`);

    family(lines, `${PREFIX}requests_in_flight`, 'gauge', '/score requests received and not yet answered.');
    lines.push(`${PREFIX}requests_in_flight ${gauges.inFlight}`);
    family(lines, `${PREFIX}requests_queued`, 'gauge', '/score requests waiting for a free compute worker or for the accelerator, counting abandoned ones until they are skipped.');
    lines.push(`${PREFIX}requests_queued ${gauges.queued}`);

    const cpu = process.cpuUsage();
    family(lines, 'process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.');
    lines.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    family(lines, 'process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
    lines.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    family(lines, 'process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
    lines.push(`process_start_time_seconds ${performance.timeOrigin / 1000}`);
    return `${lines.join('\n')}\n`;
  }
}

function family(lines: string[], name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void {
  lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
}

/** Exposition format 0.0.4: in HELP text only backslash and newline are escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Exposition format 0.0.4: in label values backslash, double quote and newline are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

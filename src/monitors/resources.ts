/** One metric watched on the server side during a run. */
export interface ResourceMetric {
  unit: string;
  /** Which monitor produced it, e.g. "process:1234", "prometheus:http://127.0.0.1:9100/metrics", "nvidia-smi". */
  source: string;
  avg: number;
  p50: number;
  min: number;
  /** For grain metrics, the highest of the grains' own maxima (their `max`), else the highest sample. */
  max: number;
  /**
   * Samples on the load timeline's clock: t in seconds from the start of measurement. For grain
   * metrics t is where the grain starts (it may precede the window) and `max` is the grain's peak.
   */
  timeline: { t: number; v: number; max?: number }[];
  /** Set when each sample covers a whole grain (60 for Azure Monitor's 1-minute metrics), not an instant. */
  grainSeconds?: number;
}

export interface MonitorStatus {
  name: string;
  ok: boolean;
  /** Why the monitor failed, if it did; the load results are kept either way. */
  error?: string;
  samples: number;
}

export interface ResourceReport {
  intervalMs: number;
  monitors: MonitorStatus[];
  /**
   * Keyed by a dotted metric name; stats and timeline cover the samples inside the measured window.
   *
   * - `process.cpu_percent` (% of one core), `process.cpu_machine_percent` (% of all cores),
   *   `process.rss_bytes`, `process.threads`, `process.processes`: the watched process
   *   (`--monitor-pid`, `--serve`) and all its descendants.
   * - `host.cpu_percent`, `host.memory_used_bytes`, `host.memory_total_bytes`: the host, from
   *   node_exporter (or Triton's CPU metrics).
   * - `gpu.<id>.utilization_percent`, `gpu.<id>.memory_used_bytes`, `gpu.<id>.memory_total_bytes`,
   *   `gpu.<id>.power_watts`: per GPU, from nvidia-smi or DCGM (id = GPU index) or Triton (id = GPU uuid).
   * - `server.<server>.<field>`: an inference server's own metrics mapped to rates, gauges and
   *   per-request means (`server.vllm.requests_running`, `server.triton.queue_ms`, ...; the full
   *   list is on readKnownMetrics in src/monitors/exporter-metrics.ts).
   * - `query.<name>` (or `query.<name>{label="value",...}` when the query returns several series):
   *   a `--query name=PROMQL` range query.
   * - `azure.cpu`, `azure.memory`, `azure.gpu`, `azure.gpu_memory`, `azure.disk` (%),
   *   `azure.gpu_energy` (J), `azure.latency_p50`..`azure.latency_p99` (ms, server-side),
   *   `azure.requests_per_minute`: an Azure ML deployment from Azure Monitor, per minute
   *   (grainSeconds 60; value Average, max Maximum).
   * - `<name>@<monitor>`: the same name produced by a second monitor (two node_exporters).
   */
  metrics: Record<string, ResourceMetric>;
}

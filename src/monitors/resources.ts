/** One metric watched on the server side during a run. */
export interface ResourceMetric {
  unit: string;
  /** Which monitor produced it, e.g. "process:1234", "prometheus:http://127.0.0.1:9100/metrics", "nvidia-smi". */
  source: string;
  avg: number;
  p50: number;
  min: number;
  max: number;
  /** Samples on the load timeline's clock: t in seconds from the start of measurement. */
  timeline: { t: number; v: number }[];
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
  /** Keyed by a dotted metric name, e.g. "cpu.percent", "memory.rss_bytes", "gpu.0.utilization". */
  metrics: Record<string, ResourceMetric>;
}

import type { Reading } from './monitor.js';
import type { Exposition, PromSample } from './prometheus-text.js';

/** Two consecutive scrapes of one endpoint: counters become rates over the time between them. */
export interface ScrapePair {
  current: Exposition;
  /** Absent on the first scrape: only gauges can be read then. */
  previous?: Exposition;
  /** Seconds between the two scrapes. */
  seconds: number;
}

type Where = (labels: Readonly<Record<string, string>>) => boolean;

/**
 * Reads the metric names modelprof knows into standard report fields. Unknown names are ignored.
 *
 * - node_exporter: `host.cpu_percent` (busy share of all CPUs: every mode but idle and iowait),
 *   `host.memory_used_bytes` (MemTotal - MemAvailable), `host.memory_total_bytes`.
 * - NVIDIA DCGM exporter, per `gpu` label: `gpu.<i>.utilization_percent`, `gpu.<i>.memory_used_bytes`,
 *   `gpu.<i>.memory_total_bytes` (used + free + reserved framebuffer), `gpu.<i>.power_watts`.
 * - Triton: `server.triton.requests_per_sec`, `.failures_per_sec`, `.inferences_per_sec`,
 *   `.request_ms` and `.queue_ms` (rate of the cumulative `nv_inference_*_duration_us` counters over
 *   the rate of successful requests, i.e. the mean per request), `.pending_requests`; GPUs by
 *   uuid as `gpu.<uuid>.*`, host CPU and memory from `nv_cpu_*`.
 * - vLLM: `server.vllm.requests_running`, `.requests_waiting`, `.kv_cache_usage_percent`,
 *   `.requests_per_sec`, `.prompt_tokens_per_sec`, `.generation_tokens_per_sec`,
 *   `.time_to_first_token_ms` and `.e2e_request_latency_ms` (mean over the interval, from the
 *   histograms' _sum and _count).
 * - TorchServe: `server.torchserve.requests_per_sec`, `.inference_ms`, `.queue_ms` (mean per request).
 * - KServe model servers: `server.kserve.predict_per_sec`, `.predict_ms`, `.preprocess_ms`,
 *   `.postprocess_ms`, `.explain_ms` (mean over the interval).
 * - Any server's standard process metrics (the Prometheus client libraries' process collector):
 *   `server.process.cpu_percent` (rate of `process_cpu_seconds_total`, % of one core),
 *   `server.process.rss_bytes`, `server.process.open_fds`; Go's runtime: `server.go.goroutines`,
 *   `server.go.heap_bytes` (heap in use), `server.go.gc_pause_ms` (mean pause over the interval);
 *   Python's: `server.python.gc_collections_per_sec`. An exporter's own (node_exporter's, DCGM's)
 *   describe the exporter, not the target, and are left out.
 *
 * Series of the same metric (models, engines, label sets) are summed, except percentages of a
 * shared resource, which are averaged. A mean with no request finished in the interval is left out.
 */
export function readKnownMetrics(scrape: ScrapePair): Reading[] {
  return [
    ...nodeExporter(scrape),
    ...dcgm(scrape.current),
    ...triton(scrape),
    ...vllm(scrape),
    ...torchServe(scrape),
    ...kserve(scrape),
    ...processAndRuntime(scrape),
  ];
}

function processAndRuntime(scrape: ScrapePair): Reading[] {
  const { current } = scrape;
  // node_exporter and the DCGM exporter serve these about themselves: not the target.
  if (current.has('node_cpu_seconds_total') || current.has('DCGM_FI_DEV_GPU_UTIL')) return [];
  const cpu = rate(scrape, 'process_cpu_seconds_total', 'server.process.cpu_percent', '%');
  return [
    ...cpu.map((reading) => ({ ...reading, value: reading.value * 100 })),
    ...gauge(current, 'process_resident_memory_bytes', 'server.process.rss_bytes', 'bytes'),
    ...gauge(current, 'process_open_fds', 'server.process.open_fds', 'count'),
    ...gauge(current, 'go_goroutines', 'server.go.goroutines', 'count'),
    ...gauge(current, 'go_memstats_heap_inuse_bytes', 'server.go.heap_bytes', 'bytes'),
    ...meanPer(scrape, 'go_gc_duration_seconds_sum', 'go_gc_duration_seconds_count', 'server.go.gc_pause_ms', 1000),
    ...rate(scrape, 'python_gc_collections_total', 'server.python.gc_collections_per_sec', 'collections/s'),
  ];
}

function nodeExporter({ current, previous }: ScrapePair): Reading[] {
  const readings: Reading[] = [];
  if (previous && current.has('node_cpu_seconds_total')) {
    const all = increase(current, previous, 'node_cpu_seconds_total');
    const busy = increase(current, previous, 'node_cpu_seconds_total', (l) => l.mode !== 'idle' && l.mode !== 'iowait');
    if (all > 0) readings.push({ metric: 'host.cpu_percent', unit: '%', value: (100 * busy) / all });
  }
  const total = gaugeSum(current, 'node_memory_MemTotal_bytes');
  const available = gaugeSum(current, 'node_memory_MemAvailable_bytes');
  if (total !== undefined && available !== undefined) {
    readings.push({ metric: 'host.memory_used_bytes', unit: 'bytes', value: total - available });
    readings.push({ metric: 'host.memory_total_bytes', unit: 'bytes', value: total });
  }
  return readings;
}

const MIB = 1024 * 1024;

function dcgm(current: Exposition): Reading[] {
  const readings: Reading[] = [];
  // MIG slices of one GPU are separate series with a GPU_I_ID label.
  const gpuId = (labels: Readonly<Record<string, string>>) =>
    labels.GPU_I_ID ? `${labels.gpu}-mig${labels.GPU_I_ID}` : (labels.gpu ?? '?');
  for (const s of current.series('DCGM_FI_DEV_GPU_UTIL')) {
    readings.push({ metric: `gpu.${gpuId(s.labels)}.utilization_percent`, unit: '%', value: s.value });
  }
  for (const s of current.series('DCGM_FI_DEV_FB_USED')) {
    const id = gpuId(s.labels);
    readings.push({ metric: `gpu.${id}.memory_used_bytes`, unit: 'bytes', value: s.value * MIB });
    const sameGpu: Where = (l) => gpuId(l) === id;
    const free = gaugeSum(current, 'DCGM_FI_DEV_FB_FREE', sameGpu);
    const reserved = gaugeSum(current, 'DCGM_FI_DEV_FB_RESERVED', sameGpu) ?? 0;
    if (free !== undefined) {
      readings.push({ metric: `gpu.${id}.memory_total_bytes`, unit: 'bytes', value: (s.value + free + reserved) * MIB });
    }
  }
  for (const s of current.series('DCGM_FI_DEV_POWER_USAGE')) {
    readings.push({ metric: `gpu.${gpuId(s.labels)}.power_watts`, unit: 'W', value: s.value });
  }
  return readings;
}

function triton(scrape: ScrapePair): Reading[] {
  const { current } = scrape;
  const readings: Reading[] = [
    ...rate(scrape, 'nv_inference_request_success', 'server.triton.requests_per_sec', 'requests/s'),
    ...rate(scrape, 'nv_inference_request_failure', 'server.triton.failures_per_sec', 'requests/s'),
    ...rate(scrape, 'nv_inference_count', 'server.triton.inferences_per_sec', 'inferences/s'),
    ...meanPer(scrape, 'nv_inference_request_duration_us', 'nv_inference_request_success', 'server.triton.request_ms', 1e-3),
    ...meanPer(scrape, 'nv_inference_queue_duration_us', 'nv_inference_request_success', 'server.triton.queue_ms', 1e-3),
    ...gauge(current, 'nv_inference_pending_request_count', 'server.triton.pending_requests', 'count'),
    ...gauge(current, 'nv_cpu_utilization', 'host.cpu_percent', '%', 100),
    ...gauge(current, 'nv_cpu_memory_used_bytes', 'host.memory_used_bytes', 'bytes'),
    ...gauge(current, 'nv_cpu_memory_total_bytes', 'host.memory_total_bytes', 'bytes'),
  ];
  const perGpu: [string, string, string, number][] = [
    ['nv_gpu_utilization', 'utilization_percent', '%', 100],
    ['nv_gpu_memory_used_bytes', 'memory_used_bytes', 'bytes', 1],
    ['nv_gpu_memory_total_bytes', 'memory_total_bytes', 'bytes', 1],
    ['nv_gpu_power_usage', 'power_watts', 'W', 1],
  ];
  for (const [source, field, unit, scale] of perGpu) {
    for (const s of current.series(source)) {
      readings.push({ metric: `gpu.${s.labels.gpu_uuid ?? '?'}.${field}`, unit, value: s.value * scale });
    }
  }
  return readings;
}

function vllm(scrape: ScrapePair): Reading[] {
  const { current } = scrape;
  const kvCache = current.has('vllm:kv_cache_usage_perc') ? 'vllm:kv_cache_usage_perc' : 'vllm:gpu_cache_usage_perc';
  return [
    ...gauge(current, 'vllm:num_requests_running', 'server.vllm.requests_running', 'count'),
    ...gauge(current, 'vllm:num_requests_waiting', 'server.vllm.requests_waiting', 'count'),
    ...gaugeMean(current, kvCache, 'server.vllm.kv_cache_usage_percent', '%', 100),
    ...rate(scrape, 'vllm:request_success_total', 'server.vllm.requests_per_sec', 'requests/s'),
    ...rate(scrape, 'vllm:prompt_tokens_total', 'server.vllm.prompt_tokens_per_sec', 'tokens/s'),
    ...rate(scrape, 'vllm:generation_tokens_total', 'server.vllm.generation_tokens_per_sec', 'tokens/s'),
    ...histogramMean(scrape, 'vllm:time_to_first_token_seconds', 'server.vllm.time_to_first_token_ms', 1000),
    ...histogramMean(scrape, 'vllm:e2e_request_latency_seconds', 'server.vllm.e2e_request_latency_ms', 1000),
  ];
}

function torchServe(scrape: ScrapePair): Reading[] {
  return [
    ...rate(scrape, 'ts_inference_requests_total', 'server.torchserve.requests_per_sec', 'requests/s'),
    ...meanPer(scrape, 'ts_inference_latency_microseconds', 'ts_inference_requests_total', 'server.torchserve.inference_ms', 1e-3),
    ...meanPer(scrape, 'ts_queue_latency_microseconds', 'ts_inference_requests_total', 'server.torchserve.queue_ms', 1e-3),
  ];
}

function kserve(scrape: ScrapePair): Reading[] {
  return [
    ...rate(scrape, 'request_predict_seconds_count', 'server.kserve.predict_per_sec', 'requests/s'),
    ...histogramMean(scrape, 'request_predict_seconds', 'server.kserve.predict_ms', 1000),
    ...histogramMean(scrape, 'request_preprocess_seconds', 'server.kserve.preprocess_ms', 1000),
    ...histogramMean(scrape, 'request_postprocess_seconds', 'server.kserve.postprocess_ms', 1000),
    ...histogramMean(scrape, 'request_explain_seconds', 'server.kserve.explain_ms', 1000),
  ];
}

function gaugeSum(exposition: Exposition, name: string, where: Where = () => true): number | undefined {
  const series = exposition.series(name).filter((s) => where(s.labels));
  return series.length === 0 ? undefined : series.reduce((total, s) => total + s.value, 0);
}

function gauge(exposition: Exposition, name: string, metric: string, unit: string, scale = 1): Reading[] {
  const value = gaugeSum(exposition, name);
  return value === undefined ? [] : [{ metric, unit, value: value * scale }];
}

function gaugeMean(exposition: Exposition, name: string, metric: string, unit: string, scale: number): Reading[] {
  const series = exposition.series(name);
  if (series.length === 0) return [];
  const mean = series.reduce((total, s) => total + s.value, 0) / series.length;
  return [{ metric, unit, value: mean * scale }];
}

/**
 * How much a counter grew between two scrapes, summed over its series. A series that went down
 * was reset (server restart) and counts from zero, as in PromQL's increase(); a series that is new
 * counts whole, since it was created after the previous scrape.
 */
function increase(current: Exposition, previous: Exposition, name: string, where: Where = () => true): number {
  const before = new Map(previous.series(name).map((s) => [seriesKey(s), s.value]));
  let total = 0;
  for (const s of current.series(name)) {
    if (!where(s.labels)) continue;
    const last = before.get(seriesKey(s)) ?? 0;
    total += s.value >= last ? s.value - last : s.value;
  }
  return total;
}

function seriesKey(sample: PromSample): string {
  return Object.keys(sample.labels)
    .sort()
    .map((key) => `${key}=${sample.labels[key]}`)
    .join(',');
}

function rate(scrape: ScrapePair, counter: string, metric: string, unit: string): Reading[] {
  const { current, previous, seconds } = scrape;
  if (!previous || !current.has(counter) || seconds <= 0) return [];
  return [{ metric, unit, value: increase(current, previous, counter) / seconds }];
}

/** Mean per event over the interval, in ms: growth of a cumulative total over growth of an event count. */
function meanPer(scrape: ScrapePair, total: string, count: string, metric: string, scale: number): Reading[] {
  const { current, previous } = scrape;
  if (!previous || !current.has(total) || !current.has(count)) return [];
  const events = increase(current, previous, count);
  if (events <= 0) return [];
  return [{ metric, unit: 'ms', value: (increase(current, previous, total) / events) * scale }];
}

function histogramMean(scrape: ScrapePair, histogram: string, metric: string, scale: number): Reading[] {
  return meanPer(scrape, `${histogram}_sum`, `${histogram}_count`, metric, scale);
}

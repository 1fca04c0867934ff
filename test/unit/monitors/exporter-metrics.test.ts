import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readKnownMetrics } from '../../../src/monitors/exporter-metrics.js';
import type { Reading } from '../../../src/monitors/monitor.js';
import { Exposition, parsePrometheusText } from '../../../src/monitors/prometheus-text.js';

const exposition = (name: string) =>
  new Exposition(parsePrometheusText(readFileSync(new URL(`../../../../test/fixtures/prometheus/${name}`, import.meta.url), 'utf8')));

function byMetric(readings: readonly Reading[]): Map<string, Reading> {
  const map = new Map(readings.map((r) => [r.metric, r]));
  assert.equal(map.size, readings.length, 'a metric name was produced twice');
  return map;
}

function assertReadings(actual: readonly Reading[], expected: Record<string, [unit: string, value: number]>): void {
  const got = byMetric(actual);
  assert.deepEqual([...got.keys()].sort(), Object.keys(expected).sort());
  for (const [metric, [unit, value]] of Object.entries(expected)) {
    const reading = got.get(metric)!;
    assert.equal(reading.unit, unit, metric);
    assert.ok(Math.abs(reading.value - value) <= Math.abs(value) * 1e-9 + 1e-9, `${metric}: ${reading.value} != ${value}`);
  }
}

const MIB = 1024 * 1024;

test('reads known metrics from two scrapes of each exporter', async (t) => {
  const cases: { name: string; first: string; later: string; seconds: number; expected: Record<string, [string, number]> }[] = [
    {
      // Real node_exporter 1.5.0 scrapes, 1.02 s apart, 2 CPUs: busy = user+system+softirq deltas.
      name: 'node_exporter',
      first: 'node-exporter.txt',
      later: 'node-exporter.later.txt',
      seconds: 1.019,
      expected: {
        'host.cpu_percent': ['%', (100 * 0.07) / 2.07],
        'host.memory_used_bytes': ['bytes', 25276514304 - 24911896576],
        'host.memory_total_bytes': ['bytes', 25276514304],
      },
    },
    {
      name: 'Triton',
      first: 'triton.txt',
      later: 'triton.later.txt',
      seconds: 2,
      expected: {
        'server.triton.requests_per_sec': ['requests/s', 100],
        'server.triton.failures_per_sec': ['requests/s', 1],
        'server.triton.inferences_per_sec': ['inferences/s', 100],
        'server.triton.request_ms': ['ms', 4],
        'server.triton.queue_ms': ['ms', 0.055],
        'server.triton.pending_requests': ['count', 3],
        'host.cpu_percent': ['%', 37.5],
        'host.memory_used_bytes': ['bytes', 8724152320],
        'host.memory_total_bytes': ['bytes', 67108864000],
        'gpu.GPU-e35ba3d2-6eef-2bb9-e35c-6ef6eada4f11.utilization_percent': ['%', 87],
        'gpu.GPU-e35ba3d2-6eef-2bb9-e35c-6ef6eada4f11.memory_used_bytes': ['bytes', 2764046336],
        'gpu.GPU-e35ba3d2-6eef-2bb9-e35c-6ef6eada4f11.memory_total_bytes': ['bytes', 16101933056],
        'gpu.GPU-e35ba3d2-6eef-2bb9-e35c-6ef6eada4f11.power_watts': ['W', 71.5],
      },
    },
    {
      name: 'vLLM',
      first: 'vllm.txt',
      later: 'vllm.later.txt',
      seconds: 2,
      expected: {
        'server.vllm.requests_running': ['count', 8],
        'server.vllm.requests_waiting': ['count', 2],
        'server.vllm.kv_cache_usage_percent': ['%', 31],
        'server.vllm.requests_per_sec': ['requests/s', 15],
        'server.vllm.prompt_tokens_per_sec': ['tokens/s', 120],
        'server.vllm.generation_tokens_per_sec': ['tokens/s', 750],
        'server.vllm.time_to_first_token_ms': ['ms', 25],
        'server.vllm.e2e_request_latency_ms': ['ms', 1200],
      },
    },
    {
      name: 'TorchServe',
      first: 'torchserve.txt',
      later: 'torchserve.later.txt',
      seconds: 2,
      expected: {
        'server.torchserve.requests_per_sec': ['requests/s', 10],
        'server.torchserve.inference_ms': ['ms', 85],
        'server.torchserve.queue_ms': ['ms', 0.12],
      },
    },
    {
      name: 'KServe',
      first: 'kserve.txt',
      later: 'kserve.later.txt',
      seconds: 2,
      expected: {
        'server.kserve.predict_per_sec': ['requests/s', 10],
        'server.kserve.predict_ms': ['ms', 6],
        'server.kserve.preprocess_ms': ['ms', 0.5],
        'server.kserve.postprocess_ms': ['ms', 0.3],
        // The Python server's own process collector: 0.24 s of CPU in 2 s is 12% of a core.
        'server.process.cpu_percent': ['%', 12],
        'server.process.rss_bytes': ['bytes', 1.33435392e8],
        'server.process.open_fds': ['count', 19],
        'server.python.gc_collections_per_sec': ['collections/s', 0],
      },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assertReadings(readKnownMetrics({ current: exposition(c.later), previous: exposition(c.first), seconds: c.seconds }), c.expected);
    });
  }
});

test('a first scrape gives gauges only: rates need two', () => {
  assertReadings(readKnownMetrics({ current: exposition('dcgm-exporter.txt'), seconds: 0 }), {
    'gpu.0.utilization_percent': ['%', 87],
    'gpu.0.memory_used_bytes': ['bytes', 10194 * MIB],
    'gpu.0.memory_total_bytes': ['bytes', (10194 + 4726) * MIB],
    'gpu.0.power_watts': ['W', 63.214],
    'gpu.1.utilization_percent': ['%', 0],
    'gpu.1.memory_used_bytes': ['bytes', 0],
    'gpu.1.memory_total_bytes': ['bytes', 14923 * MIB],
    'gpu.1.power_watts': ['W', 9.893],
  });
  assertReadings(readKnownMetrics({ current: exposition('node-exporter.txt'), seconds: 0 }), {
    'host.memory_used_bytes': ['bytes', 25276514304 - 24912113664],
    'host.memory_total_bytes': ['bytes', 25276514304],
  });
});

test('counters: a reset counts from zero, a new series counts whole, vanished series are ignored', () => {
  const scrape = (text: string) => new Exposition(parsePrometheusText(text));
  const previous = scrape('ts_inference_requests_total{model_name="a"} 100\nts_inference_requests_total{model_name="gone"} 7');
  const current = scrape('ts_inference_requests_total{model_name="a"} 30\nts_inference_requests_total{model_name="new"} 10');
  assertReadings(readKnownMetrics({ current, previous, seconds: 4 }), {
    'server.torchserve.requests_per_sec': ['requests/s', (30 + 10) / 4],
  });
});

test('a mean with no request finished in the interval is left out', () => {
  const same = exposition('kserve.txt');
  const readings = byMetric(readKnownMetrics({ current: same, previous: same, seconds: 1 }));
  assert.equal(readings.get('server.kserve.predict_per_sec')?.value, 0);
  assert.equal(readings.has('server.kserve.predict_ms'), false);
});

test('MIG slices of one GPU stay apart', () => {
  const current = new Exposition(
    parsePrometheusText('DCGM_FI_DEV_GPU_UTIL{gpu="0",GPU_I_ID="1"} 40\nDCGM_FI_DEV_GPU_UTIL{gpu="0",GPU_I_ID="2"} 90'),
  );
  assertReadings(readKnownMetrics({ current, seconds: 0 }), {
    'gpu.0-mig1.utilization_percent': ['%', 40],
    'gpu.0-mig2.utilization_percent': ['%', 90],
  });
});

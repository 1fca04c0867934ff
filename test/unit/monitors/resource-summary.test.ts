import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceMetric } from '../../../src/monitors/resources.js';
import { formatResourceSummary } from '../../../src/monitors/resource-summary.js';

const metric = (unit: string, avg: number, max: number, source = 'x'): ResourceMetric => ({
  unit,
  source,
  avg,
  p50: avg,
  min: 0,
  max,
  timeline: [],
});

test('shows the main metrics (avg, max) in a fixed order, counts the others, lists failed monitors', () => {
  const lines = formatResourceSummary({
    intervalMs: 1000,
    monitors: [
      { name: 'process:42', ok: true, samples: 10 },
      { name: 'nvidia-smi', ok: true, samples: 10 },
      { name: 'prometheus:http://127.0.0.1:9100/metrics', ok: false, error: 'scrape failed: connect ECONNREFUSED (at t=3.0s)', samples: 3 },
    ],
    metrics: {
      'gpu.0.power_watts': metric('W', 250.456, 301),
      'gpu.0.utilization_percent': metric('%', 87.25, 100),
      'process.threads': metric('count', 12, 12),
      'process.rss_bytes': metric('bytes', 47_395_635, 48_234_496),
      'process.cpu_percent': metric('%', 97.04, 101.5),
      'host.memory_used_bytes': metric('bytes', 3.4 * 2 ** 30, 3.5 * 2 ** 30),
      'server.vllm.requests_running': metric('count', 3, 8),
    },
  });
  assert.deepEqual(lines, [
    'Server resources (sampled every 1000 ms):',
    '  process CPU (1 core = 100%)  avg 97.0%  max 101.5%',
    '  process memory (RSS)         avg 45.2 MiB  max 46.0 MiB',
    '  host memory used             avg 3.4 GiB  max 3.5 GiB',
    '  GPU 0 utilization            avg 87.3%  max 100.0%',
    '  GPU 0 power                  avg 250.46 W  max 301 W',
    '  2 more metrics in report.json',
    '  monitor prometheus:http://127.0.0.1:9100/metrics failed: scrape failed: connect ECONNREFUSED (at t=3.0s)',
  ]);
});

test('nothing to say without monitors; says so when monitors saw nothing in the window', () => {
  assert.deepEqual(formatResourceSummary({ intervalMs: 1000, monitors: [], metrics: {} }), []);
  assert.deepEqual(formatResourceSummary({ intervalMs: 500, monitors: [{ name: 'nvidia-smi', ok: false, error: 'nvidia-smi not found', samples: 0 }], metrics: {} }), [
    'Server resources (sampled every 500 ms):',
    '  no samples in the measured window',
    '  monitor nvidia-smi failed: nvidia-smi not found',
  ]);
});

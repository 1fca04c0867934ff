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

test('nothing to say without monitors; each monitor that saw nothing says why, on one line', () => {
  assert.deepEqual(formatResourceSummary({ intervalMs: 1000, monitors: [], metrics: {} }), []);
  const azure = "Azure Monitor has no data for the run's 1 minute(s) after waiting 1s (1-minute grain); try a longer AZURE_METRICS_WAIT (at t=2.5s)";
  const monitors = [
    { name: 'nvidia-smi', ok: false, error: 'nvidia-smi not found', samples: 0 },
    { name: 'azure-monitor:my-endpoint/blue', ok: false, error: azure, samples: 0 },
    { name: 'metrics-client', ok: false, error: 'ARM said 403:\n  {"error": "AuthorizationFailed"}', samples: 0 },
    { name: 'process:42', ok: true, samples: 0 },
  ];
  assert.deepEqual(formatResourceSummary({ intervalMs: 500, monitors, metrics: {} }), [
    'Server resources (sampled every 500 ms):',
    '  monitor nvidia-smi failed: nvidia-smi not found',
    `  monitor azure-monitor:my-endpoint/blue failed: ${azure}`,
    '  monitor metrics-client failed: ARM said 403: {"error": "AuthorizationFailed"}',
    '  monitor process:42: no sample in the measured window',
  ]);
});

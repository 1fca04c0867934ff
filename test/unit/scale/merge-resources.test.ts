import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceMetric, ResourceReport } from '../../../src/monitors/resources.js';
import { mergeResources } from '../../../src/scale/merge-resources.js';

function metric(source: string, unit: string, values: number[]): ResourceMetric {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    unit,
    source,
    avg: values.reduce((a, b) => a + b, 0) / values.length,
    p50: sorted[Math.ceil(sorted.length / 2) - 1]!,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    timeline: values.map((v, t) => ({ t, v })),
  };
}

function resources(metrics: Record<string, ResourceMetric>): ResourceReport {
  return { intervalMs: 1000, monitors: [{ name: 'prometheus:http://gpu:9400/metrics', ok: true, samples: 3 }], metrics };
}

describe('mergeResources', () => {
  const gpu = metric('prometheus:http://gpu:9400/metrics', '%', [50, 60, 70]);
  const merged = mergeResources([
    { index: 0, offsetSec: 0, resources: resources({ 'gpu.0.utilization_percent': gpu, 'process.cpu_percent': metric('process:41', '%', [10, 20, 30]), 'host.cpu_percent': metric('prometheus:http://a:9100/metrics', '%', [5, 5, 5]) }) },
    { index: 1, offsetSec: 0, resources: resources({ 'gpu.0.utilization_percent': gpu, 'process.cpu_percent': metric('process:41', '%', [1, 2, 3]) }) },
  ])!;

  it('keeps a metric every shard read from one source once, never added up', () => {
    assert.deepEqual(merged.metrics['gpu.0.utilization_percent'], gpu);
  });

  it('sums the shards\' own processes second by second', () => {
    const cpu = merged.metrics['process.cpu_percent']!;
    assert.deepEqual(cpu.timeline, [{ t: 0, v: 11 }, { t: 1, v: 22 }, { t: 2, v: 33 }]);
    assert.deepEqual([cpu.avg, cpu.min, cpu.max, cpu.source], [22, 11, 33, 'sum of 2 shards']);
  });

  it('keeps metrics only some shards had, and names every monitor by its shard', () => {
    assert.equal(merged.metrics['host.cpu_percent']!.source, 'prometheus:http://a:9100/metrics');
    assert.deepEqual(merged.monitors.map((m) => m.name), ['shard 0: prometheus:http://gpu:9400/metrics', 'shard 1: prometheus:http://gpu:9400/metrics']);
  });

  it('keeps apart, by shard, a metric that differs by source and does not add up', () => {
    const apart = mergeResources([
      { index: 0, offsetSec: 0, resources: resources({ 'host.cpu_percent': metric('prometheus:http://a:9100/metrics', '%', [5]) }) },
      { index: 1, offsetSec: 2, resources: resources({ 'host.cpu_percent': metric('prometheus:http://b:9100/metrics', '%', [7]) }) },
    ])!;
    assert.deepEqual(Object.keys(apart.metrics), ['host.cpu_percent@shard0', 'host.cpu_percent@shard1']);
    assert.deepEqual(apart.metrics['host.cpu_percent@shard1']!.timeline, [{ t: 2, v: 7 }], 'on the merge\'s clock');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildResourceReport, type MonitorRecord } from '../../../src/monitors/resource-report.js';

const START = 1_700_000_000_000;
const window = { startMs: START, endMs: START + 4000 };
const cpu = (value: number) => [{ metric: 'process.cpu_percent', unit: '%', value }];

test('stats and timeline cover the samples inside the window, on the load clock', () => {
  const record: MonitorRecord = {
    name: 'process:42',
    samples: [
      { timeMs: START - 500, readings: cpu(500) }, // warm-up: outside
      { timeMs: START, readings: cpu(10) },
      { timeMs: START + 1000, readings: cpu(40) },
      { timeMs: START + 2000, readings: cpu(20) },
      { timeMs: START + 3500, readings: cpu(30) },
      { timeMs: START + 4001, readings: cpu(900) }, // after the end: outside
    ],
  };
  const report = buildResourceReport([record], window, 1000);
  assert.deepEqual(report, {
    intervalMs: 1000,
    monitors: [{ name: 'process:42', ok: true, samples: 4 }],
    metrics: {
      'process.cpu_percent': {
        unit: '%',
        source: 'process:42',
        avg: 25,
        p50: 20,
        min: 10,
        max: 40,
        timeline: [
          { t: 0, v: 10 },
          { t: 1, v: 40 },
          { t: 2, v: 20 },
          { t: 3.5, v: 30 },
        ],
      },
    },
  });
});

test('a failed monitor is listed with its first reason, when, and how often; its samples are kept', async (t) => {
  const cases: { first: number; count: number; error: string }[] = [
    { first: START - 100, count: 1, error: 'no process with pid 42 (before measurement)' },
    { first: START + 2500, count: 3, error: 'no process with pid 42 (at t=2.5s, 3 failures in all)' },
  ];
  for (const c of cases) {
    await t.test(c.error, () => {
      const report = buildResourceReport(
        [
          {
            name: 'process:42',
            samples: [{ timeMs: START + 1000, readings: cpu(50) }],
            failures: { first: { timeMs: c.first, reason: 'no process with pid 42' }, count: c.count },
          },
        ],
        window,
        1000,
      );
      assert.deepEqual(report.monitors, [{ name: 'process:42', ok: false, error: c.error, samples: 1 }]);
      assert.equal(report.metrics['process.cpu_percent']?.max, 50);
    });
  }
});

test('the same metric from a second monitor is named after it; non-finite values are dropped', () => {
  const host = (value: number) => [{ metric: 'host.cpu_percent', unit: '%', value }];
  const report = buildResourceReport(
    [
      { name: 'prometheus:http://a:9100/metrics', samples: [{ timeMs: START + 10, readings: host(5) }] },
      {
        name: 'prometheus:http://b:9100/metrics',
        samples: [
          { timeMs: START + 10, readings: host(7) },
          { timeMs: START + 20, readings: host(Number.NaN) },
        ],
      },
    ],
    window,
    500,
  );
  assert.deepEqual(Object.keys(report.metrics), ['host.cpu_percent', 'host.cpu_percent@prometheus:http://b:9100/metrics']);
  assert.equal(report.metrics['host.cpu_percent']?.source, 'prometheus:http://a:9100/metrics');
  assert.deepEqual(report.metrics['host.cpu_percent@prometheus:http://b:9100/metrics']?.timeline, [{ t: 0.01, v: 7 }]);
});

test('p50 is an observed value (nearest rank) and values are rounded to 3 decimals', () => {
  const report = buildResourceReport(
    [
      {
        name: 'nvidia-smi',
        samples: [1, 2, 3, 4].map((v, i) => ({
          timeMs: START + i * 333.3333,
          readings: [{ metric: 'gpu.0.power_watts', unit: 'W', value: v + 0.00049 }],
        })),
      },
    ],
    window,
    333,
  );
  const power = report.metrics['gpu.0.power_watts']!;
  assert.equal(power.p50, 2);
  assert.equal(power.avg, 2.5);
  assert.deepEqual(
    power.timeline.map((p) => p.t),
    [0, 0.333, 0.667, 1],
  );
});

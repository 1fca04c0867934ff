import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMonitors } from '../../../src/monitors/session.js';

test('monitors of every kind combine in one session; the failing ones are listed, the others kept', async () => {
  const exporter = createServer((_request, response) =>
    response.end('node_memory_MemTotal_bytes 1000\nnode_memory_MemAvailable_bytes 250\n'),
  );
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  const { port } = exporter.address() as AddressInfo;
  try {
    const session = await startMonitors(
      [
        { kind: 'process', pid: process.pid },
        { kind: 'prometheus', url: new URL(`http://127.0.0.1:${port}/metrics`) },
        { kind: 'prometheus', url: new URL('http://127.0.0.1:9/metrics') },
        { kind: 'nvidia-smi', command: '/nonexistent/nvidia-smi' },
        {
          kind: 'prometheus-server',
          url: new URL('http://127.0.0.1:9'),
          queries: [
            { name: 'a', promql: 'up' },
            { name: 'b', promql: 'up' },
          ],
        },
      ],
      { intervalMs: 100 },
    );
    const startMs = Date.now();
    await sleep(450);
    const window = { startMs, endMs: Date.now() };
    const report = await session.stop(window);
    assert.equal(await session.stop(window), report, 'a second stop() returns the same report');

    assert.equal(report.intervalMs, 100);
    assert.deepEqual(
      report.monitors.map((m) => [m.name, m.ok]),
      [
        [`process:${process.pid}`, true],
        [`prometheus:http://127.0.0.1:${port}/metrics`, true],
        ['prometheus:http://127.0.0.1:9/metrics', false],
        ['nvidia-smi', false],
        ['prometheus-server:http://127.0.0.1:9/ query a', false],
        ['prometheus-server:http://127.0.0.1:9/ query b', false],
      ],
    );
    assert.deepEqual(Object.keys(report.metrics).sort(), [
      'host.memory_total_bytes',
      'host.memory_used_bytes',
      'process.cpu_machine_percent',
      'process.cpu_percent',
      'process.processes',
      'process.rss_bytes',
      'process.threads',
    ]);
    assert.equal(report.metrics['host.memory_used_bytes']!.max, 750);
    assert.ok(report.monitors[0]!.samples >= 3);
  } finally {
    exporter.close();
  }
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { totalmem } from 'node:os';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMonitors } from '../../../src/monitors/session.js';
import { startServedTarget } from '../../../src/target/served-process.js';
import { freePort } from '../../support/free-port.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

/** CI installs node_exporter (.ci/run): missing there is a failure, elsewhere a skip with the reason. */
function nodeExporterOrSkip(t: TestContext): boolean {
  if (existsSync(NODE_EXPORTER)) return true;
  const reason = `${NODE_EXPORTER} is missing (Debian package prometheus-node-exporter)`;
  if (process.env.CI === 'true') assert.fail(reason);
  t.skip(reason);
  return false;
}

test('scrapes a real node_exporter during a run, then reports it killed mid-run and keeps what it saw', async (t) => {
  if (!nodeExporterOrSkip(t)) return;
  const port = await freePort();
  const url = new URL(`http://127.0.0.1:${port}/metrics`);
  // Only the collectors read here: the others are slow or noisy in containers (systemd, hwmon...).
  const exporter = await startServedTarget(
    `${NODE_EXPORTER} --web.listen-address=127.0.0.1:${port} --collector.disable-defaults ` +
      '--collector.cpu --collector.meminfo --web.disable-exporter-metrics',
    url,
    10_000,
  );
  try {
    const session = await startMonitors([{ kind: 'prometheus', url }], { intervalMs: 250 });
    const startMs = Date.now();
    await sleep(1600);
    const killedAt = (Date.now() - startMs) / 1000;
    await exporter.stop();
    await sleep(600);
    const report = await session.stop({ startMs, endMs: Date.now() });

    const name = `prometheus:http://127.0.0.1:${port}/metrics`;
    const [status] = report.monitors;
    assert.equal(status!.name, name);
    assert.equal(status!.ok, false);
    assert.match(status!.error!, /^scrape of http:\/\/127\.0\.0\.1:\d+\/metrics failed: .*(ECONNREFUSED|ECONNRESET|socket hang up).* \(at t=\d+\.\ds(, \d+ failures in all)?\)$/);
    const failedAt = Number(/at t=(\d+\.\d)s/.exec(status!.error!)![1]);
    assert.ok(failedAt >= killedAt - 0.3, `failure at ${failedAt}s, exporter killed at ${killedAt}s`);
    assert.ok(status!.samples >= 4, `${status!.samples} samples`);

    const cpu = report.metrics['host.cpu_percent']!;
    assert.equal(cpu.source, name);
    assert.equal(cpu.unit, '%');
    assert.ok(cpu.timeline.length >= 4);
    for (const { t: at, v } of cpu.timeline) {
      assert.ok(v >= 0 && v <= 100, `host CPU ${v}%`);
      assert.ok(at >= 0, `sample at t=${at}s`);
    }
    const used = report.metrics['host.memory_used_bytes']!;
    const total = report.metrics['host.memory_total_bytes']!;
    assert.equal(total.max, totalmem(), 'MemTotal as node_exporter reads it');
    assert.ok(used.min > 0 && used.max < total.min, `used ${used.max} of ${total.min}`);
  } finally {
    await exporter.stop();
  }
});

test('an endpoint that is not an exporter is reported, not thrown', async (t) => {
  const cases: { name: string; body: string; status: number; error: RegExp }[] = [
    { name: 'HTTP error', body: 'not found', status: 404, error: /failed: HTTP 404 \(before measurement, \d+ failures in all\)$/ },
    { name: 'not the text format', body: '<html>hello</html>', status: 200, error: /failed: metrics line 1 is not Prometheus text format: <html>hello<\/html>/ },
    { name: 'no known metric', body: 'some_app_metric 1\n', status: 200, error: /serves no metric modelprof knows/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const { createServer: createHttpServer } = await import('node:http');
      const server = createHttpServer((_request, response) => response.writeHead(c.status).end(c.body));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const session = await startMonitors([{ kind: 'prometheus', url: new URL(`http://127.0.0.1:${port}/metrics`) }], {
          intervalMs: 100,
        });
        await sleep(350);
        const report = await session.stop({ startMs: Date.now() + 1000, endMs: Date.now() + 2000 });
        assert.equal(report.monitors[0]!.ok, false);
        assert.match(report.monitors[0]!.error!, c.error);
      } finally {
        server.close();
      }
    });
  }
});

test('user:password in an exporter URL is sent as basic auth and never shown', async () => {
  const { createServer: createHttpServer } = await import('node:http');
  let authorization: string | undefined;
  const server = createHttpServer((request, response) => {
    authorization = request.headers.authorization;
    response.end('node_memory_MemTotal_bytes 100\nnode_memory_MemAvailable_bytes 40\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const session = await startMonitors(
      [{ kind: 'prometheus', url: new URL(`http://scraper:s3cret@127.0.0.1:${port}/metrics?token=abc`) }],
      { intervalMs: 100 },
    );
    const startMs = Date.now();
    await sleep(250);
    const report = await session.stop({ startMs, endMs: Date.now() });
    assert.equal(authorization, `Basic ${Buffer.from('scraper:s3cret').toString('base64')}`);
    assert.equal(report.metrics['host.memory_used_bytes']?.max, 60);
    const shown = JSON.stringify(report);
    assert.doesNotMatch(shown, /s3cret|scraper|abc/);
    assert.match(shown, new RegExp(`prometheus:http://redacted:redacted@127\\.0\\.0\\.1:${port}/metrics\\?token=redacted`));
  } finally {
    server.close();
  }
});

test("the sample endpoint's own /metrics: its standard process metrics are read, not refused", async () => {
  const { startSampleServer } = await import('../../../src/sample/server.js');
  const sample = await startSampleServer({ key: 'k' });
  try {
    const session = await startMonitors([{ kind: 'prometheus', url: new URL('/metrics', sample.url) }], { intervalMs: 100 });
    const startMs = Date.now();
    await sleep(350);
    const report = await session.stop({ startMs, endMs: Date.now() });
    assert.equal(report.monitors[0]!.ok, true, report.monitors[0]!.error);
    assert.ok(report.metrics['server.process.cpu_percent']!.max >= 0);
    assert.ok(report.metrics['server.process.rss_bytes']!.min > 1_000_000, 'a Node process holds megabytes');
  } finally {
    await sample.close();
  }
});

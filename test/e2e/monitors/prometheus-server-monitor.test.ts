import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMonitors } from '../../../src/monitors/session.js';
import { startServedTarget } from '../../../src/target/served-process.js';
import { freePort } from '../../support/free-port.js';

const PROMETHEUS = '/usr/bin/prometheus';

/** CI should install Prometheus (Debian package prometheus): missing there is a failure, elsewhere a skip. */
function prometheusOrSkip(t: TestContext): boolean {
  if (existsSync(PROMETHEUS)) return true;
  const reason = `${PROMETHEUS} is missing (Debian package prometheus)`;
  if (process.env.CI === 'true') assert.fail(reason);
  t.skip(reason);
  return false;
}

/** Prometheus answers an instant query for `up` once it has scraped itself at least once. */
async function waitForFirstScrape(base: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const answer = (await (await fetch(`${base}/api/v1/query?query=up`)).json()) as { data: { result: unknown[] } };
    if (answer.data.result.length > 0) return;
    await sleep(100);
  }
  throw new Error('Prometheus did not scrape itself within 15 s');
}

test('runs PromQL range queries over the run window against a real Prometheus', async (t) => {
  if (!prometheusOrSkip(t)) return;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'modelprof-prometheus-'));
  // Prometheus scrapes itself every second: a real server with real series, nothing else needed.
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  );
  const base = `http://127.0.0.1:${port}`;
  const prometheus = await startServedTarget(
    `${PROMETHEUS} --config.file=${dir}/prometheus.yml --storage.tsdb.path=${dir}/data --web.listen-address=127.0.0.1:${port} --log.level=warn`,
    new URL(base),
    15_000,
  );
  try {
    await waitForFirstScrape(base);
    const session = await startMonitors(
      [
        {
          kind: 'prometheus-server',
          url: new URL(base),
          queries: [
            { name: 'up', promql: 'up{job="self"}' },
            { name: 'two', promql: 'up or vector(2)' },
            { name: 'broken', promql: 'rate(up[' },
          ],
        },
      ],
      { intervalMs: 500 },
    );
    const startMs = Date.now();
    await sleep(2200);
    const report = await session.stop({ startMs, endMs: Date.now() });

    const status = Object.fromEntries(report.monitors.map((m) => [m.name, m]));
    const name = (query: string) => `prometheus-server:${base}/ query ${query}`;
    assert.equal(status[name('up')]?.ok, true);
    assert.equal(status[name('two')]?.ok, true);
    assert.equal(status[name('broken')]?.ok, false);
    assert.match(status[name('broken')]!.error!, /^query broken: bad_data: .*parse error/);

    const up = report.metrics['query.up']!;
    assert.equal(up.source, name('up'));
    assert.ok(up.timeline.length >= 4, `${up.timeline.length} points`);
    assert.deepEqual([up.min, up.max], [1, 1]);
    const steps = up.timeline.map((p, i) => (i === 0 ? 0.5 : p.t - up.timeline[i - 1]!.t));
    assert.ok(steps.every((step) => Math.abs(step - 0.5) < 0.002), `steps ${steps}`);
    assert.ok(up.timeline.every((p) => p.t >= 0 && p.t <= 2.3));

    assert.equal(report.metrics[`query.two{instance="127.0.0.1:${port}",job="self"}`]?.max, 1);
    assert.equal(report.metrics['query.two{}']?.min, 2);
  } finally {
    await prometheus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Prometheus server that is down is a monitor error', async () => {
  const port = await freePort();
  const session = await startMonitors(
    [{ kind: 'prometheus-server', url: new URL(`http://127.0.0.1:${port}`), queries: [{ name: 'q', promql: 'up' }] }],
    { intervalMs: 1000 },
  );
  const startMs = Date.now();
  const report = await session.stop({ startMs, endMs: startMs + 1000 });
  assert.equal(report.monitors.length, 1);
  assert.equal(report.monitors[0]!.ok, false);
  assert.match(report.monitors[0]!.error!, /^query q: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(at t=0\.\ds\)$/);
});

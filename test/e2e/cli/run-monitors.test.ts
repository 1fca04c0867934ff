import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import { MAIN, runCli } from '../../support/cli.js';
import { freePort } from '../../support/free-port.js';
import { assertValidReport } from '../../support/report-schema.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const work = mkdtempSync(join(tmpdir(), 'modelprof-run-monitors-'));
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;

/** CI installs node_exporter (.ci/run): missing there is a failure, elsewhere a skip with the reason. */
function nodeExporterOrSkip(t: TestContext): boolean {
  if (existsSync(NODE_EXPORTER)) return true;
  const reason = `${NODE_EXPORTER} is missing (Debian package prometheus-node-exporter)`;
  if (process.env['CI'] === 'true') assert.fail(reason);
  t.skip(reason);
  return false;
}

/** Whether something listens on the port: a fresh connection, so no pooled keep-alive socket can mislead. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

let server: TestServer;
before(async () => {
  server = await startTestServer({ delayMs: 2 });
});
after(() => server.close());

describe('modelprof run with monitors', () => {
  it('keeps the whole load report when the exporter is killed mid-run, with the monitor error beside it', async (t) => {
    if (!nodeExporterOrSkip(t)) return;
    const port = await freePort();
    const exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo'], {
      stdio: 'ignore',
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      setTimeout(() => exporter.kill('SIGKILL'), 2000);
      const out = join(work, 'killed');
      const result = await runCli(['run', '--url', server.url, '--tool', 'wrk2', '-R', '100', '-d', '4s', '--warmup', '0', '--monitor-interval', '250', '--prometheus', `http://127.0.0.1:${port}/metrics`, '-o', out]);
      const report = readReport(out);
      // A monitor's death never voids the run; on a busy machine the generator's own lag may (exit 3, as the report says).
      assert.equal(result.code, report.validity.valid ? EXIT.ok : EXIT.runInvalid, result.stderr);
      assertValidReport(report);
      assert.equal(report.requests.total, 400);
      const exporterStatus = report.resources!.monitors[0]!;
      assert.equal(exporterStatus.ok, false);
      assert.match(exporterStatus.error ?? '', /\S/);
      const cpu = report.resources!.metrics['host.cpu_percent']!;
      assert.ok(cpu.timeline.length >= 3 && cpu.max >= 0 && cpu.max <= 100, JSON.stringify(cpu));
      assert.match(result.stdout, /host\.cpu_percent|CPU/i);
    } finally {
      exporter.kill('SIGKILL');
    }
  });

  it('--serve starts the sample endpoint, watches its process, and stops it after the run', async () => {
    const port = await freePort();
    const out = join(work, 'serve');
    const result = await runCli([
      'run', '--serve', `${process.execPath} ${MAIN} serve-sample --port ${port} --device-ms 0 --work-factor 1`, '--url', `http://127.0.0.1:${port}/score`,
      '--payload', '{"data": [[1,2,3,4,5,6,7,8,9,10]]}', '--tool', 'wrk', '-c', '4', '-d', '2s', '--warmup', '0', '--monitor-interval', '250', '-o', out,
    ]);
    const report = readReport(out);
    // A CPU-bound sample (no simulated accelerator), so the process monitor has CPU to see.
    // Without an SLA the exit says whether the run is valid; a busy machine's stalls may rightly void it.
    assert.equal(result.code, report.validity.valid ? EXIT.ok : EXIT.runInvalid, result.stderr);
    assertValidReport(report);
    assert.ok(report.requests.ok > 100);
    assert.ok(report.resources!.metrics['process.cpu_percent']!.max > 20, JSON.stringify(report.resources!.metrics['process.cpu_percent']));
    assert.ok(report.resources!.metrics['process.rss_bytes']!.avg > 10_000_000);
    assert.equal(await accepts(port), false, 'the served endpoint is gone after the run');
  });
});

describe('modelprof run --serve on a second Ctrl-C', () => {
  it('quits at once and takes the served command down with it', async () => {
    const port = await freePort();
    const marker = `modelprof-serve-marker-${port}`;
    // A server that takes long to come up: the second Ctrl-C lands while modelprof still waits for it.
    const serve = `sleep 30; echo ${marker}`;
    const result = await runCli(['run', '--serve', serve, '--url', `http://127.0.0.1:${port}/score`, '-d', '5s', '-o', join(work, 'twice')], {
      onStart: (pid) =>
        setTimeout(() => {
          process.kill(pid, 'SIGINT');
          // Apart, or the kernel merges the two into one. The first one alone may already have ended
          // the wait for the server (it does at once now): then there is no process to signal again.
          setTimeout(() => {
            try {
              process.kill(pid, 'SIGINT');
            } catch {
              // gone after the first signal
            }
          }, 100);
        }, 1000),
    });
    // A second signal that lands while the process is already exiting meets the kernel's default
    // action: death by SIGINT, which a shell reports as 130 too.
    assert.ok(result.code === EXIT.interrupted || result.signal === 'SIGINT', `code ${result.code}, signal ${result.signal}: ${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const survivors = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();
    assert.equal(survivors, '', 'the served command was killed on the way out');
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, TargetError } from '../../../src/core/errors.js';
import { startMonitors } from '../../../src/monitors/session.js';
import { startServedTarget } from '../../../src/target/served-process.js';
import { freePort } from '../../support/free-port.js';

/** Running (not zombie) members of a process group, as ps sees them: a check independent of the code under test. */
function groupAlive(pgid: number): boolean {
  return execFileSync('ps', ['-eo', 'pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some(([group, stat]) => group === String(pgid) && !stat!.startsWith('Z'));
}

/** A node server on `port` whose child process burns one core: a stand-in for a model server with a worker. */
function burnerServerCommand(port: number): string {
  const script =
    'const { spawn } = require("node:child_process");' +
    'spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });' +
    `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1");`;
  return `'${process.execPath}' -e '${script}'`;
}

test('--serve: starts the server, waits for its port, sees its CPU and its child, stops the whole group', async () => {
  const port = await freePort();
  const served = await startServedTarget(burnerServerCommand(port), new URL(`http://127.0.0.1:${port}/score`), 10_000);
  try {
    const answer = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(await answer.text(), 'ok');
    const session = await startMonitors([{ kind: 'process', pid: served.pid }], { intervalMs: 500 });
    const startMs = Date.now();
    await sleep(2300);
    const report = await session.stop({ startMs, endMs: Date.now() });

    assert.equal(report.monitors.length, 1);
    const [status] = report.monitors;
    assert.equal(status!.name, `process:${served.pid}`);
    assert.equal(status!.ok, true, status!.error);
    assert.ok(status!.samples >= 3 && status!.samples <= 5, `${status!.samples} samples`);
    const cpu = report.metrics['process.cpu_percent']!;
    // One core burning, on a machine shared with whatever else runs (2 cores in CI): tolerant bounds
    // that still tell one busy core from an idle tree (~0%) or a double-counted one (~200%).
    assert.ok(cpu.avg >= 50 && cpu.avg <= 130, `process CPU avg ${cpu.avg}% of one core`);
    assert.equal(cpu.unit, '%');
    assert.equal(cpu.timeline.length, status!.samples);
    const machine = report.metrics['process.cpu_machine_percent']!;
    assert.ok(Math.abs(machine.avg - cpu.avg / cpus().length) < 0.01);
    // The server and its burning child (and the shell, if it did not exec).
    assert.ok(report.metrics['process.processes']!.min >= 2, `processes: ${report.metrics['process.processes']!.min}`);
    assert.ok(report.metrics['process.threads']!.min >= 2);
    assert.ok(report.metrics['process.rss_bytes']!.min > 10 * 1024 * 1024);
  } finally {
    await served.stop();
  }
  assert.equal(groupAlive(served.pid), false, 'the burning child outlived stop()');
});

test('--serve: a server started in the background by the command (cmd &) counts as started', async () => {
  const port = await freePort();
  const command = `'${process.execPath}' -e 'require("node:http").createServer((q, s) => s.end()).listen(${port}, "127.0.0.1")' &`;
  const served = await startServedTarget(command, new URL(`http://127.0.0.1:${port}/`), 10_000);
  assert.equal(groupAlive(served.pid), true);
  await served.stop();
  await served.stop(); // a second stop is harmless
  assert.equal(groupAlive(served.pid), false);
});

test('--serve fails with a clear TargetError', async (t) => {
  const cases: { name: string; command: string; timeoutMs: number; message: RegExp }[] = [
    {
      name: 'the command exits first: quotes its last stderr line',
      command: 'echo loading >&2; echo "error: model.onnx not found" >&2; exit 3',
      timeoutMs: 10_000,
      message: /^the --serve command exited with code 3 before 127\.0\.0\.1:\d+ accepted connections; last stderr line: error: model\.onnx not found$/,
    },
    {
      name: 'the port never opens within the timeout',
      command: 'sleep 30',
      timeoutMs: 600,
      message: /^the --serve command: 127\.0\.0\.1:\d+ did not accept connections within 0\.6s \(--serve-timeout\)$/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const port = await freePort();
      const started = performance.now();
      await assert.rejects(startServedTarget(c.command, new URL(`http://127.0.0.1:${port}/`), c.timeoutMs), (error: unknown) => {
        assert.ok(error instanceof TargetError);
        assert.equal(error.code, 'MODELPROF_ERR_TARGET');
        assert.match(error.message, c.message);
        return true;
      });
      assert.ok(performance.now() - started < c.timeoutMs + 6000);
    });
  }
});

test('--serve refuses a port that something else already listens on', async () => {
  const other = createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const { port } = other.address() as AddressInfo;
  try {
    await assert.rejects(
      startServedTarget('sleep 30', new URL(`http://127.0.0.1:${port}/`), 5000),
      /already accepts connections before the server starts/,
    );
  } finally {
    other.close();
  }
});

test('the first signal during the start-up wait ends it at once: the server is stopped, one line says so', async () => {
  const port = await freePort();
  const aborter = new AbortController();
  const started = performance.now();
  setTimeout(() => aborter.abort(), 200);
  await assert.rejects(startServedTarget('exec sleep 30', new URL(`http://127.0.0.1:${port}/`), 20_000, aborter.signal), (error: Error) => {
    assert.ok(error instanceof InterruptedError, String(error));
    assert.match(error.message, /^interrupted while waiting for the --serve server to accept connections at 127\.0\.0\.1:\d+: the server was stopped and nothing was sent$/);
    return true;
  });
  // Well under the 20 s --serve-timeout (and the 15 s stop deadline), however busy the machine.
  assert.ok(performance.now() - started < 10_000, `${performance.now() - started} ms`);
});

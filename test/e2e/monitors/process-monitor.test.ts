import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseProcess, readProcessTree, type ChildLookup } from '../../../src/monitors/process-tree.js';
import { startMonitors } from '../../../src/monitors/session.js';

/** A shell with two sleeping children, the shape of a small worker tree. */
async function startTree(): Promise<{ pid: number; pids: number[] }> {
  const { pid } = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
  // The children exist once the shell ran its two `&` lines; poll rather than guess.
  for (let i = 0; i < 50; i++) {
    const tree = await readProcessTree(pid!);
    if (tree && tree.length === 3) return { pid: pid!, pids: tree.map((p) => p.pid) };
    await sleep(20);
  }
  throw new Error('the shell did not start its two children');
}

function stopTree(tree: { pids: number[] }): void {
  for (const pid of tree.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

test('reads a process and its descendants, through either way of finding children', async (t) => {
  const shell = await startTree();
  try {
    for (const lookup of ['task-files', 'proc-scan'] as ChildLookup[]) {
      await t.test(lookup, async () => {
        const tree = (await readProcessTree(shell.pid, lookup))!;
        assert.equal(tree.length, 3);
        assert.equal(tree[0]!.pid, shell.pid);
        for (const p of tree) {
          assert.ok(p.threads >= 1);
          assert.ok(p.rssBytes > 0);
          assert.ok(p.startTicks > 0);
        }
      });
    }
  } finally {
    stopTree(shell);
  }
  assert.equal(await readProcessTree(2 ** 22 + 1), undefined, 'a pid above pid_max has no process');
});

test('parses /proc/PID/stat and status lines, whatever the command name holds', async (t) => {
  // Captured from this machine (bash), and the same with a name made of parentheses and spaces.
  const tail =
    'S 3548 3577 3577 0 -1 4194560 4852 341117 0 99 1 2 627 246 20 0 1 0 27161 5251072 948 18446744073709551615 ' +
    '94491682242560 94491683031965 140730743168848 0 0 0 65536 4 1132560123 1 0 0 17 0 0 0 0 0 0';
  const status = 'Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nVmRSS:\t    4152 kB\nThreads:\t1\n';
  const cases = [
    { name: 'plain', stat: `3577 (bash) ${tail}` },
    { name: 'odd command name', stat: `3577 (a) (b c) ${tail}` },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.deepEqual(parseProcess(3577, c.stat, status), {
        pid: 3577,
        startTicks: 27161,
        cpuTicks: 3,
        threads: 1,
        rssBytes: 4152 * 1024,
      });
    });
  }
  await t.test('zombie', () => {
    assert.equal(parseProcess(3577, `3577 (bash) Z${tail.slice(1)}`, ''), undefined);
  });
});

test('an idle tree uses no CPU; a tree that exits mid-run is reported and its samples kept', async () => {
  const shell = await startTree();
  const session = await startMonitors([{ kind: 'process', pid: shell.pid }], { intervalMs: 200 });
  const startMs = Date.now();
  await sleep(700);
  stopTree(shell);
  await sleep(400);
  const report = await session.stop({ startMs, endMs: Date.now() });

  const cpu = report.metrics['process.cpu_percent']!;
  assert.ok(cpu.max < 10, `idle tree at ${cpu.max}% CPU`);
  assert.equal(report.metrics['process.processes']!.max, 3);
  const [status] = report.monitors;
  assert.equal(status!.ok, false);
  assert.match(status!.error!, new RegExp(`^process ${shell.pid} exited \\(at t=\\d\\.\\ds\\)$`));
  assert.ok(status!.samples >= 2, `${status!.samples} samples`);
});

test('a pid with no process is reported, not thrown', async () => {
  const session = await startMonitors([{ kind: 'process', pid: 2 ** 22 + 1 }], { intervalMs: 200 });
  const startMs = Date.now() + 1;
  const report = await session.stop({ startMs, endMs: startMs + 1 });
  assert.deepEqual(report.monitors, [
    { name: `process:${2 ** 22 + 1}`, ok: false, error: `no process with pid ${2 ** 22 + 1} (before measurement)`, samples: 0 },
  ]);
  assert.deepEqual(report.metrics, {});
});

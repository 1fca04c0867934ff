import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError } from '../../../src/core/errors.js';
import { parseNvidiaSmiCsv } from '../../../src/monitors/nvidia-smi-monitor.js';
import { startMonitors } from '../../../src/monitors/session.js';

const fixturePath = (name: string) => new URL(`../../../../test/fixtures/nvidia-smi/${name}`, import.meta.url);
const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');
const MIB = 1024 * 1024;

test('parses nvidia-smi CSV rows; fields a GPU does not support are left out', () => {
  const readings = parseNvidiaSmiCsv(fixture('two-gpus-lms200.csv'));
  // 10 batches of 2 GPUs: 4 readings for GPU 0, 3 for GPU 1 (power.draw is [N/A]).
  assert.equal(readings.length, 10 * 7);
  assert.deepEqual(readings.slice(28, 35), [
    { metric: 'gpu.0.utilization_percent', unit: '%', value: 100 },
    { metric: 'gpu.0.memory_used_bytes', unit: 'bytes', value: 14882 * MIB },
    { metric: 'gpu.0.memory_total_bytes', unit: 'bytes', value: 15360 * MIB },
    { metric: 'gpu.0.power_watts', unit: 'W', value: 287.95 },
    { metric: 'gpu.1.utilization_percent', unit: '%', value: 0 },
    { metric: 'gpu.1.memory_used_bytes', unit: 'bytes', value: 0 },
    { metric: 'gpu.1.memory_total_bytes', unit: 'bytes', value: 15360 * MIB },
  ]);
});

test('anything but GPU rows is a ToolError naming what nvidia-smi printed', async (t) => {
  const cases: [string, RegExp][] = [
    [fixture('driver-not-loaded.txt'), /not a GPU row: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/],
    ['0, 45, 1000, 16000', /not a GPU row: 0, 45, 1000, 16000$/],
    ['index, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W]', /not a GPU row: index/],
    ['0, busy, 1000, 16000, 70.1', /printed "busy" where a number was expected/],
  ];
  for (const [text, message] of cases) {
    await t.test(text.slice(0, 40), () => {
      assert.throws(() => parseNvidiaSmiCsv(text), (error: unknown) => error instanceof ToolError && message.test(error.message));
    });
  }
});

// No GPU on this machine: a stand-in program replays the fixture the way `nvidia-smi -lms` prints,
// checking that it was asked the right question.
const standIns = mkdtempSync(join(tmpdir(), 'modelprof-nvidia-smi-'));
after(() => rmSync(standIns, { recursive: true, force: true }));

function standIn(name: string, body: string): string {
  const path = join(standIns, name);
  writeFileSync(path, `#!${process.execPath}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('samples with one long-running nvidia-smi and stops it at the end', async () => {
  const rows = fixture('two-gpus-lms200.csv').trim().split('\n');
  const program = standIn(
    'nvidia-smi',
    `const args = process.argv.slice(2).join(' ');
if (args !== '--query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw --format=csv,noheader,nounits -lms 200') {
  console.error('unexpected arguments: ' + args);
  process.exit(2);
}
const rows = ${JSON.stringify(rows)};
let batch = 0;
const print = () => { process.stdout.write(rows.slice(batch * 2, batch * 2 + 2).join('\\n') + '\\n'); batch = (batch + 1) % 10; };
print();
setInterval(print, 200);`,
  );
  const session = await startMonitors([{ kind: 'nvidia-smi', command: program }], { intervalMs: 200 });
  const startMs = Date.now();
  await sleep(1100);
  const report = await session.stop({ startMs, endMs: Date.now() });
  assert.deepEqual(report.monitors.map((m) => [m.name, m.ok, m.error]), [['nvidia-smi', true, undefined]]);
  assert.ok(report.monitors[0]!.samples >= 4, `${report.monitors[0]!.samples} samples`);
  const util = report.metrics['gpu.0.utilization_percent']!;
  assert.equal(util.source, 'nvidia-smi');
  assert.equal(util.timeline.length, report.monitors[0]!.samples);
  assert.ok(util.max > 0);
  assert.equal(report.metrics['gpu.1.power_watts'], undefined);
  assert.equal(report.metrics['gpu.1.memory_total_bytes']!.min, 15360 * MIB);
});

test('nvidia-smi missing, failing or dying is a monitor error, never an exception', async (t) => {
  const cases: { name: string; command: string; error: RegExp }[] = [
    { name: 'not installed', command: join(standIns, 'absent', 'nvidia-smi'), error: /nvidia-smi not found \(is an NVIDIA driver installed\?\)/ },
    {
      name: 'no driver',
      command: standIn('no-driver', `process.stdout.write(${JSON.stringify(fixture('driver-not-loaded.txt'))}); process.exit(9);`),
      error: /not a GPU row: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/,
    },
    {
      name: 'dies mid-run',
      command: standIn('dies', `console.log('0, 50, 1000, 16000, 70.0'); setTimeout(() => { console.error('GPU is lost'); process.exit(15); }, 150);`),
      error: /\/dies exited with code 15: GPU is lost \(at t=0\.\ds\)$/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const session = await startMonitors([{ kind: 'nvidia-smi', command: c.command }], { intervalMs: 100 });
      await sleep(400);
      const startMs = Date.now() - 400;
      const report = await session.stop({ startMs, endMs: Date.now() });
      assert.equal(report.monitors[0]!.ok, false);
      assert.match(report.monitors[0]!.error!, c.error);
    });
  }
});

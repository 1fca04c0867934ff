import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { IntervalSampler } from '../../../src/monitors/interval-sampler.js';

test('ticks on a fixed schedule', async () => {
  const ticks: number[] = [];
  const started = performance.now();
  const sampler = new IntervalSampler(100, async () => void ticks.push(performance.now() - started));
  sampler.start();
  await sleep(1050);
  await sampler.stop();
  const shown = ticks.map(Math.round).join(', ');
  assert.ok(ticks.length >= 7 && ticks.length <= 10, `${ticks.length} ticks: ${shown}`);
  // Each tick runs in its own slot (start + k * 100 ms), never twice in one, and lateness does not
  // accumulate: the typical tick is close to its slot even after ten of them.
  const slots = ticks.map((at) => Math.floor((at + 2) / 100));
  assert.deepEqual(slots, [...new Set(slots)].sort((a, b) => a - b), `ticks at ${shown}`);
  const lateness = ticks.map((at, i) => at - slots[i]! * 100).sort((a, b) => a - b);
  assert.ok(lateness[Math.floor(lateness.length / 2)]! < 40, `ticks at ${shown}`);
});

test('a slow tick skips the missed slots instead of overlapping', async () => {
  let running = 0;
  let overlapped = false;
  let ticks = 0;
  const sampler = new IntervalSampler(50, async () => {
    overlapped ||= running > 0;
    running++;
    ticks++;
    await sleep(120);
    running--;
  });
  sampler.start();
  await sleep(700);
  await sampler.stop();
  assert.equal(overlapped, false);
  assert.ok(ticks >= 3 && ticks <= 6, `${ticks} ticks`);
  assert.equal(running, 0, 'stop() waits for the tick in progress');
});

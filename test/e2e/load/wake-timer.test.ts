import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WakeTimer } from '../../../src/load/wake-timer.js';

/** The precise wake the open-loop models send by: a ticker thread sleeping in Atomics.wait. */
describe('WakeTimer', () => {
  const now = (): number => performance.now();

  it('fires once a due time is reached, never before it, once per arming', async () => {
    const fired: number[] = [];
    let resolve: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const dues = [20, 25, 40, 41, 60].map((ms) => now() + ms);
    let next = 0;
    const timer = new WakeTimer(now, () => {
      fired.push(now());
      next++;
      if (next < dues.length) timer.arm(dues[next]!);
      else resolve();
    });
    timer.arm(dues[0]!);
    await done;
    timer.close();
    assert.equal(fired.length, dues.length);
    fired.forEach((at, i) => assert.ok(at >= dues[i]!, `fire ${i} came ${(dues[i]! - at).toFixed(3)} ms early`));
  });

  it('keeps the earlier of two armings, and an earlier one replaces a later', async () => {
    const fired: number[] = [];
    let resolve: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const timer = new WakeTimer(now, () => {
      fired.push(now());
      resolve();
    });
    // A second apart: no stall of a busy machine blurs which of the two fired.
    const late = now() + 1000;
    const early = now() + 30;
    timer.arm(late);
    timer.arm(early);
    timer.arm(late + 100);
    await done;
    // Wait past the later due times: they were replaced, so nothing more fires.
    await new Promise((r) => setTimeout(r, late + 200 - now()));
    timer.close();
    assert.equal(fired.length, 1);
    assert.ok(fired[0]! >= early && fired[0]! < late, `fired ${(fired[0]! - early).toFixed(3)} ms after the earlier due time`);
  });

  it('never fires after close', async () => {
    let fired = 0;
    const timer = new WakeTimer(now, () => fired++);
    timer.arm(now() + 30);
    timer.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fired, 0);
  });

  it('started ahead (startTickers), still fires when the run has since taken every file descriptor', async () => {
    // A ticker thread started only when the run begins must load its code then: with the sockets
    // holding the last descriptors that load fails (EMFILE) and the run crashes instead of reporting.
    const module = new URL('../../../src/load/wake-timer.js', import.meta.url).href;
    const script = `
      import { openSync } from 'node:fs';
      import { startTickers, WakeTimer } from ${JSON.stringify(module)};
      await startTickers(1);
      let taken = 0;
      try { for (;;) { openSync('/dev/null'); taken++; } } catch (error) { if (error.code !== 'EMFILE') throw error; }
      const now = () => performance.now();
      const timer = new WakeTimer(now, () => { timer.close(); console.log('fired after taking ' + taken); });
      timer.arm(now() + 5);`;
    const dir = await mkdtemp(join(tmpdir(), 'modelprof-wake-timer-'));
    try {
      const file = join(dir, 'take-every-descriptor.mjs');
      await writeFile(file, script);
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile('bash', ['-c', `ulimit -n 100; exec "${process.execPath}" "$0"`, file], (error, out, err) => (error ? reject(new Error(err)) : resolve(out))),
      );
      assert.match(stdout, /^fired after taking \d+/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

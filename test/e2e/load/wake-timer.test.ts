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

  /** A consumer as the models are: each fire handles every due time reached; resolves once all are handled. */
  function consume(dues: number[], work = (): void => {}): Promise<{ fires: number[]; handled: number[] }> {
    const fires: number[] = [];
    const handled: number[] = [];
    let handedOver = 0;
    return new Promise((resolve) => {
      const timer = new WakeTimer(now, () => {
        const at = now();
        fires.push(at);
        while (handled.length < dues.length && dues[handled.length]! <= at) handled.push(at);
        work();
        if (handled.length === dues.length) {
          timer.close();
          resolve({ fires, handled });
        }
      });
      timer.start(() => dues[handedOver++] ?? Infinity);
    });
  }

  it('fires at each due time, never before it', async () => {
    const dues = [20, 25, 40, 41, 60].map((ms) => now() + ms);
    const { fires, handled } = await consume(dues);
    handled.forEach((at, i) => assert.ok(at >= dues[i]!, `due time ${i} handled ${(dues[i]! - at).toFixed(3)} ms early`));
    // Every fire found something due: none came early.
    assert.ok(fires.length <= dues.length, `${fires.length} fires for ${dues.length} due times`);
    assert.equal(new Set(handled).size, fires.length);
  });

  it('gives a busy handler one wake per pass, not one per due time, through more due times than its ring holds', async () => {
    // 400 due times 0.25 ms apart; each handling takes 2 ms, so about 8 fall due during one.
    const start = now() + 10;
    const dues = Array.from({ length: 400 }, (_, i) => start + i * 0.25);
    const { fires, handled } = await consume(dues, () => {
      const until = now() + 2;
      while (now() < until);
    });
    assert.equal(handled.length, dues.length);
    handled.forEach((at, i) => assert.ok(at >= dues[i]!, `due time ${i} handled early`));
    assert.ok(fires.length <= 400 / 4, `${fires.length} fires for 400 due times, each handling 2 ms long`);
  });

  it('never fires after close', async () => {
    let fired = 0;
    const timer = new WakeTimer(now, () => fired++);
    let handed = false;
    timer.start(() => (handed ? Infinity : ((handed = true), now() + 30)));
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
      let handed = false;
      timer.start(() => (handed ? Infinity : ((handed = true), now() + 5)));`;
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

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProgress, ProgressLine } from '../../../src/cli/progress-line.js';
import type { Progress } from '../../../src/load/engine.js';

const measuring: Progress = { phase: 'measuring', elapsedSec: 12.4, durationSec: 300, warmupSec: 3, requests: 1230, errors: 2, rps: 98, p50Ms: 1.234, p99Ms: 12.5 };

/** A stream that keeps what was written. */
function stream(isTTY: boolean): { isTTY: boolean; written: string[]; write(text: string): boolean } {
  return { isTTY, written: [], write(text: string) { this.written.push(text); return true; } };
}

describe('formatProgress', () => {
  const cases: [name: string, progress: Progress, text: string][] = [
    ['measuring: elapsed of total, req/s, counts, p50 and p99 so far', measuring, '12/300s  98 req/s  1230 requests  2 errors  p50 1.23 ms  p99 12.5 ms'],
    ['with send lag (open loop)', { ...measuring, sendLagP99Ms: 0.42 }, '12/300s  98 req/s  1230 requests  2 errors  p50 1.23 ms  p99 12.5 ms  send lag p99 0.42 ms'],
    ['the warm-up, live', { ...measuring, phase: 'warmup', elapsedSec: 0, warmupElapsedSec: 1.25, rps: 95 }, 'warm-up 1.3/3s  95 req/s'],
    ['the end, waiting for answers', { ...measuring, phase: 'draining', elapsedSec: 300 }, '300/300s (waiting for the last answers)  98 req/s  1230 requests  2 errors  p50 1.23 ms  p99 12.5 ms'],
    ['nothing answered yet', { ...measuring, elapsedSec: 0.5, requests: 0, p50Ms: undefined, p99Ms: undefined }, '0.5/300s  98 req/s  0 requests  2 errors  p50 -  p99 -'],
    ['an external program: the time only', { ...measuring, program: 'wrk2', elapsedSec: 7 }, '7/300s  wrk2 running (it reports at the end)'],
  ];
  for (const [name, progress, text] of cases) it(name, () => assert.equal(formatProgress(progress), text));
});

describe('ProgressLine', () => {
  it('on a terminal rewrites one line at every update, and clears it', () => {
    const tty = stream(true);
    const line = new ProgressLine(tty, { everySec: 10, prefix: 'modelprof: ' });
    line.update(measuring);
    line.update({ ...measuring, elapsedSec: 12.6 });
    line.clear();
    assert.deepEqual(tty.written, [`\r\x1b[2K  ${formatProgress(measuring)}`, `\r\x1b[2K  ${formatProgress({ ...measuring, elapsedSec: 12.6 })}`, '\r\x1b[2K']);
  });

  it('without a terminal prints one plain line per interval, never a burst after a late update', () => {
    const log = stream(false);
    let now = 0;
    const line = new ProgressLine(log, { everySec: 10, prefix: 'modelprof: ', now: () => now });
    for (now = 0; now <= 25_000; now += 250) line.update(measuring);
    now = 61_000;
    line.update(measuring);
    line.clear();
    assert.deepEqual(log.written, Array(3).fill(`modelprof: progress ${formatProgress(measuring)}\n`));
  });

  it('without a terminal and an interval of 0 prints nothing', () => {
    const log = stream(false);
    let now = 0;
    const line = new ProgressLine(log, { everySec: 0, prefix: '', now: () => now });
    for (now = 0; now <= 60_000; now += 1000) line.update(measuring);
    assert.deepEqual(log.written, []);
  });
});

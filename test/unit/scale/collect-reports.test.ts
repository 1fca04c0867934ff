import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { awaitReportFiles, findReportFiles } from '../../../src/scale/collect-reports.js';
import type { WaitClock } from '../../../src/scale/start-at.js';

describe('findReportFiles', () => {
  const run = mkdtempSync(join(tmpdir(), 'modelprof-collect-'));
  for (const shard of ['shard-0', 'shard-2', 'shard-10', 'merged', 'empty']) mkdirSync(join(run, shard));
  for (const shard of ['shard-0', 'shard-2', 'shard-10', 'merged']) writeFileSync(join(run, shard, 'report.json'), '{}');

  it("takes a run folder as its shards' reports, in shard order, leaving out the merge's own output", async () => {
    assert.deepEqual(await findReportFiles([run], join(run, 'merged')), ['shard-0', 'shard-2', 'shard-10'].map((s) => ({ path: join(run, s, 'report.json'), scanned: true })));
  });
  it('takes files and shard folders as they are', async () => {
    const file = join(run, 'shard-0', 'report.json');
    assert.deepEqual(await findReportFiles([file, join(run, 'shard-2')]), [file, join(run, 'shard-2', 'report.json')].map((path) => ({ path, scanned: false })));
  });
  const twice: [what: string, inputs: string[], message: string][] = [
    ['the same file', [join(run, 'shard-0', 'report.json'), join(run, 'shard-0', 'report.json')], `${join(run, 'shard-0', 'report.json')} was given twice: give each shard's report once`],
    ['a file and its folder', [join(run, 'shard-0', 'report.json'), join(run, 'shard-0')], `${join(run, 'shard-0', 'report.json')} and ${join(run, 'shard-0')} are the same report (${join(run, 'shard-0', 'report.json')}), given twice: give each shard's report once`],
    ['one file spelled two ways', [join(run, 'shard-0', 'report.json'), `${run}/shard-2/../shard-0/report.json`], `${join(run, 'shard-0', 'report.json')} and ${run}/shard-2/../shard-0/report.json are the same report (${join(run, 'shard-0', 'report.json')}), given twice: give each shard's report once`],
  ];
  for (const [what, inputs, message] of twice) {
    it(`refuses a report named twice: ${what}`, async () => {
      await assert.rejects(findReportFiles(inputs), (error: Error) => {
        assert.equal(error.message, message);
        return true;
      });
    });
  }
  it('a file both named and found in a run folder counts as named', async () => {
    const file = join(run, 'shard-2', 'report.json');
    assert.deepEqual(await findReportFiles([run, file], join(run, 'merged')), [
      { path: join(run, 'shard-0', 'report.json'), scanned: true },
      { path: file, scanned: false },
      { path: join(run, 'shard-10', 'report.json'), scanned: true },
    ]);
  });
  it('refuses a path that does not exist, unless waiting for shards that have not written yet', async () => {
    await assert.rejects(findReportFiles([join(run, 'nope')]), (error: Error) => /nope does not exist/.test(error.message));
    assert.deepEqual(await findReportFiles([join(run, 'nope')], undefined, true), []);
  });
});

describe('awaitReportFiles', () => {
  function clock(): WaitClock & { time: number } {
    const c = { time: 0, now: () => c.time, sleep: async (ms: number) => void (c.time += ms) };
    return c;
  }

  it('returns as soon as every shard has reported', async () => {
    const c = clock();
    const files = await awaitReportFiles(async () => (c.time >= 5000 ? ['a', 'b', 'c'] : ['a']), 3, 60_000, c);
    assert.deepEqual(files, ['a', 'b', 'c']);
    assert.ok(c.time >= 5000 && c.time < 8000, `waited ${c.time} ms`);
  });

  it('gives up at the deadline with what is there, so a dead shard does not hold the merge', async () => {
    const c = clock();
    assert.deepEqual(await awaitReportFiles(async () => ['a'], 3, 30_000, c), ['a']);
    assert.equal(c.time, 30_000);
  });
});

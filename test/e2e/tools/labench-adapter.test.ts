import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ModelprofError, ToolError } from '../../../src/core/errors.js';
import { labenchAdapter } from '../../../src/tools/labench.js';
import { externalSettings, runFolder } from '../../support/external-settings.js';

/** The settings the fixtures were captured with (see test/fixtures/README.md). */
const captured = externalSettings({ tool: 'labench', rate: 100, clients: 4, durationSec: 5, timeoutSec: 1 });

describe('the LaBench adapter', () => {
  const capture = (file: string): string => fileURLToPath(new URL(`../../../../test/fixtures/labench/errors/${file}`, import.meta.url));

  test('writes a private config, keeps the output and the percentile file, reads them (stand-in replaying a capture)', async () => {
    const folder = labenchStandIn([
      `out=$(sed -n 's/^OutFile: //p' "$1")`,
      `cp "${capture('res.hgrm')}" "$out"`,
      `cat "${capture('stdout.txt')}"`,
    ]);
    const settings = externalSettings({ ...captured, headers: { Authorization: 'Bearer s3cr3t' }, toolPath: folder });
    const result = await labenchAdapter.run(settings, { runDir: settings.outputDir });
    assert.match(result.engineVersion, /^labench \(no version flag; version unknown\)$/);
    assert.equal(result.requests.total, 500);
    assert.deepEqual(result.errors.byStatus, { '400': 10, '503': 25 });
    assert.deepEqual(result.artifacts.sort(), ['labench-command.txt', 'labench-config.yaml', 'labench-res.hgrm', 'labench-stderr.txt', 'labench-stdout.txt']);
    const configPath = join(settings.outputDir, 'labench-config.yaml');
    assert.equal(statSync(configPath).mode & 0o777, 0o600);
    assert.equal((parse(readFileSync(configPath, 'utf8')) as { Duration: string }).Duration, '5s');
    assert.ok(!readFileSync(join(settings.outputDir, 'labench-command.txt'), 'utf8').includes('s3cr3t'));
    assert.ok(!readFileSync(configPath, 'utf8').includes('s3cr3t'), 'the config names the variable LaBench reads the key from');
  });

  test('no percentile file is a clear ToolError', async () => {
    const folder = labenchStandIn([`cat "${capture('stdout.txt')}"`]);
    const settings = externalSettings({ ...captured, toolPath: folder });
    await assert.rejects(labenchAdapter.run(settings, { runDir: settings.outputDir }), (error: unknown) => {
      assert.ok(error instanceof ToolError);
      assert.match(error.message, /^labench wrote no percentile file/);
      return true;
    });
  });

  test('Ctrl-C before LaBench printed its results: exit code 130, what it printed is kept', async () => {
    const folder = labenchStandIn(['echo "timeStart = 2026-11-25 10:00:00 +0000 UTC"', 'exec sleep 30']);
    const settings = externalSettings({ ...captured, toolPath: folder });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await assert.rejects(labenchAdapter.run(settings, { runDir: settings.outputDir, signal: controller.signal }), (error: unknown) => {
      assert.ok(error instanceof ModelprofError);
      assert.equal(error.code, 'MODELPROF_ERR_INTERRUPTED');
      assert.match(error.message, /^labench was stopped \(Ctrl-C\) before it printed its results/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
    assert.match(readFileSync(join(settings.outputDir, 'labench-stdout.txt'), 'utf8'), /^timeStart/);
  });
});

/**
 * A stand-in for LaBench, which cannot be built here: a script that carries LaBench's package
 * name (as discovery looks for it) and runs `body` with the config path as $1.
 */
function labenchStandIn(body: string[]): string {
  const folder = runFolder();
  writeFileSync(join(folder, 'labench'), ['#!/bin/sh', '# stand-in for labench/bench', ...body, ''].join('\n'), { mode: 0o755 });
  return folder;
}

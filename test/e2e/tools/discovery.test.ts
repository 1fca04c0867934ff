import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ToolError } from '../../../src/core/errors.js';
import { runExternal } from '../../../src/tools/registry.js';
import { discoverLabench, discoverWrkFamily } from '../../../src/tools/discovery.js';
import { readGoBuildInfo } from '../../../src/tools/go-build-info.js';
import { externalSettings, runFolder } from '../../support/external-settings.js';
import { programAvailable } from '../../support/tool-fixtures.js';

/**
 * A stand-in for wrk2, which cannot be built here: a script that answers wrk2's argument checks
 * the way wrk2 does (see test/fixtures/wrk2/no-rate), and nothing more. Its binary is named wrk.
 */
function wrk2StandIn(): string {
  const folder = runFolder();
  const script = [
    '#!/bin/sh',
    'for a in "$@"; do [ "$a" = -v ] && printf "wrk 4.0.0 [epoll] Copyright (C) 2012 Will Glozer\\n"; done',
    'case " $* " in *" -R "*|*" --rate "*) ;; *) echo "Throughput MUST be specified with the --rate or -R option" >&2 ;; esac',
    'echo "Usage: wrk <options> <url>"',
    'exit 1',
    '',
  ].join('\n');
  writeFileSync(join(folder, 'wrk'), script, { mode: 0o755 });
  return folder;
}

/** Go 1.18+ build information as the linker lays it out: 32-byte header, then two length-prefixed strings. */
function goBuildInfoBlob(goVersion: string, modinfo: string): Buffer {
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = 8;
  header[15] = 2;
  const sentinel = Buffer.alloc(16, 0x30);
  const framed = Buffer.concat([sentinel, Buffer.from(modinfo), sentinel]);
  const withLength = (data: Buffer): Buffer => Buffer.concat([Buffer.from([data.length]), data]);
  return Buffer.concat([header, withLength(Buffer.from(goVersion)), withLength(framed)]);
}

async function withPath<T>(path: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env['PATH'];
  process.env['PATH'] = path;
  try {
    return await run();
  } finally {
    process.env['PATH'] = saved;
  }
}

describe('finding wrk, wrk2 and LaBench', () => {
  test('Debian wrk is found on PATH with its version', async (t) => {
    const discovery = await discoverWrkFamily('wrk');
    if (!programAvailable(t, discovery, true)) return;
    assert.match(discovery.path!, /\/wrk$/);
    assert.match(discovery.version!, /^wrk \S+$/);
  });

  test('wrk2 is told from wrk by behaviour, though both are named wrk (stand-in wrk2)', async () => {
    const folder = wrk2StandIn();
    const wrk2 = await discoverWrkFamily('wrk2', folder);
    assert.equal(wrk2.found, true);
    assert.equal(wrk2.path, join(folder, 'wrk'));
    assert.equal(wrk2.version, 'wrk2 4.0.0');

    const wrk = await withPath(runFolder(), () => discoverWrkFamily('wrk', join(folder, 'wrk')));
    assert.equal(wrk.found, false);
    assert.match(wrk.problem!, /^wrk is not installed \(not at --tool-path \S+ nor on PATH; \S+\/wrk is wrk2, which requires -R\): install it with "apt-get install wrk"/);
  });

  test('Debian wrk is not taken for wrk2', async (t) => {
    const wrk = await discoverWrkFamily('wrk');
    if (!programAvailable(t, wrk, true)) return;
    const wrk2 = await withPath(join(wrk.path!, '..'), () => discoverWrkFamily('wrk2'));
    assert.equal(wrk2.found, false);
    assert.ok(wrk2.problem!.includes(`${wrk.path} is wrk, which runs without -R`), wrk2.problem);
  });

  test('a missing program is one clear line naming the tool and how to get it, exit code 4', async () => {
    const empty = runFolder();
    await withPath(empty, async () => {
      const problems = await Promise.all([discoverWrkFamily('wrk'), discoverWrkFamily('wrk2'), discoverLabench()]);
      assert.match(problems[0]!.problem!, /^wrk is not installed \(not on PATH\): install it with "apt-get install wrk"/);
      assert.match(problems[1]!.problem!, /^wrk2 is not installed \(not on PATH\): build it from its source \(git clone https:\/\/github\.com\/giltene\/wrk2/);
      assert.match(problems[2]!.problem!, /^labench is not installed \(not on PATH\): build it from its source \(git clone https:\/\/github\.com\/microsoft\/LaBench/);
      for (const discovery of problems) assert.doesNotMatch(discovery.problem!, /\n/);
      for (const tool of ['wrk', 'wrk2', 'labench'] as const) {
        await assert.rejects(runExternal(externalSettings({ tool }), { runDir: empty }), (error: unknown) => {
          assert.ok(error instanceof ToolError);
          assert.equal(error.code, 'MODELPROF_ERR_TOOL');
          assert.ok(error.message.startsWith(`${tool} is not installed`));
          return true;
        });
      }
    });
    const elsewhere = await withPath(empty, () => discoverWrkFamily('wrk', '/nowhere/wrk'));
    assert.match(elsewhere.problem!, /^wrk is not installed \(not at --tool-path \/nowhere\/wrk nor on PATH\)/);
  });

  test('LaBench is recognised by its package inside the binary, never run (stand-in binaries)', async () => {
    const folder = runFolder();
    const binary = Buffer.concat([
      Buffer.from('\x7fELF...labench/bench.NewBenchmark...'),
      goBuildInfoBlob('go1.19.8', 'path\tlabench\nmod\tlabench\t(devel)\t\nbuild\tvcs.revision=062bcb8d1e2f\n'),
    ]);
    writeFileSync(join(folder, 'labench'), binary, { mode: 0o755 });
    const found = await discoverLabench(folder);
    assert.equal(found.found, true);
    assert.equal(found.version, 'labench rev 062bcb8 (no version flag; built with go1.19.8)');

    const impostor = join(runFolder(), 'sub');
    mkdirSync(impostor);
    writeFileSync(join(impostor, 'labench'), '#!/bin/sh\necho hello\n');
    chmodSync(join(impostor, 'labench'), 0o755);
    const missing = await withPath(runFolder(), () => discoverLabench(impostor));
    assert.equal(missing.found, false);
    assert.match(missing.problem!, /labench does not look like LaBench\): build it from its source/);
  });
});

describe('readGoBuildInfo', () => {
  test('reads the Go version, module version and revision', () => {
    const blob = goBuildInfoBlob('go1.21.3', 'path\tlabench\nmod\tlabench\tv1.2.0\th1:abc=\nbuild\tvcs.revision=deadbeef\n');
    assert.deepEqual(readGoBuildInfo(Buffer.concat([Buffer.alloc(40), blob])), { goVersion: 'go1.21.3', moduleVersion: 'v1.2.0', vcsRevision: 'deadbeef' });
  });
  test('a GOPATH build has only the Go version', () => {
    assert.deepEqual(readGoBuildInfo(goBuildInfoBlob('go1.19.8', '')), { goVersion: 'go1.19.8' });
  });
  test('no build information, or the pre-1.18 pointer layout, gives undefined', () => {
    assert.equal(readGoBuildInfo(Buffer.from('just bytes')), undefined);
    const old = goBuildInfoBlob('go1.16', '');
    old[15] = 0;
    assert.equal(readGoBuildInfo(old), undefined);
  });
});

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SettingsError, ToolError } from '../../../src/core/errors.js';
import { discoverTools, runExternal } from '../../../src/tools/registry.js';
import { discoverLabench, discoverWrkFamily } from '../../../src/tools/discovery.js';
import { readGoBuildInfo } from '../../../src/tools/go-build-info.js';
import { externalSettings, runFolder } from '../../support/external-settings.js';
import { programAvailable } from '../../support/tool-fixtures.js';

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

  test('the real wrk2 is found on PATH as wrk2, told from wrk by behaviour though both print "wrk" for -v', async (t) => {
    const wrk2 = await discoverWrkFamily('wrk2');
    if (!programAvailable(t, wrk2, true)) return;
    assert.equal(wrk2.version, 'wrk2 4.0.0');
    // Named wrk in a folder of its own (as its build leaves it), it is still wrk2, and not wrk.
    const folder = runFolder();
    symlinkSync(wrk2.path!, join(folder, 'wrk'));
    const byFolder = await withPath(runFolder(), () => discoverWrkFamily('wrk2', `wrk2=${folder}`));
    assert.equal(byFolder.path, join(folder, 'wrk'));
    await assert.rejects(
      withPath(runFolder(), () => discoverWrkFamily('wrk', `wrk=${join(folder, 'wrk')}`)),
      (error: unknown) => error instanceof SettingsError && /^--tool-path wrk=\S+\/wrk is not wrk: \S+\/wrk is wrk2 \(wrk 4\.0\.0\), which requires -R$/.test(error.message),
    );
  });

  test('Debian wrk is not taken for wrk2', async (t) => {
    const wrk = await discoverWrkFamily('wrk');
    if (!programAvailable(t, wrk, true)) return;
    const wrk2 = await withPath(join(wrk.path!, '..'), () => discoverWrkFamily('wrk2'));
    assert.equal(wrk2.found, false);
    assert.match(wrk2.problem!, new RegExp(`${wrk.path} is wrk \\(wrk [^)]+\\), which runs without -R`));
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
    assert.match(missing.problem!, /labench does not look like LaBench \(no labench\/bench package inside\)\): build it from its source/);
  });

  test('the real LaBench is found on PATH, with the Go version it was built with', async (t) => {
    const labench = await discoverLabench();
    if (!programAvailable(t, labench, true)) return;
    assert.match(labench.version!, /^labench .*\(no version flag; built with go1\.\d+/);
  });
});

describe('--tool-path: one program per tool, checked, never a silent fall-back', () => {
  const notExecutable = join(runFolder(), 'wrk');
  writeFileSync(notExecutable, 'not a program\n', { mode: 0o644 });
  const refused: [string, string, () => Promise<unknown>, RegExp][] = [
    ['a path that does not exist', '/nonexistent', () => discoverWrkFamily('wrk', '/nonexistent'), /^--tool-path \/nonexistent: no such file or folder$/],
    ['a program that is not wrk', '/bin/true', () => discoverWrkFamily('wrk', '/bin/true'), /^--tool-path \/bin\/true is not wrk: \/bin\/true does not print wrk's version for -v$/],
    ['a program that is not wrk2', 'wrk2=/bin/true', () => discoverWrkFamily('wrk2', 'wrk2=/bin/true'), /^--tool-path wrk2=\/bin\/true is not wrk2: /],
    ['a program that is not LaBench', 'labench=/bin/true', () => discoverLabench('labench=/bin/true'), /^--tool-path labench=\/bin\/true is not labench: \/bin\/true does not look like LaBench/],
    ['a file that is not executable', 'wrk=…/wrk', () => discoverWrkFamily('wrk', `wrk=${notExecutable}`), /^--tool-path wrk=\S+\/wrk: not an executable file$/],
    ['a folder without the program', 'wrk2=/tmp', () => discoverWrkFamily('wrk2', 'wrk2=/tmp'), /^--tool-path wrk2=\/tmp: that folder holds no executable wrk2 or wrk$/],
    ['an unknown tool', 'ab=/usr/bin/ab', () => discoverWrkFamily('wrk', 'ab=/usr/bin/ab'), /^--tool-path "ab=\/usr\/bin\/ab": ab is not one of wrk, wrk2, labench$/],
    ['an empty entry', 'wrk=', () => discoverWrkFamily('wrk', 'wrk='), /^--tool-path "wrk=" has an empty entry/],
  ];
  for (const [name, given, discover, message] of refused) {
    test(`${name} (${given}) is a settings error (exit 2), on one line`, async () => {
      await assert.rejects(discover(), (error: unknown) => {
        assert.ok(error instanceof SettingsError, String(error));
        assert.equal(error.code, 'MODELPROF_ERR_SETTINGS');
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('a run with a wrong --tool-path stops before anything is sent (exit 2), even with the tool on PATH', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    for (const toolPath of ['/nonexistent', '/bin/true']) {
      await assert.rejects(runExternal(externalSettings({ tool: 'wrk', toolPath }), { runDir: runFolder() }), SettingsError);
    }
  });

  test('TOOL=PATH for each tool, with none of them on PATH', async (t) => {
    const [wrk, wrk2, labench] = await Promise.all([discoverWrkFamily('wrk'), discoverWrkFamily('wrk2'), discoverLabench()]);
    if (!programAvailable(t, wrk, true) || !programAvailable(t, wrk2, true) || !programAvailable(t, labench, true)) return;
    const spec = `wrk=${wrk.path},wrk2=${wrk2.path},labench=${labench.path}`;
    const found = await withPath(runFolder(), () => discoverTools(spec));
    assert.deepEqual(found.map((discovery) => discovery.path), [wrk.path, wrk2.path, labench.path]);
    // A plain file names one tool's program: for every tool at once it is refused.
    await assert.rejects(discoverTools(wrk2.path), /is a program: say which tool it is \(e\.g\. --tool-path wrk2=/);
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

import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { wrk2Adapter } from '../../../src/tools/wrk2.js';
import { externalSettings, runFolder } from '../../support/external-settings.js';

/** The settings the fixtures were captured with (see test/fixtures/README.md). */
function capturedSettings(folder: string) {
  const twoThreads = folder.endsWith('two-threads');
  return externalSettings({
    tool: 'wrk2',
    durationSec: 15,
    rate: twoThreads ? 400 : 200,
    threads: twoThreads ? 2 : 1,
    connections: twoThreads ? 8 : 4,
    timeoutSec: folder.endsWith('timeouts') ? 1 : 10,
  });
}

describe('the wrk2 adapter', () => {
  test('writes a private script, passes the rate, keeps the output and reads it (stand-in wrk2 replaying a capture)', async () => {
    // A stand-in that answers wrk2's argument checks and prints a real capture, to see the arguments it gets.
    const folder = runFolder();
    const capture = fileURLToPath(new URL('../../../../test/fixtures/wrk2/modelprof-errors/stdout.txt', import.meta.url));
    const script = [
      '#!/bin/sh',
      'case " $* " in *" -v "*) echo "wrk 4.0.0 [epoll] Copyright (C) 2012 Will Glozer"; exit 1 ;; esac',
      `case " $* " in *" --rate "*) printf '%s\\n' "$@" > "${join(folder, 'args.txt')}"; cat "${capture}"; exit 0 ;; esac`,
      'echo "Throughput MUST be specified with the --rate or -R option" >&2',
      'exit 1',
      '',
    ].join('\n');
    writeFileSync(join(folder, 'wrk'), script, { mode: 0o755 });
    const settings = externalSettings({
      ...capturedSettings('errors'),
      url: new URL('http://127.0.0.1:27401/score?code=k3y'),
      headers: { Authorization: 'Bearer s3cr3t' },
      toolPath: folder,
    });
    const result = await wrk2Adapter.run(settings, { runDir: settings.outputDir });
    assert.equal(result.engineVersion, 'wrk2 4.0.0');
    assert.equal(result.requests.total, 3000);
    assert.deepEqual(result.artifacts.sort(), ['wrk2-command.txt', 'wrk2-script.lua', 'wrk2-stderr.txt', 'wrk2-stdout.txt']);
    const args = readFileSync(join(folder, 'args.txt'), 'utf8').split('\n');
    assert.deepEqual(args.slice(8, 12), ['--rate', '200', '--latency', '--u_latency']);
    assert.equal(args[14], 'http://127.0.0.1:27401/score');
    assert.ok(!args.join(' ').includes('s3cr3t') && !args.join(' ').includes('k3y'));
    const scriptPath = join(settings.outputDir, 'wrk2-script.lua');
    assert.equal(statSync(scriptPath).mode & 0o777, 0o600);
    // Secrets reach wrk2 through its environment, never through the script in the output folder.
    const written = readFileSync(scriptPath, 'utf8');
    assert.match(written, /wrk\.headers\["Authorization"\] = os\.getenv\("MODELPROF_SECRET_0"\)/);
    assert.match(written, /wrk\.path = os\.getenv\("MODELPROF_REQUEST_TARGET"\)/);
    assert.ok(!written.includes('s3cr3t') && !written.includes('k3y'));
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import { runCli } from '../../support/cli.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

// A full disk after the load (/dev/full answers every write with ENOSPC) must not lose the result:
// the summary is printed, the other files written, no temporary file left, and the exit code (5)
// says an output is missing, not that nothing was sent. (An output path that cannot be written is
// refused before the load: see refusals-cli.test.ts.)

const work = mkdtempSync(join(tmpdir(), 'modelprof-outputs-'));
let server: TestServer;
before(async () => (server = await startTestServer()));
after(() => server.close());

const load = (out: string, ...args: string[]): string[] => ['run', '--url', server.url, '--tool', 'wrk2', '-R', '50', '-d', '0.3s', '--warmup', '0', '-o', out, ...args];

describe('a write that fails after the load', { concurrency: true }, () => {
  it('a report.json that cannot be written: the summary is printed, the rest written, exit 5', async () => {
    const out = join(work, 'full');
    mkdirSync(out);
    symlinkSync('/dev/full', join(out, 'report.json'));
    const result = await runCli(load(out, '--junit', join(out, 'junit.xml')));
    assert.equal(result.code, EXIT.outputFailed, result.stderr);
    assert.match(result.stderr, /modelprof: cannot write .*report\.json \(ENOSPC\)\n/);
    assert.match(result.stdout, /^requests +\d+ sent/m, 'the summary is printed');
    assert.match(result.stdout, /report: .*report\.json \(NOT WRITTEN\)\n/);
    assert.ok(existsSync(join(out, 'report.html')) && existsSync(join(out, 'junit.xml')), 'the other outputs are written');
    assert.deepEqual(readdirSync(out).filter((name) => name.endsWith('.tmp')), [], 'no temporary file left behind');
  });

  it('a --junit that fails after the load still prints the JSON report, exit 5', async () => {
    const out = join(work, 'junit-full');
    const result = await runCli(load(out, '--junit', '/dev/full', '--json'));
    assert.equal(result.code, EXIT.outputFailed, result.stderr);
    assert.match(result.stderr, /cannot write \/dev\/full \(ENOSPC\)/);
    assert.ok((JSON.parse(result.stdout) as Report).requests.total > 0);
    assert.ok(readFileSync(join(out, 'report.json'), 'utf8').length > 0);
  });
});

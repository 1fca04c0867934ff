import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { syntheticReport } from '../../support/sample-reports.js';
import { runCli } from '../../support/cli.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

// The real CLI against a server that counts what it receives: each bad input is one line on stderr,
// exit 2, and not one request sent. One case per path to the exit code; the messages of every
// refusal are unit-tested in test/unit/settings/refusals.test.ts.

const folder = mkdtempSync(join(tmpdir(), 'modelprof-refusals-cli-'));
const bomb = join(folder, 'bomb.yml');
writeFileSync(bomb, ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n'));
const good = join(folder, 'good.json');
writeFileSync(good, JSON.stringify(syntheticReport({ seconds: 3 })));
const damaged = join(folder, 'damaged.json');
writeFileSync(damaged, JSON.stringify({ ...syntheticReport({ seconds: 3 }), histogram: 'AAAA' }));

let server: TestServer;
before(async () => (server = await startTestServer()));
after(() => server.close());

it('refuses bad files and settings with one line and exit 2, sending nothing', async () => {
  const load = (...args: string[]): string[] => ['run', '--url', server.url, '-d', '1s', '--warmup', '0', '-o', join(folder, 'out'), ...args];
  const cases: [args: string[], message: RegExp][] = [
    [['run', '-f', bomb], /^modelprof: job file ".*bomb.yml" is not usable YAML: its aliases expand far beyond the file/],
    [['compare', good, damaged], /^modelprof: .*damaged.json: not a valid modelprof report: histogram is not an HdrHistogram V2/],
    [['find-max', '--url', server.url, '--start-rate', '100', '--max-rate', '10', '--sla', 'p99<1s'], /^modelprof: --max-rate \(10\) is below --start-rate \(100\)/],
    [load('--tool', 'wrk2', '-R', '1e12'), /^modelprof: --rate must be at most 1,000,000 req\/s/],
    [load('-t', '256', '-c', '256'), /^modelprof: 256 threads \(THREAD\) exceed 4 per core/],
    [load('--junit', join(folder, 'missing', 'junit.xml')), /^modelprof: --junit ".*junit\.xml": its folder .*missing does not exist\n/],
    [load('--junit', folder), /^modelprof: --junit ".*": it cannot be written \(EISDIR\)\n/],
    // Node's recursive mkdir never returns under /proc: the folder is made one level at a time.
    [load('-o', '/proc/modelprof-probe/out'), /^modelprof: --output "\/proc\/modelprof-probe\/out" cannot be used \(ENOENT\)/],
  ];
  // Concurrently: each is a short-lived process that must refuse before its first request.
  const results = await Promise.all(cases.map(([args]) => runCli(args)));
  results.forEach((result, i) => {
    const [args, message] = cases[i]!;
    assert.equal(result.code, EXIT.badSettings, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  });
  assert.equal(server.received(), 0, 'nothing was sent');
});

it('a missing program is said before the run is announced: one line, exit 4, nothing sent', async () => {
  // An empty folder as PATH (node runs by its full path): no wrk, wrk2 or labench.
  const empty = mkdtempSync(join(tmpdir(), 'modelprof-no-tools-'));
  const result = await runCli(['run', '--url', server.url, '--tool', 'labench', '--engine', 'external', '-R', '5', '-d', '5s', '-o', join(folder, 'out')], { env: { PATH: empty } });
  assert.equal(result.code, EXIT.toolError, result.stderr);
  assert.match(result.stderr, /^modelprof: labench is not installed \(not on PATH\): build it from its source/);
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line, no "profiling for 5s": ${result.stderr}`);
  assert.equal(server.received(), 0, 'nothing was sent');
});

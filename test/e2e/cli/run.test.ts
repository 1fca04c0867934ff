import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import { runCli } from '../../support/cli.js';
import { assertValidReport } from '../../support/report-schema.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const work = mkdtempSync(join(tmpdir(), 'modelprof-cli-'));
const emptyPayload = join(work, 'empty.txt');
writeFileSync(emptyPayload, '');
let server: TestServer;
before(async () => {
  server = await startTestServer({ delayMs: 2 });
});
after(() => server.close());

function jobFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
/**
 * A run without an SLA exits 0 when valid and 3 when not: on a busy machine the generator's own lag
 * may rightly void a run against a 2 ms server, and the exit code must say what the report says.
 */
const exitForVerdict = (report: Report): number => (report.validity.valid ? EXIT.ok : EXIT.runInvalid);

describe('modelprof run: bad settings stop before any request with one line and exit 2', () => {
  const cases: [name: string, args: string[], env: Record<string, string>, message: RegExp][] = [
    ['no target', [], {}, /no target: set --url/],
    ['an unknown tool', ['--tool', 'ab'], {}, /--tool must be one of wrk, wrk2, labench, got "ab"/],
    ['an unknown PROFILING_TOOL', [], { PROFILING_TOOL: 'k6' }, /PROFILING_TOOL must be one of/],
    ['a rate of 0', ['--rate', '0'], {}, /--rate must be a number greater than 0/],
    ['TARGET_RPS below 0', [], { TARGET_RPS: '-1' }, /TARGET_RPS must be a number greater than 0/],
    ['fewer connections than threads', ['-c', '2', '-t', '4'], {}, /--connections \(2\) must be at least --threads \(4\)/],
    ['a header without a colon', ['-H', 'Bearer abc123'], {}, /--header must be "Name: value"/],
    ['SCORING_HEADERS that is not a JSON object', [], { SCORING_HEADERS: '42' }, /SCORING_HEADERS must be a JSON object/],
    ['an empty payload file', ['--payload-file', emptyPayload], {}, /--payload-file ".*" is empty/],
    ['an unreadable payload file', ['--payload-file', join(work, 'missing.txt')], {}, /--payload-file ".*" cannot be read \(ENOENT\)/],
    ['a URL that is not http(s)', ['--url', 'file:///etc/passwd'], {}, /--url must be an http:\/\/ or https:\/\/ URL/],
    ['a bad DURATION', [], { DURATION: 'forever' }, /DURATION must be a duration/],
    ['a timeout shorter than the millisecond it is enforced to', ['--timeout', '0.5ms'], {}, /--timeout must be at least 1ms \(timeouts are enforced to the millisecond\), got "0.5ms"/],
    ['an unknown flag', ['--connectoins', '3'], {}, /unknown option '--connectoins' \(Did you mean --connections\?\)/],
    ['an SLA that does not parse', ['--sla', 'p99 <= fast'], {}, /--sla/],
    ['a job file with an unknown key', ['-f', jobFile('typo.yml', 'setings:\n  rate: 5\n')], {}, /unknown key "setings" \(did you mean "settings"\?\)/],
    ['a rate the closed loop (wrk) would ignore', ['-R', '100', '-d', '3s'], {}, /--rate is not used by wrk \(a closed loop.*\); it is read by wrk2 and labench$/m],
    ['connections labench would ignore', ['--tool', 'labench', '-c', '8'], {}, /--connections is not used by labench .*; it is read by wrk and wrk2$/m],
    ['a duration the real wrk cannot take, before the run is announced', ['--engine', 'external', '-d', '2.5s'], {}, /duration must be a whole number of seconds for wrk/],
    ['a --monitor-pid of no process', ['--monitor-pid', '999999999'], {}, /--monitor-pid 999999999: no such process/],
    ['a --set on an unknown key', ['--set', 'settings.rat=5'], {}, /--set: unknown key "settings.rat" \(did you mean "settings.rate"\?\)/],
  ];
  // Each case is a program start and no load: two at once (one a core) halve their wall time.
  describe('each case', { concurrency: 2 }, () => {
    for (const [name, args, env, message] of cases) {
      it(name, async () => {
        const needsUrl = name !== 'no target' && !args.includes('--url');
        const result = await runCli(['run', ...(needsUrl ? ['--url', server.url] : []), '-o', join(work, 'bad'), ...args], { env });
        assert.equal(result.code, EXIT.badSettings, result.stderr);
        assert.match(result.stderr, message);
        assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
        assert.match(result.stderr, /^modelprof: /);
        assert.equal(result.stdout, '');
      });
    }
  });
  it('sent nothing for any of them', () => assert.equal(server.received(), 0));
});

describe('modelprof run against a real server', () => {
  it('never shows keys: not in the console, not in --json, not in report.json', async () => {
    const out = join(work, 'secrets');
    const secrets = ['TOPSECRET-bearer-1', 'apikey-SECRET-2', 'urlcode-SECRET-3'];
    const args = ['run', '--url', `${server.url}?code=${secrets[2]}`, '-H', `Authorization: Bearer ${secrets[0]}`, '-d', '1s', '--warmup', '0', '-o', out];
    const env = { SCORING_HEADERS: `{"api-key": "${secrets[1]}"}` };
    for (const extra of [[], ['--json']]) {
      const result = await runCli([...args, ...extra], { env });
      assert.equal(result.code, exitForVerdict(readReport(out)), result.stderr);
      const everything = result.stdout + result.stderr + readFileSync(join(out, 'report.json'), 'utf8');
      for (const secret of secrets) assert.ok(!everything.includes(secret), `${secret} leaked`);
      assert.equal(readReport(out).settings.headers['Authorization'], '<redacted>');
    }
  });

  for (const [tool, extra] of [
    ['wrk', ['-c', '2']],
    ['wrk2', ['-c', '2', '-R', '100']],
    ['labench', ['--clients', '2', '-R', '100']],
  ] as const) {
    it(`writes a schema-valid report.json for the ${tool} model, and --json prints the same`, async () => {
      const out = join(work, tool);
      const result = await runCli(['run', '--url', server.url, '--tool', tool, ...extra, '-d', '1s', '--warmup', '0', '--json', '-o', out]);
      const printed = JSON.parse(result.stdout) as Report;
      assert.equal(result.code, exitForVerdict(printed), result.stderr);
      assertValidReport(printed);
      assert.deepEqual(readReport(out), printed);
      assert.equal(printed.tool, tool);
      assert.equal(printed.requests.total, printed.requests.ok + printed.requests.errors);
      assert.equal(tool === 'wrk', printed.latencyUncorrected === undefined);
      assert.ok(printed.histogram && printed.latency.p9999 !== undefined);
    });
  }

  it('runs the real wrk with the default, relative output folder', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'modelprof-relative-'));
    const result = await runCli(['run', '--engine', 'external', '--url', server.url, '-c', '2', '-d', '1s', '--warmup', '0'], { cwd });
    assert.equal(result.code, EXIT.ok, result.stderr);
    const report = readReport(join(cwd, 'outputs'));
    assert.equal(report.engine.name, 'external');
    assert.ok(report.requests.ok > 50);
  });

  it('prints the verdict first in the console summary; without a terminal, plain progress lines, and colour only when forced', async () => {
    const result = await runCli(['run', '--url', server.url, '-d', '1.2s', '--warmup', '0', '--progress-every', '0.5s', '-o', join(work, 'console')]);
    assert.equal(result.code, exitForVerdict(readReport(join(work, 'console'))), result.stderr);
    assert.match(result.stderr, /^modelprof: progress [\d.]+\/1\.2s {2}\d+ req\/s {2}\d+ requests {2}0 errors {2}p50 /m);
    assert.doesNotMatch(result.stderr + result.stdout, /\x1b\[/, 'no escape codes into a pipe');
    assert.match(result.stdout, /RUN (IN)?VALID/);
    assert.match(result.stdout, /p99\.99/);
    assert.ok(result.stdout.indexOf('RUN ') < result.stdout.indexOf('latency'));
  });

  it('judges an SLA: exit 0 when it holds, 1 when a clause fails, with report.html and JUnit written', async () => {
    const out = join(work, 'sla');
    const junit = join(work, 'sla-junit.xml');
    // The wrk2 model at 100 req/s: a p99 of a few ms is within 1 s whatever the generator's lag on a busy machine.
    const load = ['--tool', 'wrk2', '-R', '100', '-c', '2'];
    const pass = await runCli(['run', '--url', server.url, ...load, '-d', '1s', '--warmup', '0', '--sla', 'p99<=1s, error_rate<1%', '--junit', junit, '-o', out]);
    const held = readReport(out).validity.loadHeld;
    assert.equal(pass.code, held ? EXIT.ok : EXIT.runInvalid, pass.stderr);
    assert.match(pass.stdout, held ? /SLA passed/ : /run invalid/);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /^<!DOCTYPE html>/i);
    assert.match(readFileSync(junit, 'utf8'), /<testsuite[^>]*tests="3"[^>]*failures="0"/);
    const fail = await runCli(['run', '--url', server.url, ...load, '-d', '1s', '--warmup', '0', '--sla', 'p50<1us', '--junit', junit, '-o', out]);
    const failHeld = readReport(out).validity.loadHeld;
    assert.equal(fail.code, failHeld ? EXIT.slaFailed : EXIT.runInvalid, fail.stderr);
    if (failHeld) {
      assert.match(fail.stdout, /FAIL/);
      assert.match(readFileSync(junit, 'utf8'), /failures="1"/);
    }
  });

  it('runs a job file with --set overrides, its SLA included', async () => {
    const out = join(work, 'job');
    const path = jobFile('job.yml', `target:\n  url: ${server.url}\n  headers:\n    Authorization: Bearer \${JOB_KEY}\ntool: wrk2\nsettings:\n  duration: 5s\n  warmup: 0\n  rate: 20\nsla: error_rate<1%\noutput: ${out}\n`);
    const result = await runCli(['run', '-f', path, '--set', 'settings.duration=1s', '--set', 'settings.rate=40', '--json'], { env: { JOB_KEY: 'job-secret-key' } });
    const report = JSON.parse(result.stdout) as Report;
    // Its SLA (error_rate) is judged whenever the generator delivered the load.
    assert.equal(result.code, report.validity.loadHeld ? EXIT.ok : EXIT.runInvalid, result.stderr);
    assert.equal(report.settings.durationSec, 1);
    assert.equal(report.settings.rate, 40);
    assert.equal(report.requests.total, 40);
    assert.ok(!result.stdout.includes('job-secret-key') && !readFileSync(join(out, 'report.html'), 'utf8').includes('job-secret-key'));
  });

  it('exits 3 and says why when the generator could not hold its plan', async () => {
    const slow = await startTestServer({ delayMs: 100 });
    try {
      const out = join(work, 'invalid');
      const result = await runCli(['run', '--url', slow.url, '--tool', 'labench', '-R', '50', '--clients', '1', '-d', '1s', '--warmup', '0', '-o', out]);
      assert.equal(result.code, EXIT.runInvalid, result.stderr);
      assert.match(result.stdout, /RUN INVALID/);
      assert.equal(readReport(out).validity.valid, false);
    } finally {
      await slow.close();
    }
  });

  it('blames this machine, not the target, when it runs out of sockets (exit 3)', async () => {
    const { spawn } = await import('node:child_process');
    const { MAIN } = await import('../../support/cli.js');
    const out = join(work, 'emfile');
    // Fewer connections than the limit (so the run starts), more than the files left beside the generator's own.
    const command = `ulimit -n 150; exec ${process.execPath} ${MAIN} run --url ${server.url} -c 140 -d 1s --warmup 0 -o ${out}`;
    const code = await new Promise<number | null>((resolve) => spawn('bash', ['-c', command], { stdio: 'ignore' }).once('close', resolve));
    assert.equal(code, EXIT.runInvalid);
    const report = readReport(out);
    assert.ok(report.errors.byKind.local_resources > 0);
    assert.match(report.validity.reasons.join(' '), /ran out of sockets or ports .*ulimit -n/);
  });

  it('exits 4 with a clear line when the target refuses connections', async () => {
    const gone = await startTestServer({});
    await gone.close();
    const result = await runCli(['run', '--url', gone.url, '-d', '1s', '-o', join(work, 'refused')]);
    assert.equal(result.code, EXIT.toolError);
    assert.match(result.stderr, /modelprof: cannot connect to 127\.0\.0\.1:\d+: connection refused/);
  });

  it('on Ctrl-C writes the report of what was measured, marked partial', async () => {
    const out = join(work, 'interrupted');
    const result = await runCli(['run', '--url', server.url, '--tool', 'wrk2', '-R', '100', '-d', '60s', '--warmup', '0', '-o', out], {
      onStart: (pid) => setTimeout(() => process.kill(pid, 'SIGINT'), 2000),
    });
    assert.equal(result.code, EXIT.interrupted, result.stderr);
    const report = readReport(out);
    assertValidReport(report);
    assert.match(report.partial ?? '', /interrupted/);
    // 100 req/s for as long as it measured (on a busy machine the start-up eats into the 2 s).
    const expected = 100 * report.measuredSeconds;
    assert.ok(report.requests.total > 0 && Math.abs(report.requests.total - expected) <= 10, `${report.requests.total} requests in ${report.measuredSeconds} s`);
    assert.equal(result.stdout.match(/partial/gi)?.length, 1, `the partial run is said once: ${result.stdout}`);
  });
});

describe('modelprof run on a terminal', () => {
  it('shows a live progress line (elapsed, req/s, errors, p50, p99, send lag) and clears it before the summary', async () => {
    const { execFile } = await import('node:child_process');
    const { MAIN } = await import('../../support/cli.js');
    const command = `${process.execPath} ${MAIN} run --url ${server.url} --tool wrk2 -R 200 -c 2 -d 3s --warmup 0 -o ${join(work, 'tty')}`;
    // util-linux's `script` gives the command a real pseudo-terminal, as a person's shell would.
    const output = await new Promise<string>((resolve, reject) =>
      // Exit 3 (a run a busy machine made invalid) still shows everything this test checks.
      execFile('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env['PATH'] ?? '' } }, (error, stdout) =>
        error && error.code !== EXIT.runInvalid ? reject(error) : resolve(stdout),
      ),
    );
    assert.match(output, /\r\x1b\[2K {2}[\d.]+\/3s {2}\d+ req\/s {2}\d+ requests {2}0 errors {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms {2}send lag p99 [\d.]+ ms/);
    // Coloured on a terminal (green when valid; a busy machine may make it invalid, in yellow).
    assert.match(output, /\x1b\[1m\x1b\[3[23]mRUN (IN)?VALID/);
  });
});

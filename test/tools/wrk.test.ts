import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { SettingsError, TargetError } from '../../src/errors.js';
import { discoverWrkFamily } from '../../src/tools/discovery.js';
import { OutputLines } from '../../src/tools/output-lines.js';
import { parseToolOutput } from '../../src/tools/tool-outcome.js';
import { buildWrkScript, luaString } from '../../src/tools/wrk-lua.js';
import { readWrkHeader, readWrkThreadStats, readWrkTotals } from '../../src/tools/wrk-text.js';
import { parseWrkDoneOutput, wrkAdapter, wrkArguments, wrkRunResult } from '../../src/tools/wrk.js';
import { externalSettings, runFolder } from './external-settings.js';
import { finishedFromFixture, fixtureCounts, fixtureText, programAvailable } from './fixtures.js';
import { assertClearToolError, garbled, testDamagedOutputs, type Alteration } from './mutations.js';
import { startScoringServer } from './scoring-server.js';

const CONNECTIONS = 4;
const facts = { settings: externalSettings(), engineVersion: 'wrk test', startTime: new Date(0), endTime: new Date(5000), artifacts: [] };

describe('parseWrkDoneOutput on real wrk 4.1.0 output (test/fixtures/wrk/modelprof-*)', () => {
  // Server counts include requests wrk sent but stopped waiting for at the end: at most one per connection.
  const cases = [
    {
      mode: 'plain',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        assert.equal(result.requests.errors, 0);
        assert.ok(counts.s200 - result.requests.ok >= 0 && counts.s200 - result.requests.ok <= CONNECTIONS);
      },
    },
    {
      mode: 'errors',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        assert.equal(result.errors.byStatus['400'], counts.s400);
        assert.equal(result.errors.byStatus['503'], counts.s503);
        assert.equal(result.errors.byKind.http_status, counts.s400 + counts.s503);
        assert.ok(counts.s200 - result.requests.ok <= CONNECTIONS);
      },
    },
    {
      mode: 'timeouts',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        // Four answers came after the 1 s timeout: wrk counts them as requests and as timeouts.
        assert.equal(result.errors.byKind.timeout, 4);
        assert.equal(result.requests.ok, counts.s200);
        assert.ok(result.latency.max! < 1000, 'no latency recorded for late answers');
      },
    },
    {
      mode: 'resets',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        assert.equal(result.errors.byKind.connection_reset, counts.reset);
        assert.equal(result.requests.total, result.requests.ok + counts.reset);
      },
    },
  ];
  for (const { mode, check } of cases) {
    test(mode, () => {
      const folder = `wrk/modelprof-${mode}`;
      const output = parseWrkDoneOutput(fixtureText(`${folder}/stdout.txt`));
      const result = wrkRunResult(output, facts);
      const counts = fixtureCounts(folder);
      assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
      assert.ok(counts.received >= output.requests && counts.received - output.requests <= CONNECTIONS + counts.reset);
      assert.ok(result.latency.p50! > 0 && result.latency.p50! <= result.latency.p99!);
      assert.deepEqual(result.timeline, []);
      check(result, counts);
    });
  }

  test('wrk output without modelprof\'s done() line (the shared post.lua captures) is refused', () => {
    for (const mode of ['plain', 'errors', 'done-hook']) assertClearToolError(() => parseWrkDoneOutput(fixtureText(`wrk/${mode}/stdout.txt`)), 'wrk');
  });

  test('a refused target (exit 1, "unable to connect") is a TargetError quoting wrk', () => {
    for (const folder of ['wrk/refused', 'wrk/modelprof-refused']) {
      const finished = finishedFromFixture('wrk', folder, facts.settings);
      assert.throws(
        () => parseToolOutput(finished, () => parseWrkDoneOutput(finished.outcome.stdout)),
        (error: unknown) => error instanceof TargetError && error.message.startsWith('wrk exited with code 1: "unable to connect to 127.0.0.1:9 Connection refused"'),
      );
    }
  });

  test('the text summary reader agrees with the server on the shared captures', () => {
    const read = (mode: string) => {
      const lines = new OutputLines('wrk', 'stdout', fixtureText(`wrk/${mode}/stdout.txt`));
      readWrkHeader(lines);
      readWrkThreadStats(lines);
      lines.accept(/^ {2}Latency Distribution$/);
      lines.acceptAll(/^\s+\d+%\s+\S+$/);
      return readWrkTotals(lines);
    };
    const errors = fixtureCounts('wrk/errors');
    assert.equal(read('errors').statusErrors, errors.s503 + errors.s400);
    assert.equal(read('resets').socketErrors.read, fixtureCounts('wrk/resets').reset);
    assert.equal(read('timeouts').socketErrors.timeout, 4);
    assert.equal(read('plain').requests, 8519);
  });
});

describe('truncated and altered wrk output is a clear ToolError', () => {
  const alterations: Alteration[] = [
    ['garbled request count', (text) => garbled(text, /requests in/)],
    ['garbled JSON line', (text) => garbled(text, /^MODELPROF_WRK_RESULT/)],
    ['garbled 50% row', (text) => garbled(text, /^\s+50%/)],
    ['garbled Thread Stats', (text) => garbled(text, /^\s+Latency\s/)],
    ['garbled Requests/sec', (text) => garbled(text, /^Requests\/sec/)],
    ['request count changed in the JSON', (text) => text.replace(/"requests":(\d+)/, (_, n: string) => `"requests":${Number(n) + 1}`)],
    ['a status count changed', (text) => text.replace(/"200":(\d+)/, (_, n: string) => `"200":${Number(n) - 1}`)],
    ['p50 changed in the JSON', (text) => text.replace(/"p50":(\d+)/, (_, n: string) => `"p50":${Number(n) + 500}`)],
    ['max changed in the JSON', (text) => text.replace(/"max":(\d+)/, (_, n: string) => `"max":${Number(n) * 2}`)],
    ['a socket error count changed', (text) => text.replace(/"read":(\d+)/, (_, n: string) => `"read":${Number(n) + 3}`)],
  ];
  for (const mode of ['plain', 'errors', 'resets']) {
    testDamagedOutputs(mode, fixtureText(`wrk/modelprof-${mode}/stdout.txt`), alterations, parseWrkDoneOutput, 'wrk');
  }
  test('an extra line after the JSON', () => assertClearToolError(() => parseWrkDoneOutput(`${fixtureText('wrk/modelprof-plain/stdout.txt')}oops\n`), 'wrk'));
});

describe('the generated Lua script', () => {
  const literals: [string, string][] = [
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['two\nlines\r\n', '"two\\010lines\\013\\010"'],
    ['tab\tend', '"tab\\009end"'],
    ['café', '"caf\\195\\169"'],
    [']]--[[', '"]]--[["'],
    ['\u0000', '"\\000"'],
  ];
  for (const [text, literal] of literals) test(`luaString(${JSON.stringify(text)})`, () => assert.equal(luaString(text), literal));

  test('one body is static; several rotate in request(); the query stays off the command line', () => {
    const single = externalSettings({ url: new URL('http://127.0.0.1:8080/score?code=SECRETCODE') });
    const script = buildWrkScript(single, 'summary');
    assert.match(script, /^wrk\.body = /m);
    assert.doesNotMatch(script, /^function request\(\)/m);
    assert.match(script, /^wrk\.path = "\/score\?code=SECRETCODE"$/m);
    const args = wrkArguments(single, '/tmp/script.lua');
    assert.equal(args.at(-1), 'http://127.0.0.1:8080/score');
    assert.ok(!args.join(' ').includes('SECRETCODE'));

    const several = buildWrkScript(externalSettings({ payload: { bodies: ['a', 'b', 'c'], origin: 'file' } }), 'statuses');
    assert.match(several, /^function request\(\)/m);
    assert.doesNotMatch(several, /"latencyUs"/);
  });

  test('host and content-length headers take the names wrk.format checks', () => {
    const script = buildWrkScript(externalSettings({ headers: { host: 'example', 'content-length': '3' } }), 'summary');
    assert.match(script, /wrk\.headers\["Host"\] = "example"/);
    assert.match(script, /wrk\.headers\["Content-Length"\] = "3"/);
  });
});

describe('settings wrk cannot express are refused before anything runs', () => {
  const cases: [string, Parameters<typeof externalSettings>[0]][] = [
    ['a fractional duration', { durationSec: 2.5 }],
    ['a sub-second timeout', { timeoutSec: 0.5 }],
    ['connections not a multiple of threads', { connections: 5, threads: 2 }],
    ['a URL with a password', { url: new URL('http://user:pw@127.0.0.1:9/score') }],
  ];
  for (const [name, overrides] of cases) {
    test(name, async () => {
      const settings = externalSettings(overrides);
      assert.throws(() => wrkArguments(settings, 'script.lua'), SettingsError);
      await assert.rejects(wrkAdapter.run(settings, { runDir: runFolder() }), SettingsError);
    });
  }
});

describe('Debian wrk, run for real against a local server', () => {
  test('plain: report counts agree with the server', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    const server = await startScoringServer({ mode: 'plain' });
    try {
      const settings = externalSettings({ url: new URL(server.url), durationSec: 2, connections: CONNECTIONS, threads: 2 });
      const result = await wrkAdapter.run(settings, { runDir: settings.outputDir });
      assert.equal(result.engine, 'external');
      assert.match(result.engineVersion, /^wrk \S+/);
      assert.ok(result.requests.total > 100, `only ${result.requests.total} requests`);
      assert.equal(result.requests.errors, 0);
      const unanswered = server.counts.received - result.requests.total;
      assert.ok(unanswered >= 0 && unanswered <= CONNECTIONS, `server received ${server.counts.received}, wrk reports ${result.requests.total}`);
      assert.ok(result.measuredSeconds > 1.9 && result.measuredSeconds < 3);
      assert.ok(result.latency.p50! > 0 && result.latency.p50! < 50);
      assert.deepEqual(result.warmup, { seconds: 0, requests: 0 });
      assert.deepEqual(result.artifacts.sort(), ['wrk-command.txt', 'wrk-script.lua', 'wrk-stderr.txt', 'wrk-stdout.txt']);
      assert.equal(statSync(join(settings.outputDir, 'wrk-script.lua')).mode & 0o777, 0o600);
    } finally {
      await server.close();
    }
  });

  test('errors and resets: error kinds and statuses agree with the server', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    for (const mode of ['errors', 'resets'] as const) {
      const server = await startScoringServer({ mode });
      try {
        const settings = externalSettings({ url: new URL(server.url), durationSec: 2, connections: CONNECTIONS });
        const result = await wrkAdapter.run(settings, { runDir: settings.outputDir });
        const { counts } = server;
        const near = (reported: number, served: number, what: string): void =>
          assert.ok(served - reported >= 0 && served - reported <= CONNECTIONS, `${mode} ${what}: wrk ${reported}, server ${served}`);
        near(result.requests.ok, counts.s200, 'ok');
        if (mode === 'errors') {
          near(result.errors.byStatus['503'] ?? 0, counts.s503, '503');
          near(result.errors.byStatus['400'] ?? 0, counts.s400, '400');
          assert.ok(counts.s503 > 0 && counts.s400 > 0);
        } else {
          assert.equal(result.errors.byKind.connection_reset, counts.reset);
          assert.ok(counts.reset > 0);
        }
        assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
      } finally {
        await server.close();
      }
    }
  });

  test('bodies rotate line by line and survive quotes, newlines, backslashes; headers too; secrets stay off the command line', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    const server = await startScoringServer({ keepRequests: 12 });
    try {
      const bodies = ['{"text": "say \\"hi\\""}', 'line one\nline two\r\n', 'back\\slash and café ]]', '{"n": 4}'];
      const headers = { 'Content-Type': 'application/json', Authorization: 'Bearer s3cr3t-"quoted"-\\-$HOME', 'X-Note': 'naïve' };
      const settings = externalSettings({
        url: new URL(`${server.url}?code=querykey`),
        durationSec: 1,
        connections: 1,
        headers,
        payload: { bodies, origin: 'payload.txt' },
      });
      const result = await wrkAdapter.run(settings, { runDir: settings.outputDir });
      assert.ok(result.requests.total >= bodies.length * 2);
      // wrk calls request() once before starting, to check the request: the rotation may start one line in.
      const first = bodies.indexOf(server.seen[0]!.body);
      assert.ok(first >= 0, 'the first body was altered');
      server.seen.forEach((request, i) => {
        const body = bodies[(first + i) % bodies.length]!;
        assert.equal(request.body, body, `request ${i} carried the wrong body`);
        assert.equal(request.url, '/score?code=querykey');
        assert.equal(request.headers['authorization'], headers.Authorization);
        assert.equal(Buffer.from(request.headers['x-note'] as string, 'latin1').toString('utf8'), 'naïve');
        assert.equal(request.headers['content-length'], String(Buffer.byteLength(body)));
      });
      for (const file of ['wrk-command.txt', 'wrk-stdout.txt', 'wrk-stderr.txt']) {
        const text = readFileSync(join(settings.outputDir, file), 'utf8');
        assert.ok(!text.includes('s3cr3t') && !text.includes('querykey'), `${file} shows a secret`);
      }
      assert.ok(!JSON.stringify(result).includes('s3cr3t'));
    } finally {
      await server.close();
    }
  });

  test("the script generated for wrk2 runs in wrk 4 (the same Lua API) and counts statuses", async (t) => {
    // wrk2 cannot be built here; its script's hooks are those of wrk 4, so they are checked in wrk.
    const wrk = await discoverWrkFamily('wrk');
    if (!programAvailable(t, wrk, true)) return;
    const server = await startScoringServer({ mode: 'errors' });
    try {
      const folder = runFolder();
      const scriptPath = join(folder, 'wrk2-script.lua');
      writeFileSync(scriptPath, buildWrkScript(externalSettings({ url: new URL(server.url), payload: { bodies: ['a', 'b'], origin: 'file' } }), 'statuses'));
      // Asynchronously: the server answers from this process.
      const run = await promisify(execFile)(wrk.path!, ['-t2', '-c2', '-d1s', '-s', scriptPath, server.url], { encoding: 'utf8' });
      const line = /^MODELPROF_WRK_RESULT (\{.*\})$/m.exec(run.stdout);
      assert.ok(line, run.stdout + run.stderr);
      const result = JSON.parse(line[1]!) as { threads: number; requests: number; statuses: Record<string, number> };
      assert.equal(result.threads, 2);
      assert.equal(Object.values(result.statuses).reduce((a, b) => a + b, 0), result.requests);
      assert.ok(result.statuses['503']! > 0 && result.statuses['400']! > 0);
    } finally {
      await server.close();
    }
  });

  test('a refused connection is a TargetError (exit 4), with the raw output kept', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    const settings = externalSettings({ url: new URL('http://127.0.0.1:9/score'), durationSec: 1 });
    await assert.rejects(wrkAdapter.run(settings, { runDir: settings.outputDir }), (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.equal(error.exitCode, 4);
      assert.match(error.message, /^wrk exited with code 1: "unable to connect to 127\.0\.0\.1:9/);
      return true;
    });
    assert.match(readFileSync(join(settings.outputDir, 'wrk-stderr.txt'), 'utf8'), /Connection refused/);
  });

  test('Ctrl-C stops wrk, keeps what it measured and marks the result partial', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    const server = await startScoringServer();
    try {
      const settings = externalSettings({ url: new URL(server.url), durationSec: 5, connections: 2 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 1000);
      const result = await wrkAdapter.run(settings, { runDir: settings.outputDir, signal: controller.signal });
      assert.match(result.partial ?? '', /^interrupted \(Ctrl-C\)/);
      assert.ok(result.measuredSeconds < 3, `ran ${result.measuredSeconds} s`);
      assert.ok(result.requests.total > 0);
    } finally {
      await server.close();
    }
  });
});

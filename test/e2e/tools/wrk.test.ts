import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { TargetError } from '../../../src/core/errors.js';
import { discoverWrkFamily } from '../../../src/tools/discovery.js';
import { buildWrkScript } from '../../../src/tools/wrk-lua.js';
import { wrkAdapter } from '../../../src/tools/wrk.js';
import { externalSettings, runFolder } from '../../support/external-settings.js';
import { programAvailable } from '../../support/tool-fixtures.js';
import { startScoringServer } from '../../support/scoring-server.js';
import { startTestServer } from '../../support/test-server.js';

const CONNECTIONS = 4;

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
      // The script reads the key and the query from wrk's environment: no file holds them.
      for (const file of ['wrk-command.txt', 'wrk-stdout.txt', 'wrk-stderr.txt', 'wrk-script.lua']) {
        const text = readFileSync(join(settings.outputDir, file), 'utf8');
        assert.ok(!text.includes('s3cr3t') && !text.includes('querykey'), `${file} shows a secret`);
      }
      assert.ok(!JSON.stringify(result).includes('s3cr3t'));
    } finally {
      await server.close();
    }
  });

  test('the generated script counts alike under wrk 4.1.0 and wrk2 (wrk 4.0.0): statuses are keys, counts are values', async (t) => {
    // wrk2's thread:get swaps a table's keys and values: {200 = 31} once came back as {31 = 200}, and equal counts collided.
    const wrk = await discoverWrkFamily('wrk');
    const wrk2 = await discoverWrkFamily('wrk2');
    if (!programAvailable(t, wrk, true) || !programAvailable(t, wrk2, true)) return;
    const server = await startTestServer({ delayMs: 5, statusEvery: [{ every: 2, status: 503 }] });
    try {
      const folder = runFolder();
      const scriptPath = join(folder, 'script.lua');
      writeFileSync(scriptPath, buildWrkScript(externalSettings({ url: new URL(server.url), payload: { bodies: ['a', 'b'], origin: 'file' } }), 'statuses'));
      // Both at once, asynchronously: the server answers from this process.
      const runs = await Promise.all([
        promisify(execFile)(wrk.path!, ['-t2', '-c2', '-d1s', '-s', scriptPath, server.url], { encoding: 'utf8' }),
        promisify(execFile)(wrk2.path!, ['-t2', '-c2', '-d1s', '-R100', '-s', scriptPath, server.url], { encoding: 'utf8' }),
      ]);
      let requests = 0;
      for (const run of runs) {
        const line = /^MODELPROF_WRK_RESULT (\{.*\})$/m.exec(run.stdout);
        assert.ok(line, run.stdout + run.stderr);
        const result = JSON.parse(line[1]!) as { threads: number; requests: number; sent: number; statuses: Record<string, number> };
        assert.equal(result.threads, 2);
        assert.deepEqual(Object.keys(result.statuses).sort(), ['200', '503']);
        assert.equal(result.statuses['200']! + result.statuses['503']!, result.requests);
        requests += result.sent - 1;
      }
      // Every request either program wrote reached the server.
      assert.equal(requests, server.received());
    } finally {
      await server.close();
    }
  });

  test('a refused connection is a TargetError (exit 4), with the raw output kept', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    const settings = externalSettings({ url: new URL('http://127.0.0.1:9/score'), durationSec: 1 });
    await assert.rejects(wrkAdapter.run(settings, { runDir: settings.outputDir }), (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.equal(error.code, 'MODELPROF_ERR_TARGET');
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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerServeSample } from '../../../src/cli/serve-sample.js';
import { SettingsError } from '../../../src/core/errors.js';
import { EXIT, exitCodeOfError } from '../../../src/cli/exit-codes.js';
import { startSampleServer } from '../../../src/sample/server.js';

const PAYLOAD = JSON.stringify({ data: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] });

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`serve-sample prints one listening line, serves with the key from SAMPLE_KEY, and exits 0 on ${signal}`, async () => {
    const key = 'cli-secret-key';
    const child = spawn(process.execPath, [MAIN, 'serve-sample', '--port', '0', '--deployment', 'blue'], {
      env: { ...process.env, SAMPLE_KEY: key },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      for (let tries = 0; !stdout.includes('\n'); tries++) {
        assert.ok(tries < 200 && child.exitCode === null, `no listening line; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const match = /^modelprof sample endpoint listening on (http:\/\/127\.0\.0\.1:\d+\/score)\n$/.exec(stdout);
      assert.ok(match !== null, `unexpected stdout: ${JSON.stringify(stdout)}`);
      const url = match[1]!;
      assert.equal((await fetch(url, { method: 'POST', body: PAYLOAD })).status, 401);
      const scored = await fetch(url, { method: 'POST', body: PAYLOAD, headers: { authorization: `Bearer ${key}` } });
      assert.equal(scored.status, 200);
      assert.equal(scored.headers.get('azureml-model-deployment'), 'blue');
      assert.equal((JSON.parse(await scored.text()) as { result: unknown[] }).result.length, 1);
    } finally {
      child.kill(signal);
    }
    assert.deepEqual(await exited, [0, null]);
    assert.equal(stdout.split('\n').length, 2, 'exactly one line on stdout');
    assert.ok(!stdout.includes(key) && !stderr.includes(key), 'the key is never printed');
  });
}

test('serve-sample rejects bad flags with a SettingsError naming the flag', { timeout: 20_000 }, async () => {
  const cases: [args: string[], message: RegExp][] = [
    [['--port', '65536'], /^--port must be an integer from 0 to 65535, got "65536"$/],
    [['--port', 'http'], /^--port must be an integer/],
    [['--workers', '0'], /^--workers must be an integer from 1 to 64, got "0"$/],
    [['--workers', '2.5'], /^--workers must be an integer/],
    [['--work-factor', '-1'], /^--work-factor must be a number from 0 to 1000, got "-1"$/],
    [['--work-factor', '1e3'], /^--work-factor must be a number/],
    [['--max-concurrent', '0'], /^--max-concurrent must be an integer from 1/],
    [['--request-timeout-ms', ''], /^--request-timeout-ms must be an integer/],
    [['--request-timeout-ms', '200000'], /^--request-timeout-ms must be an integer from 1 to 180000/],
    [['--key', 'two words'], /^--key \(or SAMPLE_KEY\) must be non-empty printable ASCII without spaces$/],
    [['--deployment', ''], /^--deployment must be/],
    [['--host', ' '], /^--host must be/],
  ];
  for (const [args, message] of cases) {
    const program = new Command('modelprof').exitOverride();
    registerServeSample(program);
    await assert.rejects(program.parseAsync(['serve-sample', '--port', '0', ...args], { from: 'user' }), (error: unknown) => {
      assert.ok(error instanceof SettingsError, `${args.join(' ')} gave ${String(error)}`);
      assert.match(error.message, message);
      assert.equal(exitCodeOfError(error), EXIT.badSettings);
      assert.ok(!error.message.includes('two words'), 'a key is never echoed');
      return true;
    });
  }
});

test('serve-sample on a port in use fails with a SettingsError', { timeout: 20_000 }, async () => {
  const busy = await startSampleServer({});
  try {
    const program = new Command('modelprof').exitOverride();
    registerServeSample(program);
    await assert.rejects(
      program.parseAsync(['serve-sample', '--port', String(busy.port)], { from: 'user' }),
      (error: unknown) => error instanceof SettingsError && /already in use/.test(error.message),
    );
  } finally {
    await busy.close();
  }
});

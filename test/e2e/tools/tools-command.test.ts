import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { discoverWrkFamily } from '../../../src/tools/discovery.js';
import { programAvailable } from '../../support/tool-fixtures.js';

const TOOLS_COMMAND = new URL('../../../src/cli/tools.js', import.meta.url).href;
const ERRORS = new URL('../../../src/core/errors.js', import.meta.url).href;
const EXIT_CODES = new URL('../../../src/cli/exit-codes.js', import.meta.url).href;

/**
 * Runs `modelprof tools …` in a real process: the command registered on a program the way
 * src/cli/main.ts does it, with main's handling of ModelprofError (message, exit code).
 */
function modelprofTools(...given: (string | NodeJS.ProcessEnv)[]): { status: number | null; stdout: string; stderr: string } {
  const args = given.filter((arg): arg is string => typeof arg === 'string');
  const env = { ...process.env, ...Object.assign({}, ...given.filter((arg) => typeof arg !== 'string')) };
  const program = `
    import { Command } from 'commander';
    import { registerTools } from ${JSON.stringify(TOOLS_COMMAND)};
    import { ModelprofError } from ${JSON.stringify(ERRORS)};
    import { exitCodeOfError } from ${JSON.stringify(EXIT_CODES)};
    const program = new Command('modelprof').exitOverride();
    registerTools(program);
    try {
      await program.parseAsync(process.argv.slice(1), { from: 'user' });
    } catch (error) {
      if (!(error instanceof ModelprofError)) throw error;
      process.stderr.write('modelprof: ' + error.message + '\\n');
      process.exitCode = exitCodeOfError(error);
    }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', program, '--', 'tools', ...args], { encoding: 'utf8', env });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('modelprof tools', () => {
  test('--json lists every tool with whether it was found; exit 4 when one is missing', () => {
    const run = modelprofTools('--json');
    const listed = JSON.parse(run.stdout) as { tool: string; found: boolean; problem?: string; version?: string }[];
    assert.deepEqual(listed.map((discovery) => discovery.tool), ['wrk', 'wrk2', 'labench']);
    for (const discovery of listed) assert.ok(discovery.found ? discovery.version : discovery.problem, JSON.stringify(discovery));
    assert.equal(run.status, listed.every((discovery) => discovery.found) ? 0 : 4);
  });

  test('one tool: its path and version, exit 0', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
    const run = modelprofTools('wrk');
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^wrk {2}\/\S+\/wrk {2}wrk \S+\n$/);
  });

  test('a missing tool: one line saying how to get it, exit 4', () => {
    const run = modelprofTools('wrk2', { PATH: '/nowhere' });
    assert.equal(run.status, 4);
    assert.match(run.stdout, /^wrk2 {2}missing: wrk2 is not installed \(not on PATH\): build it from its source[^\n]*\n$/);
  });

  test('--tool-path that names nothing, or a program that is not the tool: one line, exit 2, no fall-back to PATH', () => {
    for (const [args, message] of [
      [['--tool-path', '/nonexistent'], /^modelprof: --tool-path \/nonexistent: no such file or folder\n$/],
      [['wrk', '--tool-path', '/bin/true'], /^modelprof: --tool-path \/bin\/true is not wrk: \/bin\/true does not print wrk's version for -v\n$/],
    ] as const) {
      const run = modelprofTools(...args);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.match(run.stderr, message);
    }
  });

  test('--tool-path wrk2=… finds wrk2 without it on PATH', async (t) => {
    const wrk2 = await discoverWrkFamily('wrk2');
    if (!programAvailable(t, wrk2, true)) return;
    const run = modelprofTools('wrk2', '--tool-path', `wrk2=${wrk2.path}`, { PATH: '/usr/bin:/bin' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `wrk2  ${wrk2.path}  wrk2 4.0.0\n`);
  });

  test('an unknown tool is a settings error, exit 2', () => {
    const run = modelprofTools('ab');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^modelprof: tool must be one of wrk, wrk2, labench, got "ab"\n$/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMAND_EXAMPLES } from '../../../src/cli/help-examples.js';
import { runCli } from '../../support/cli.js';

/** The flag's line in help output, joined with its wrapped continuation lines. */
function flagHelp(help: string, flag: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => line.includes(`${flag} `));
  assert.ok(start >= 0, `${flag} is in the help`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => !/^ {20,}\S/.test(line));
  return [lines[start]!, ...rest.slice(0, end < 0 ? rest.length : end)].map((line) => line.trim()).join(' ');
}

describe('help: each command shows the defaults that apply to it, and ends with examples', () => {
  it('every command has two or three examples, and the program too', async () => {
    const { stdout } = await runCli(['--help']);
    const commands = [...stdout.matchAll(/^ {2}([a-z0-9-]+) /gm)].map((match) => match[1]!).filter((name) => name !== 'help');
    assert.ok(commands.length >= 10, stdout);
    for (const name of [...commands, 'modelprof']) {
      const examples = COMMAND_EXAMPLES[name];
      assert.ok(examples && examples.length >= 1 && examples.length <= 3, `examples for ${name}`);
      for (const [, command] of examples) assert.match(command, /(^|\s)modelprof /);
    }
    assert.match(stdout, /\nExamples:\n {2}# .*\n {2}\$ modelprof demo\n/);
  });

  it('run, demo and find-max show their own defaults; repeatable flags show none', async () => {
    const [run, demo, findMax] = await Promise.all(['run', 'demo', 'find-max'].map((command) => runCli([command, '--help'])));
    const expected: [help: string, tool: string, connections: string, duration: string][] = [
      [run!.stdout, 'wrk', '1', '300s'],
      [demo!.stdout, 'wrk2', '8', '10s'],
      [findMax!.stdout, 'wrk2', '64', '10s'],
    ];
    for (const [help, tool, connections, duration] of expected) {
      assert.match(flagHelp(help, '--tool'), new RegExp(`default ${tool}\\)`));
      assert.match(flagHelp(help, '--connections'), new RegExp(`default ${connections}\\)`));
      assert.match(flagHelp(help, '--duration'), new RegExp(`default ${duration}\\)`));
      assert.doesNotMatch(help, /default: \[\]/);
      assert.match(help, /\nExamples:\n {2}# .*\n {2}\$ modelprof /);
    }
    assert.doesNotMatch(flagHelp(demo!.stdout, '--url'), /SCORING_URI/, 'the demo does not read SCORING_URI');
    assert.doesNotMatch(findMax!.stdout, /--rate </, 'find-max searches the rate: it does not offer --rate');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ToolError } from '../../src/core/errors.js';

/** A damaged copy of a real output, and what was done to it. */
export interface Mutation {
  name: string;
  text: string;
}

/** A named change to a real output, which its reader must refuse. */
export type Alteration = [name: string, alter: (text: string) => string];

/** The output cut after 25, 50, 75 and 90% of its lines, and once in the middle of its last line. */
export function truncations(text: string): Mutation[] {
  const lines = text.replace(/\n+$/, '').split('\n');
  const cuts = [0.25, 0.5, 0.75, 0.9].map((share) => Math.max(1, Math.floor(lines.length * share)));
  const mutations = [...new Set(cuts)].map((keep) => ({ name: `cut after line ${keep} of ${lines.length}`, text: `${lines.slice(0, keep).join('\n')}\n` }));
  const last = lines.at(-1)!;
  const middle = [...lines.slice(0, -1), last.slice(0, Math.ceil(last.length / 2))].join('\n');
  mutations.push({ name: 'cut in the middle of the last line', text: middle });
  return mutations;
}

/** The first number on the first line matching `line` turned into garbage ("12x4"-like). */
export function garbled(text: string, line: RegExp): string {
  const lines = text.split('\n');
  const index = lines.findIndex((candidate) => line.test(candidate));
  assert.ok(index >= 0, `no line matches ${line}`);
  lines[index] = lines[index]!.replace(/\d+/, (digits) => `${digits.slice(0, 1)}x${digits.slice(1)}`);
  return lines.join('\n');
}

/** The text without the lines for which `drop` is true. */
export function withoutLines(text: string, drop: (line: string) => boolean): string {
  return text
    .split('\n')
    .filter((line) => !drop(line))
    .join('\n');
}

/** The clear error the issue asks for: a ToolError (exit 4), one line, naming the tool and quoting a line. */
export function assertClearToolError(read: () => unknown, tool: string): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof ToolError, `expected a ToolError, got ${String(error)}`);
    assert.equal(error.code, 'MODELPROF_ERR_TOOL');
    assert.ok(error.message.startsWith(tool), `message should name ${tool}: ${error.message}`);
    assert.match(error.message, /"[^"]*"/, 'message should quote the offending line');
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

/**
 * One test per truncation and per alteration of `original`, named "<label>: <what was done>", each
 * expecting `read` to refuse the damaged text with a clear ToolError naming `tool`.
 */
export function testDamagedOutputs(label: string, original: string, alterations: readonly Alteration[], read: (text: string) => unknown, tool: string): void {
  for (const { name, text } of truncations(original)) test(`${label}: ${name}`, () => assertClearToolError(() => read(text), tool));
  for (const [name, alter] of alterations) {
    test(`${label}: ${name}`, () => {
      const altered = alter(original);
      assert.notEqual(altered, original);
      assertClearToolError(() => read(altered), tool);
    });
  }
}

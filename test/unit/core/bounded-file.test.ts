import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FILE_BOUNDS, readBoundedFile, type FileKind } from '../../../src/core/bounded-file.js';
import { SettingsError } from '../../../src/core/errors.js';
import { jsonProblem } from '../../../src/core/json-problem.js';

const folder = mkdtempSync(join(tmpdir(), 'modelprof-bounded-'));
function file(name: string, text: string, size?: number): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  // A sparse file: its size is known from stat, so a refusal must come before any byte is read.
  if (size !== undefined) truncateSync(path, size);
  return path;
}

describe('readBoundedFile: what a user-given file may be', () => {
  const cases: [what: string, path: () => string, kind: FileKind, message: RegExp | undefined][] = [
    ['a plain file', () => file('ok.txt', '{"a": 1}\n'), 'payload', undefined],
    ['a file that never ends (/dev/zero)', () => '/dev/zero', 'payload', /^x is a character device, not a file: give a file$/],
    ['a folder', () => folder, 'dataset', /^x is a folder: give a file$/],
    ['a missing file', () => join(folder, 'missing'), 'trace', /^x cannot be read \(ENOENT\)$/],
    ['a payload file over 64 MiB', () => file('big.txt', '', FILE_BOUNDS.payload.maxBytes + 1), 'payload', /^x is 64 MiB, more than 64 MiB, the most a payload file may hold: /],
    ['a job file over 1 MiB (one huge key)', () => file('job.yml', '', 60 * 1024 * 1024), 'settings', /^x is 60 MiB, more than 1 MiB, the most a settings file may hold: it holds settings/],
    ['a payload file of 100,001 lines', () => file('lines.txt', '{}\n'.repeat(100_001)), 'payload', /^x has more than 100,000 lines, the most a payload file may hold: /],
    ['a payload file of 100,000 lines', () => file('lines-ok.txt', '{}\n'.repeat(100_000)), 'payload', undefined],
    ['a dataset of 100,001 blank lines', () => file('blank.jsonl', '\n'.repeat(100_001)), 'dataset', /^x has more than 100,000 lines/],
  ];
  for (const [what, path, kind, message] of cases) {
    it(message ? `refuses ${what}` : `reads ${what}`, () => {
      if (message === undefined) {
        assert.equal(typeof readBoundedFile(path(), 'x', kind), 'string');
        return;
      }
      assert.throws(() => readBoundedFile(path(), 'x', kind), (error: unknown) => {
        assert.ok(error instanceof SettingsError, String(error));
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

describe('jsonProblem: where and what, never the text', () => {
  const secret = 'root:*:19000:0:99999:7:::';
  const cases: [text: string, expected: string][] = [
    [secret, 'unexpected character at column 1'],
    ['{"key": "s3cr3t" x}', "expected ',' or '}' after property value at column 18"],
    ['{"a": tru}', 'unexpected character at column 10'],
    ['{"a": 1,}', 'expected double-quoted property name at column 9'],
    ['[1, 2', "expected ',' or ']' after array element at column 6"],
    ['{"a": "s3cr3t', 'unterminated string at column 14'],
    ['{"a": [', 'it ends early, at column 8'],
    ['', 'it is empty'],
    ['{\n  "a": 1,\n  "b": s3cr3t\n}', 'unexpected character at line 3, column 8'],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)}: ${expected}`, () => {
      const error = (() => {
        try {
          JSON.parse(text);
        } catch (thrown) {
          return thrown;
        }
        assert.fail('expected a parse error');
      })();
      const problem = jsonProblem(text, error);
      assert.equal(problem, expected);
      for (const piece of ['root', 's3cr3t', '19000']) assert.ok(!problem.includes(piece), problem);
    });
  }
});

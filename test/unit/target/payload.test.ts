import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { readPayloadFile } from '../../../src/target/payload.js';

const folder = mkdtempSync(join(tmpdir(), 'modelprof-payload-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, bytes: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

describe('payload files as editors save them', () => {
  test('"UTF-8 with BOM": the mark is dropped, not sent inside the first body nor refused as JSON', () => {
    const path = file('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\r\n{"b":2}\r\n')]));
    const payload = readPayloadFile(path, '--payload-file', true);
    assert.deepEqual(payload.bodies, ['{"a":1}', '{"b":2}']);
    // The same holds for a body that is not JSON (Content-Type: text/plain).
    assert.deepEqual(readPayloadFile(file('bom.txt', '\uFEFFhello\nworld\n'), '--payload-file', false).bodies, ['hello', 'world']);
  });

  test('a bad JSON line is named by its line in the file, blank lines counted', () => {
    const path = file('blank.jsonl', '\n\n{"a":1}\n{"a":\n');
    assert.throws(
      () => readPayloadFile(path, '--payload-file', true),
      (error: unknown) => error instanceof SettingsError && new RegExp(`^--payload-file "${path}" line 4 is not valid JSON`).test(error.message),
    );
  });

  test('a BOM does not shift the line numbers', () => {
    const path = file('bom-bad.jsonl', '\uFEFF{"a":1}\n\n{oops}\n');
    assert.throws(() => readPayloadFile(path, '--payload-file', true), /line 3 is not valid JSON/);
  });
});

describe('files named by mistake', () => {
  test('a file that is not JSON (/etc/shadow) is refused by line and column, its content never quoted', () => {
    const path = file('shadow', 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
    assert.throws(
      () => readPayloadFile(path, 'payload.file', true),
      (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.equal(error.message, `payload.file "${path}" line 1 is not valid JSON (unexpected character at column 1); set a non-JSON Content-Type header to send it as is`);
        return true;
      },
    );
  });

  test('a device that never ends is refused before it is read', () => {
    assert.throws(() => readPayloadFile('/dev/zero', '--payload-file', false), /^SettingsError: --payload-file "\/dev\/zero" is a character device, not a file: give a file$/);
  });
});

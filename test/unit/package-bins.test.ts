import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The checkout's root (this file runs from dist/test/unit/, after `npm run build`). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { bin?: string | Record<string, string> };
const bins = typeof manifest.bin === 'string' ? { [String(manifest.bin)]: manifest.bin } : (manifest.bin ?? {});

test('package.json names at least one bin', () => assert.ok(Object.keys(bins).length > 0));

for (const [name, path] of Object.entries(bins)) {
  test(`bin ${name} (${path}) is an executable node script after the build`, { skip: process.platform === 'win32' && 'no execute bit on Windows' }, () => {
    const mode = statSync(`${ROOT}${path}`).mode;
    assert.equal(mode & 0o111, 0o111, `${path} is mode ${(mode & 0o777).toString(8)}: npx ${name} would say "Permission denied"`);
    assert.match(readFileSync(`${ROOT}${path}`, 'utf8'), /^#!\/usr\/bin\/env node\n/, `${path} lacks its #! line`);
  });
}

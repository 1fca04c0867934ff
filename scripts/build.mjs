#!/usr/bin/env node
// Compiles modelprof into dist/ and leaves every package.json "bin" entry executable.
//
//   node scripts/build.mjs           tsc over the existing dist/ (npm's "prepare")
//   node scripts/build.mjs --clean   removes dist/ first (npm run build)
//
// tsc writes a new file with mode 0644, so after a clean build `npx modelprof` would say
// "Permission denied": npm sets the execute bit only on packages it installs, never on the
// project's own checkout. fs.chmodSync keeps this portable (no shell chmod, no rm -rf).
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

if (process.argv.includes('--clean')) rmSync(join(root, 'dist'), { recursive: true, force: true });

const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

/** package.json's "bin" is a path (named after the package) or a map of command name to path. */
const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
for (const bin of bins) {
  const path = join(root, bin);
  // Execute for whoever may read it: 0644 becomes 0755, a private 0600 stays private (0700).
  const mode = statSync(path).mode & 0o777;
  chmodSync(path, mode | ((mode & 0o444) >> 2));
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('examples/library.mjs runs as the README shows: two profiles, an SLA verdict, a comparison, a page, a typed refusal', async () => {
  // The example imports 'modelprof' by name: the package's exports resolve it to dist/src/index.js.
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/library.mjs'], { cwd: ROOT, timeout: 60_000 });
  assert.match(stdout, /^requests: \d+ \(0 errors\), [\d.]+ req\/s$/m);
  assert.match(stdout, /^latency: p50 [\d.]+ ms, p99 [\d.]+ ms$/m);
  assert.match(stdout, /^valid run: (true|false)/m);
  // A busy machine may leave the generator's lag in p99; the clause says whether that lag could change its verdict.
  assert.match(stdout, /^SLA: (pass|fail|not-judged) \(p99 = [\d.]+ ms, (within|breaks) <= 250 ms(; the generator's own send lag \(p99\.5 [\d.]+ ms\) cannot change that|, but the generator's own send lag \(p99\.5 [\d.]+ ms\) could account for the difference: not judged)?; error_rate = 0%, within < 1%\)$/m);
  // A regression found on figures the generator's lag cannot change is one, even on a busy machine.
  assert.match(stdout, /^compare: (no regression|regression|no verdict \(.+\))$/m);
  const page = /^page: (.+)$/m.exec(stdout)?.[1];
  assert.ok(page !== undefined && existsSync(page), stdout);
  assert.match(stdout, /^refused: settings: options\.rate must be a number greater than 0, got "-1"$/m);
});

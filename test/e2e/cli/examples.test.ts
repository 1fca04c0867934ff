import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { SweepRecord } from '../../../src/sweep/sweep-record.js';
import { runCli } from '../../support/cli.js';
import { freePort } from '../../support/free-port.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** PATH as a new user's: no modelprof on it (the quick start never installs it). */
function pathWithoutModelprof(): string {
  return (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '' && !existsSync(join(dir, 'modelprof'))).join(delimiter);
}

test('examples/sweep.yml runs from a checkout as written: its serve commands find modelprof, every deployment starts', async () => {
  // As written, but shorter: one rate, 1 s points, free ports (the commands themselves unchanged).
  const example = parse(readFileSync(join(ROOT, 'examples/sweep.yml'), 'utf8')) as {
    settings: Record<string, unknown>;
    grid: { rate: number[] };
    cooldown: string;
    deployments: { url: string; serve: string }[];
  };
  example.settings = { ...example.settings, duration: '1s', warmup: '0s' };
  example.grid.rate = [example.grid.rate[0]!];
  example.cooldown = '0s';
  for (const deployment of example.deployments) {
    const port = String(await freePort());
    const written = /:(\d+)\//.exec(deployment.url)![1]!;
    deployment.url = deployment.url.replace(written, port);
    deployment.serve = deployment.serve.replace(`--port ${written}`, `--port ${port}`);
    assert.match(deployment.serve, /^modelprof serve-sample /, 'the serve command as the example writes it');
  }
  const work = mkdtempSync(join(tmpdir(), 'modelprof-examples-'));
  const file = join(work, 'sweep.yml');
  writeFileSync(file, stringify(example));
  const out = join(work, 'out');
  const result = await runCli(['sweep', '-f', file, '-o', out, '--json'], { cwd: ROOT, env: { PATH: pathWithoutModelprof() } });
  const record = JSON.parse(result.stdout) as SweepRecord;
  assert.deepEqual(record.deployments.map((d) => d.notStarted), [undefined, undefined], result.stderr);
  assert.ok(record.points.every((p) => p.status === 'measured' || p.status === 'invalid'), JSON.stringify(record.points.map((p) => [p.status, p.reasons])));
  // A busy machine may leave a point invalid (exit 3); a deployment that never started would be 4.
  assert.ok([EXIT.ok, EXIT.slaFailed, EXIT.runInvalid].includes(result.code as 0 | 1 | 3), `exit ${result.code}: ${result.stderr}`);
});

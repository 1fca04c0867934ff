import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBuiltin } from '../../../src/load/builtin-engine.js';
import type { RunResult } from '../../../src/record/result.js';
import { discoverWrkFamily } from '../../../src/tools/discovery.js';
import { wrkAdapter } from '../../../src/tools/wrk.js';
import { externalSettings } from '../../support/external-settings.js';
import { programAvailable } from '../../support/tool-fixtures.js';
import { startScoringServer } from '../../support/scoring-server.js';

const throughput = (result: RunResult): number => result.requests.total / result.measuredSeconds;

test('real wrk and the builtin wrk model agree on a 10 ms server: throughput within 10%, p50 within 1 ms', async (t) => {
  if (!programAvailable(t, await discoverWrkFamily('wrk'), true)) return;
  const server = await startScoringServer({ delayMs: 10 });
  try {
    const same = { url: new URL(server.url), tool: 'wrk', durationSec: 3, connections: 4, threads: 1, timeoutSec: 5 } as const;
    const externalRun = externalSettings({ ...same, engine: 'external' });
    const external = await wrkAdapter.run(externalRun, { runDir: externalRun.outputDir });
    const builtin = await runBuiltin(externalSettings({ ...same, engine: 'builtin' }), {});

    const ratio = throughput(external) / throughput(builtin);
    assert.ok(ratio > 0.9 && ratio < 1.1, `throughput: wrk ${throughput(external).toFixed(1)}/s, builtin ${throughput(builtin).toFixed(1)}/s`);
    const requests = external.requests.total / builtin.requests.total;
    assert.ok(requests > 0.9 && requests < 1.1, `requests: wrk ${external.requests.total}, builtin ${builtin.requests.total}`);
    assert.ok(Math.abs(external.latency.p50! - builtin.latency.p50!) <= 1, `p50: wrk ${external.latency.p50} ms, builtin ${builtin.latency.p50} ms`);
    assert.ok(external.latency.p50! >= 10, 'the server takes 10 ms');
    assert.equal(external.requests.errors + builtin.requests.errors, 0);
  } finally {
    await server.close();
  }
});

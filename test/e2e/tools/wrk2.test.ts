import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { discoverWrkFamily } from '../../../src/tools/discovery.js';
import { wrk2Adapter } from '../../../src/tools/wrk2.js';
import { externalSettings } from '../../support/external-settings.js';
import { programAvailable } from '../../support/tool-fixtures.js';
import { startScoringServer } from '../../support/scoring-server.js';

describe('wrk2, run for real (CI puts ../shared/tools/wrk2 on PATH)', () => {
  test('-R 10 -d 3s (every run once exited 4 on swapped status counts): counts agree with the server', async (t) => {
    if (!programAvailable(t, await discoverWrkFamily('wrk2'), true)) return;
    const server = await startScoringServer({ mode: 'errors' });
    try {
      const settings = externalSettings({ tool: 'wrk2', url: new URL(server.url), durationSec: 3, rate: 40, connections: 4 });
      const result = await wrk2Adapter.run(settings, { runDir: settings.outputDir });
      const unanswered = server.counts.received - result.requests.total;
      assert.ok(unanswered >= 0 && unanswered <= 4, `server ${server.counts.received}, wrk2 ${result.requests.total}`);
      assert.ok(result.latency.p50! > 0);
      assert.ok(result.limits?.includes('wrk2 ended before its calibration, so its latency covers the whole run, start-up included.'));
      assert.ok(server.counts.s503 - (result.errors.byStatus['503'] ?? 0) <= unanswered);
      assert.ok(server.counts.s503 > 0 && server.counts.s400 > 0);
    } finally {
      await server.close();
    }
  });
});

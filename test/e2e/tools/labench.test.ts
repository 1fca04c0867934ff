import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { discoverLabench } from '../../../src/tools/discovery.js';
import { labenchAdapter } from '../../../src/tools/labench.js';
import { externalSettings } from '../../support/external-settings.js';
import { programAvailable } from '../../support/tool-fixtures.js';
import { startScoringServer } from '../../support/scoring-server.js';

/** The settings the fixtures were captured with (see test/fixtures/README.md). */

describe('LaBench, run for real (CI puts ../shared/tools/labench on PATH)', () => {
  test('counts and timeliness agree with the server', async (t) => {
    if (!programAvailable(t, await discoverLabench(), true)) return;
    const server = await startScoringServer({ mode: 'errors' });
    try {
      const settings = externalSettings({ tool: 'labench', url: new URL(server.url), durationSec: 3, rate: 50, clients: 4 });
      const result = await labenchAdapter.run(settings, { runDir: settings.outputDir });
      assert.equal(result.requests.total, server.counts.received);
      assert.equal(result.errors.byStatus['503'], server.counts.s503);
      assert.ok(result.validity.checks.timelySends! > 0.99);
      assert.ok(result.latency.p50! > 0);
    } finally {
      await server.close();
    }
  });
});

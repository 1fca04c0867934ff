import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { runBuiltin } from '../../../src/load/builtin-engine.js';
import type { HeaderUpdates } from '../../../src/load/engine.js';
import { settingsFor } from '../../support/settings.js';

describe('builtin engine: header values renewed mid-run', () => {
  it('sends the new Authorization from the update on, in every worker, without dropping the plan', async () => {
    const seen: string[] = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers.authorization ?? '');
      request.resume();
      request.on('end', () => response.end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
    try {
      const settings = { ...settingsFor({ url, tool: 'wrk2', rate: '100', connections: '4', threads: '2', duration: '2s' }), headers: { Authorization: 'Bearer old-token' } };
      let renew: ((headers: Readonly<Record<string, string>>) => void) | undefined;
      let unsubscribed = false;
      const updates: HeaderUpdates = {
        subscribe(apply) {
          renew = apply;
          return () => void (unsubscribed = true);
        },
      };
      const timer = setTimeout(() => renew?.({ Authorization: 'Bearer new-token' }), 1000);
      const result = await runBuiltin(settings, { headerUpdates: updates });
      clearTimeout(timer);
      assert.ok(unsubscribed, 'the engine unsubscribes when the load ends');
      assert.equal(result.requests.errors, 0);
      const firstNew = seen.indexOf('Bearer new-token');
      assert.ok(firstNew > 0, `old then new: ${seen.length} requests`);
      assert.ok(seen.slice(0, firstNew).every((h) => h === 'Bearer old-token'));
      // Requests already in flight at the switch may still carry the old value; after that, none do.
      assert.ok(seen.slice(firstNew + 8).every((h) => h === 'Bearer new-token'), 'every later request carries the new token');
      assert.ok(seen.length - firstNew > 20);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

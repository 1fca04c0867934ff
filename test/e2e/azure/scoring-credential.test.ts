import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TokenSource } from '../../../src/azure/credentials.js';
import type { EndpointAuthToken, OnlineEndpointClient } from '../../../src/azure/online-endpoint.js';
import { scoringCredential, type RefreshClock } from '../../../src/azure/scoring-credential.js';

/** A clock whose timers fire only when the test advances it. */
class FakeClock implements RefreshClock {
  time = 1_700_000_000_000;
  private timers: { at: number; action: () => void; id: number }[] = [];
  private next = 0;
  now = (): number => this.time;
  setTimeout = (action: () => void, ms: number): unknown => {
    const id = ++this.next;
    this.timers.push({ at: this.time + ms, action, id });
    return id;
  };
  clearTimeout = (handle: unknown): void => void (this.timers = this.timers.filter((t) => t.id !== handle));
  /** Runs every timer due by `ms` from now, in order, letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.action();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.time = until;
  }
}

function endpointIssuing(answers: (() => EndpointAuthToken)[]): { endpoint: OnlineEndpointClient; calls: () => number } {
  let calls = 0;
  const endpoint = {
    names: { endpoint: 'e' },
    listKeys: async () => ({ primaryKey: 'the-key', secondaryKey: 'other' }),
    token: async () => answers[Math.min(calls++, answers.length - 1)]!(),
  } as unknown as OnlineEndpointClient;
  return { endpoint, calls: () => calls };
}

const noTokens: TokenSource = { description: 'none', getToken: () => Promise.reject(new Error('unused')) };

describe('scoring credentials', () => {
  it('uses the primary key and never refreshes it', async () => {
    const clock = new FakeClock();
    const { endpoint } = endpointIssuing([]);
    const credential = await scoringCredential('Key', endpoint, noTokens, clock);
    assert.equal(credential.header(), 'Bearer the-key');
    assert.equal(credential.expiresOnMs(), Number.POSITIVE_INFINITY);
    let refreshed = 0;
    credential.keepFresh(() => refreshed++, () => assert.fail('no error expected'));
    await clock.advance(10 * 3600_000);
    assert.equal(refreshed, 0);
  });

  it('renews an AML token at its refreshAfterTimeUtc, before it expires, and hands the new header on', async () => {
    const clock = new FakeClock();
    const seconds = (): number => Math.floor(clock.now() / 1000);
    let n = 0;
    const issue = (): EndpointAuthToken => ({ accessToken: `aml-${++n}`, tokenType: 'Bearer', expiryTimeUtc: seconds() + 600, refreshAfterTimeUtc: seconds() + 300 });
    const { endpoint, calls } = endpointIssuing([issue]);
    const credential = await scoringCredential('AMLToken', endpoint, noTokens, clock);
    const headers: string[] = [];
    credential.keepFresh((header) => headers.push(header), (reason) => assert.fail(reason));
    await clock.advance(299_000);
    assert.deepEqual(headers, []);
    await clock.advance(1_000);
    assert.deepEqual(headers, ['Bearer aml-2']);
    assert.equal(credential.header(), 'Bearer aml-2');
    await clock.advance(300_000);
    assert.deepEqual(headers, ['Bearer aml-2', 'Bearer aml-3']);
    assert.equal(calls(), 3);
    assert.deepEqual(credential.secrets(), ['aml-1', 'aml-2', 'aml-3']);
    credential.stop();
    await clock.advance(3600_000);
    assert.equal(calls(), 3);
  });

  it('retries a failed renewal while the old token works, and says when it has expired', async () => {
    const clock = new FakeClock();
    const seconds = (): number => Math.floor(clock.now() / 1000);
    const { endpoint } = endpointIssuing([
      () => ({ accessToken: 'aml-1', expiryTimeUtc: seconds() + 120, refreshAfterTimeUtc: seconds() + 60 }),
      () => {
        throw new Error('ARM throttled (429)');
      },
    ]);
    const credential = await scoringCredential('AMLToken', endpoint, noTokens, clock);
    const errors: string[] = [];
    credential.keepFresh(() => assert.fail('no new token'), (reason) => errors.push(reason));
    await clock.advance(180_000);
    assert.ok(errors.length >= 2);
    assert.match(errors[0]!, /renewing the AMLToken scoring token failed \(ARM throttled \(429\)\); retrying, 60 s before it expires/);
    assert.match(errors.at(-1)!, /expired and could not be renewed/);
  });

  it('asks the credential chain for an Entra token for ml.azure.com (AADToken endpoints)', async () => {
    const clock = new FakeClock();
    const scopes: string[] = [];
    const tokens: TokenSource = { description: 'chain', getToken: async (scope) => (scopes.push(scope), { token: 'entra', expiresOnMs: clock.now() + 3600_000 }) };
    const { endpoint } = endpointIssuing([]);
    const credential = await scoringCredential('AADToken', endpoint, tokens, clock);
    assert.equal(credential.header(), 'Bearer entra');
    credential.keepFresh(() => undefined, () => undefined);
    await clock.advance(3600_000 - 5 * 60_000);
    assert.deepEqual(scopes, ['https://ml.azure.com/.default', 'https://ml.azure.com/.default']);
  });
});

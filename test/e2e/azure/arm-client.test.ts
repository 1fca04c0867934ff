import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ArmClient, retryAfterMs } from '../../../src/azure/arm-client.js';
import { AzureError, AzureNotFoundError } from '../../../src/azure/azure-error.js';
import type { TokenSource } from '../../../src/azure/credentials.js';
import { OnlineEndpointClient, parseIsoDuration, type DeploymentNames } from '../../../src/azure/online-endpoint.js';
import { EXIT, exitCodeOfError } from '../../../src/cli/exit-codes.js';
import { startAzureStandIn, type AzureStandIn, type AzureStandInOptions } from '../../support/azure-stand-in.js';

// No Azure here: these run against test/support/azure-stand-in.ts, which answers with the published
// ARM shapes (azure-rest-api-specs, Microsoft.MachineLearningServices stable/2024-10-01).

function token(value: string): TokenSource {
  return { description: 'test token', getToken: async () => ({ token: value, expiresOnMs: Number.POSITIVE_INFINITY }) };
}

async function withStandIn(options: AzureStandInOptions, body: (standIn: AzureStandIn, waits: number[]) => Promise<void>): Promise<void> {
  const standIn = await startAzureStandIn(options);
  const waits: number[] = [];
  try {
    await body(standIn, waits);
  } finally {
    await standIn.close();
  }
}

function client(standIn: AzureStandIn, waits: number[], overrides: Partial<{ armToken: string; names: Partial<DeploymentNames>; maxRetryWaitMs: number }> = {}): OnlineEndpointClient {
  const arm = new ArmClient({
    endpoint: new URL(standIn.origin),
    credential: token(overrides.armToken ?? standIn.armToken),
    ca: standIn.ca,
    sleep: async (ms) => void waits.push(ms),
    ...(overrides.maxRetryWaitMs ? { maxRetryWaitMs: overrides.maxRetryWaitMs } : {}),
  });
  return new OnlineEndpointClient(arm, { ...standIn.names, ...overrides.names });
}

describe('ARM client against the Azure stand-in', () => {
  let standIn: AzureStandIn;
  before(async () => (standIn = await startAzureStandIn({ authMode: 'AMLToken' })));
  after(() => standIn.close());

  it('describes a deployment from the endpoint and deployment resources, with the pinned api-version', async () => {
    const info = await client(standIn, []).describe();
    assert.equal(info.scoringUri.href, `${standIn.origin}/score`);
    assert.equal(info.authMode, 'AMLToken');
    assert.equal(info.instanceType, 'Standard_DS3_v2');
    assert.equal(info.instanceCount, 2);
    assert.equal(info.maxConcurrentRequestsPerInstance, 2);
    assert.equal(info.requestTimeoutSec, 3);
    assert.equal(info.trafficPercent, 100);
    assert.ok(standIn.armCalls.length >= 2);
    for (const call of standIn.armCalls) {
      assert.equal(call.query.get('api-version'), '2024-10-01');
      assert.equal(call.authorization, `Bearer ${standIn.armToken}`);
    }
  });

  it('gets an AML token with its expiry and refresh times', async () => {
    const answer = await client(standIn, []).token();
    assert.match(answer.accessToken ?? '', /^aml-/);
    assert.ok((answer.refreshAfterTimeUtc ?? 0) < (answer.expiryTimeUtc ?? 0));
  });

  it('names a missing endpoint in one line and exits 2 (a settings mistake)', async () => {
    const error = await client(standIn, [], { names: { endpoint: 'nope' } }).describe().catch((e: unknown) => e);
    assert.ok(error instanceof AzureNotFoundError);
    assert.equal(exitCodeOfError(error), EXIT.badSettings);
    assert.match(error.message, /online endpoint "nope".*does not exist \(404, ResourceNotFound/);
    assert.doesNotMatch(error.message, /\n/);
  });

  it('refuses a rejected credential with one line that holds no token', async () => {
    const error = await client(standIn, [], { armToken: 'wrong-token-value' }).describe().catch((e: unknown) => e);
    assert.ok(error instanceof AzureError);
    assert.equal(error.azure, 'unauthorized');
    assert.equal(exitCodeOfError(error), EXIT.toolError);
    assert.match(error.message, /401, InvalidAuthenticationToken/);
    assert.doesNotMatch(error.message, /wrong-token-value|\n/);
  });
});

describe('ARM errors and throttling', () => {
  it('retries a throttled call after each Retry-After, then succeeds', async () => {
    await withStandIn({ throttle: { times: 2, retryAfterSec: 3 } }, async (standIn, waits) => {
      const info = await client(standIn, waits).describe();
      assert.equal(info.authMode, 'Key');
      assert.deepEqual(waits, [3000, 3000]);
    });
  });

  it('gives up when Retry-After asks for more than the longest wait allowed', async () => {
    await withStandIn({ throttle: { times: 1, retryAfterSec: 120 } }, async (standIn, waits) => {
      const error = await client(standIn, waits, { maxRetryWaitMs: 10_000 }).endpoint().catch((e: unknown) => e);
      assert.ok(error instanceof AzureError);
      assert.equal(error.azure, 'throttled');
      assert.match(error.message, /throttled \(429\).*asks to wait 120 s, beyond the 10 s limit/);
      assert.deepEqual(waits, []);
    });
  });

  it('refuses a deployment that is not provisioned', async () => {
    await withStandIn({ deploymentState: 'Creating' }, async (standIn, waits) => {
      const error = await client(standIn, waits).describe().catch((e: unknown) => e);
      assert.ok(error instanceof AzureError);
      assert.equal(error.azure, 'not_provisioned');
      assert.match(error.message, /deployment "blue" of endpoint "my-endpoint" is Creating, not Succeeded/);
    });
  });

  it('explains a missing role assignment', async () => {
    await withStandIn({ forbidden: true }, async (standIn, waits) => {
      const error = await client(standIn, waits).endpoint().catch((e: unknown) => e);
      assert.ok(error instanceof AzureError);
      assert.equal(error.azure, 'forbidden');
      assert.match(error.message, /403, AuthorizationFailed.*Contributor role/);
    });
  });

  it('refuses a plain-http ARM endpoint: tokens never travel in the clear', () => {
    assert.throws(() => new ArmClient({ endpoint: new URL('http://127.0.0.1:1'), credential: token('t') }), /must be https/);
  });
});

describe('Retry-After and ISO 8601 durations', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  for (const [header, expected] of [
    ['7', 7000],
    ['Wed, 01 May 2024 10:00:30 GMT', 30_000],
    ['', undefined],
    ['soon', undefined],
  ] as const) {
    it(`Retry-After "${header}" -> ${expected}`, () => assert.equal(retryAfterMs(header, now), expected));
  }
  for (const [text, seconds] of [
    ['PT5S', 5],
    ['PT0.5S', 0.5],
    ['PT1M30S', 90],
    ['P1D', 86_400],
    ['PT', undefined],
    ['5s', undefined],
  ] as const) {
    it(`duration ${text} -> ${seconds}`, () => assert.equal(parseIsoDuration(text), seconds));
  }
});

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AzureError } from '../../../src/azure/azure-error.js';
import { AML_SCORING_SCOPE, credentialFromEnvironment, jwtExpiryMs } from '../../../src/azure/credentials.js';
import { startAzureStandIn, type AzureStandIn } from '../../support/azure-stand-in.js';

const ARM_SCOPE = 'https://management.azure.com/.default';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.sig`;
}

describe('IDENTITY_ACCESS_TOKEN', () => {
  it('is the ARM token, as the seed says', async () => {
    const token = jwt({ exp: Math.floor(Date.now() / 1000) + 600, aud: 'https://management.azure.com' });
    const source = credentialFromEnvironment({ IDENTITY_ACCESS_TOKEN: token }, ARM_SCOPE);
    assert.equal(source.description, 'IDENTITY_ACCESS_TOKEN');
    const answer = await source.getToken(ARM_SCOPE);
    assert.equal(answer.token, token);
    assert.equal(answer.expiresOnMs, jwtExpiryMs(token));
  });

  it('refuses an expired token in one line, without the token', async () => {
    const token = jwt({ exp: 1_600_000_000 });
    const error = await credentialFromEnvironment({ IDENTITY_ACCESS_TOKEN: token }, ARM_SCOPE).getToken(ARM_SCOPE).catch((e: unknown) => e);
    assert.ok(error instanceof AzureError);
    assert.match(error.message, /IDENTITY_ACCESS_TOKEN expired at 2020-09-13T12:26:40.000Z/);
    assert.ok(!error.message.includes(token));
  });

  for (const [token, expected] of [
    [jwt({ exp: 1700000000 }), 1_700_000_000_000],
    [jwt({ sub: 'x' }), undefined],
    ['not-a-jwt', undefined],
    ['a.!!!.c', undefined],
  ] as const) {
    it(`reads exp from ${token.slice(0, 12)}...`, () => assert.equal(jwtExpiryMs(token), expected));
  }
});

// The real @azure/identity chain (DefaultAzureCredential), pointed at stand-ins for what it talks to:
// the Azure ML compute's managed-identity endpoint (MSI_ENDPOINT/MSI_SECRET, served by the stand-in)
// and the Azure CLI (a script named az on PATH that prints `az account get-access-token`'s JSON).
describe('the Azure credential chain', () => {
  let standIn: AzureStandIn;
  const saved = { ...process.env };
  before(async () => (standIn = await startAzureStandIn()));
  after(async () => {
    process.env = saved;
    await standIn.close();
  });

  it('takes a managed identity on Azure ML compute, for ARM and for the ml.azure.com audience', async () => {
    process.env = { ...saved, MSI_ENDPOINT: standIn.msi.endpoint, MSI_SECRET: standIn.msi.secret, DEFAULT_IDENTITY_CLIENT_ID: standIn.msi.clientId, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' };
    const source = credentialFromEnvironment(process.env, ARM_SCOPE);
    const arm = await source.getToken(ARM_SCOPE);
    const scoring = await source.getToken(AML_SCORING_SCOPE);
    assert.match(arm.token, /^entra-arm-/);
    assert.match(scoring.token, /^entra-ml-/);
    assert.ok(arm.expiresOnMs > Date.now());
  });

  it('takes an Azure CLI login', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'modelprof-az-'));
    const expires = Math.floor(Date.now() / 1000) + 3600;
    writeFileSync(
      join(bin, 'az'),
      `#!/bin/sh\necho '{"accessToken": "cli-token-for-'"$6"'", "expiresOn": "2030-01-01 00:00:00.000000", "expires_on": ${expires}, "subscription": "s", "tenant": "t", "tokenType": "Bearer"}'\n`,
    );
    chmodSync(join(bin, 'az'), 0o755);
    process.env = { ...saved, PATH: `${bin}:${saved['PATH']}`, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential' };
    const answer = await credentialFromEnvironment(process.env, ARM_SCOPE).getToken(ARM_SCOPE);
    assert.equal(answer.token, 'cli-token-for-https://management.azure.com');
    assert.equal(answer.expiresOnMs, expires * 1000);
  });

  it('says how to sign in when no credential is available', async () => {
    process.env = { ...saved, PATH: '/nonexistent', AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential' };
    const error = await credentialFromEnvironment(process.env, ARM_SCOPE).getToken(ARM_SCOPE).catch((e: unknown) => e);
    assert.ok(error instanceof AzureError);
    assert.equal(error.azure, 'no_credential');
    assert.match(error.message, /^no Azure credential for https:\/\/management.azure.com\/.default: .*az login/);
    assert.doesNotMatch(error.message, /\n/);
  });
});

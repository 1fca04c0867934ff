import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AzureError } from '../../../src/azure/azure-error.js';
import { SettingsError } from '../../../src/core/errors.js';
import { settingsFromEnvironment } from '../../../src/settings/environment.js';
import { mergeLayers } from '../../../src/settings/layers.js';
import { assertCredentialOutlastsRun, azureTargetRequest, resolveAzureTarget } from '../../../src/settings/azure-target.js';
import { settingsFor } from '../../support/settings.js';
import { standInVariables, startAzureStandIn, type AzureStandIn } from '../../support/azure-stand-in.js';

const NAMES = { SUBSCRIPTION: 'sub', RESOURCE_GROUP: 'rg', WORKSPACE: 'ws', ONLINE_ENDPOINT: 'ep', DEPLOYMENT: 'blue' };

describe('Azure target request from settings', () => {
  it('is not an Azure run without ONLINE_ENDPOINT (DEPLOYMENT alone only routes)', () => {
    assert.equal(azureTargetRequest(settingsFromEnvironment({ SCORING_URI: 'http://127.0.0.1/score', DEPLOYMENT: 'blue' })), undefined);
  });

  it('takes the five names, the ARM endpoint, the api-version and the metrics wait', () => {
    const request = azureTargetRequest(settingsFromEnvironment({ ...NAMES, ARM_ENDPOINT: 'https://management.chinacloudapi.cn', AZUREML_API_VERSION: '2025-09-01', AZURE_METRICS_WAIT: '90s' }))!;
    assert.deepEqual(request.names, { subscription: 'sub', resourceGroup: 'rg', workspace: 'ws', endpoint: 'ep', deployment: 'blue' });
    assert.equal(request.armEndpoint.origin, 'https://management.chinacloudapi.cn');
    assert.equal(request.apiVersion, '2025-09-01');
    assert.equal(request.metricsWaitMs, 90_000);
    assert.equal(request.scoringUriGiven, undefined);
  });

  it("defaults SUBSCRIPTION, RESOURCE_GROUP and WORKSPACE to the Azure ML job's own, as the seed says", () => {
    const request = azureTargetRequest(
      settingsFromEnvironment({ ONLINE_ENDPOINT: 'ep', DEPLOYMENT: 'blue', AZUREML_ARM_SUBSCRIPTION: 's2', AZUREML_ARM_RESOURCEGROUP: 'rg2', AZUREML_ARM_WORKSPACE_NAME: 'ws2' }),
    )!;
    assert.deepEqual([request.names.subscription, request.names.resourceGroup, request.names.workspace], ['s2', 'rg2', 'ws2']);
    assert.equal(request.sources.subscription, 'AZUREML_ARM_SUBSCRIPTION (set by Azure ML)');
  });

  it('names what is missing in one line', () => {
    assert.throws(
      () => azureTargetRequest(settingsFromEnvironment({ ONLINE_ENDPOINT: 'ep', DEPLOYMENT: 'blue' })),
      (error: unknown) => error instanceof SettingsError && /^ONLINE_ENDPOINT, DEPLOYMENT are set but SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE are not/.test(error.message),
    );
  });

  it('lets SCORING_URI win and says Azure Monitor is left out when names are missing', () => {
    const notes: string[] = [];
    assert.equal(azureTargetRequest(settingsFromEnvironment({ SCORING_URI: 'http://127.0.0.1/s', ONLINE_ENDPOINT: 'ep' }), (line) => notes.push(line)), undefined);
    assert.match(notes[0]!, /^target: SCORING_URI \(given\); no Azure Monitor figures: SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE, DEPLOYMENT are not set$/);
  });

  for (const [what, env, message] of [
    ['a plain-http ARM endpoint', { ...NAMES, ARM_ENDPOINT: 'http://management.azure.com' }, /: ARM_ENDPOINT must be an https:\/\/ URL/],
    ['a bad name', { ...NAMES, WORKSPACE: 'a/b' }, /: WORKSPACE "a\/b" is not an Azure resource name/],
    ['a bad metrics wait', { ...NAMES, AZURE_METRICS_WAIT: 'soon' }, /: AZURE_METRICS_WAIT must be a duration/],
    ['a plain-http ARM endpoint on a run that names no deployment', { SCORING_URI: 'http://127.0.0.1/s', ARM_ENDPOINT: 'http://x' }, /: ARM_ENDPOINT must be an https:\/\/ URL/],
    ['a bad metrics wait on a run that names no deployment', { SCORING_URI: 'http://127.0.0.1/s', AZURE_METRICS_WAIT: 'soon' }, /: AZURE_METRICS_WAIT must be a duration/],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => azureTargetRequest(settingsFromEnvironment(env)), message));
  }

  it('flags beat the environment, name by name', () => {
    const given = mergeLayers([{ deployment: { value: 'green', source: '--deployment' } }, settingsFromEnvironment(NAMES)]);
    const request = azureTargetRequest(given)!;
    assert.equal(request.names.deployment, 'green');
    assert.equal(request.sources.deployment, '--deployment');
  });
});

// Against the Azure stand-in (test/support/azure-stand-in.ts: published ARM shapes, no real Azure).
describe('Azure target resolution', () => {
  let standIn: AzureStandIn;
  let aml: AzureStandIn;
  before(async () => {
    standIn = await startAzureStandIn();
    aml = await startAzureStandIn({ authMode: 'AMLToken', amlTokenLifetimeSec: 600 });
  });
  after(async () => {
    await standIn.close();
    await aml.close();
  });

  const request = (s: AzureStandIn, extra: Record<string, string> = {}) => azureTargetRequest(settingsFromEnvironment({ ...standInVariables(s), ...extra }))!;

  it('fills the target from ARM: scoring URI, key, and CONNECTIONS/CLIENTS from maxConcurrentRequestsPerInstance', async () => {
    const lines: string[] = [];
    const target = await resolveAzureTarget(request(standIn), { env: { IDENTITY_ACCESS_TOKEN: standIn.armToken }, log: (l) => lines.push(l), ca: standIn.ca });
    assert.equal(target.layer.url?.value, `${standIn.origin}/score`);
    assert.deepEqual(target.layer.headers?.value, { Authorization: `Bearer ${standIn.key}` });
    assert.equal(target.layer.connections?.value, '2');
    assert.equal(target.layer.clients?.value, '2');
    assert.equal(target.headerUpdates, undefined, 'keys are never renewed');
    assert.deepEqual(target.description, { ...standIn.names, targetFrom: 'azure', authMode: 'Key', maxConcurrentRequestsPerInstance: 2, requestTimeoutSec: 3, instanceType: 'Standard_DS3_v2', instanceCount: 2 });
    assert.match(lines.join('\n'), /^target: Azure ML deployment "blue" of endpoint "my-endpoint".*auth Key, Standard_DS3_v2 x2, 2 concurrent requests per instance/);
    assert.ok(!lines.join('\n').includes(standIn.key));
  });

  it('renews AML tokens through header updates, and refuses the external engine when the token would expire mid-run', async () => {
    const target = await resolveAzureTarget(request(aml), { env: { IDENTITY_ACCESS_TOKEN: aml.armToken }, log: () => undefined, ca: aml.ca });
    assert.match(String(target.layer.headers?.value['Authorization']), /^Bearer aml-/);
    assert.ok(target.headerUpdates);
    const settings = { ...settingsFor({ url: 'http://127.0.0.1/score', duration: '15m', engine: 'external', tool: 'wrk2' }), azure: target.description };
    assert.throws(() => assertCredentialOutlastsRun(target, settings), /AMLToken token of endpoint "my-endpoint" expires in 9 min, before this run ends/);
    assert.doesNotThrow(() => assertCredentialOutlastsRun(target, { ...settings, engine: 'builtin' }));
  });

  it('keeps SCORING_URI as the target and uses the names for metrics and the concurrency default', async () => {
    const lines: string[] = [];
    const target = await resolveAzureTarget({ ...request(standIn), scoringUriGiven: 'SCORING_URI' }, { env: { IDENTITY_ACCESS_TOKEN: standIn.armToken }, log: (l) => lines.push(l), ca: standIn.ca });
    assert.equal(target.layer.url, undefined);
    assert.equal(target.layer.headers, undefined);
    assert.equal(target.layer.connections?.value, '2');
    assert.equal(target.description.targetFrom, 'scoring_uri');
    assert.match(lines[0]!, /^target: SCORING_URI \(given, it wins\)/);
  });

  it('goes on without Azure when SCORING_URI is the target and the lookup fails', async () => {
    const lines: string[] = [];
    const target = await resolveAzureTarget({ ...request(standIn), scoringUriGiven: 'SCORING_URI' }, { env: { IDENTITY_ACCESS_TOKEN: 'not-valid' }, log: (l) => lines.push(l), ca: standIn.ca });
    assert.equal(target.deployment, undefined);
    assert.deepEqual(target.layer, {});
    assert.match(lines[0]!, /could not be read for Azure Monitor: .*401/);
  });

  it('stops with one line when the lookup fails and Azure is the target', async () => {
    const error = await resolveAzureTarget(request(standIn, { ONLINE_ENDPOINT: 'other' }), { env: { IDENTITY_ACCESS_TOKEN: standIn.armToken }, log: () => undefined, ca: standIn.ca }).catch((e: unknown) => e);
    assert.ok(error instanceof SettingsError && !(error instanceof AzureError));
    assert.match(error.message, /online endpoint "other".*does not exist/);
  });
});

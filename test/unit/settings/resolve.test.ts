import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { parseDuration } from '../../../src/settings/duration.js';
import { settingsFromEnvironment } from '../../../src/settings/environment.js';
import { parseHeaderFlags } from '../../../src/settings/headers.js';
import type { SettingsLayer } from '../../../src/settings/layers.js';
import { DEFAULTS, resolveSettings } from '../../../src/settings/resolve.js';

const folder = mkdtempSync(join(tmpdir(), 'modelprof-settings-'));
const payloadFile = join(folder, 'payload.txt');
writeFileSync(payloadFile, '{"data": [[1,2,3,4,5,6,7,8,9,10]]}\n\n{"data": [[10,9,8,7,6,5,4,3,2,1]]}\n');
const emptyFile = join(folder, 'empty.txt');
writeFileSync(emptyFile, '\n\n');
const URL_OK = 'http://127.0.0.1:5001/score';

function flags(values: Record<string, string>): SettingsLayer {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value, source: `--${key}` }]));
}

/** Settings from flags and environment, as `modelprof run` resolves them. */
function resolve(flagValues: Record<string, string>, env: Record<string, string> = {}) {
  return resolveSettings([flags(flagValues), settingsFromEnvironment(env)], env);
}

describe('parseDuration', () => {
  for (const [text, seconds] of [
    ['30', 30],
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['500ms', 0.5],
    ['1.5s', 1.5],
    ['7d', 604_800],
  ] as const) {
    it(`reads "${text}" as ${seconds} s`, () => assert.equal(parseDuration(text, 'DURATION'), seconds));
  }
});

describe('resolveSettings', () => {
  it("uses the seed's defaults", () => {
    const settings = resolve({ url: URL_OK });
    assert.equal(settings.tool, DEFAULTS.tool);
    assert.equal(settings.durationSec, 300);
    assert.equal(settings.connections, 1);
    assert.equal(settings.threads, 1);
    assert.equal(settings.rate, 50);
    assert.equal(settings.clients, 1);
    assert.equal(settings.timeoutSec, 10);
    assert.equal(settings.method, 'GET');
  });

  it("reads the seed's environment variables", () => {
    const settings = resolve(
      {},
      {
        SCORING_URI: URL_OK,
        PROFILING_TOOL: 'labench',
        DURATION: '30s',
        CONNECTIONS: '8',
        THREAD: '2',
        TARGET_RPS: '120',
        CLIENTS: '4',
        TIMEOUT: '2s',
        PAYLOAD: '{"data": [[1,2,3,4,5,6,7,8,9,10]]}',
        SCORING_HEADERS: '{"Authorization": "Bearer ${KEY}", "azureml-model-deployment": "blue"}',
        KEY: 'sekrit',
      },
    );
    assert.deepEqual(
      [settings.url.href, settings.tool, settings.durationSec, settings.connections, settings.threads, settings.rate, settings.clients, settings.timeoutSec],
      [URL_OK, 'labench', 30, 8, 2, 120, 4, 2],
    );
    assert.equal(settings.method, 'POST');
    assert.equal(settings.headers['Authorization'], 'Bearer sekrit');
    assert.equal(settings.headers['Content-Type'], 'application/json');
    assert.deepEqual(settings.payload.bodies, ['{"data": [[1,2,3,4,5,6,7,8,9,10]]}']);
  });

  it('lets flags override environment variables, and a payload file beat PAYLOAD', () => {
    const settings = resolve({ url: URL_OK, tool: 'wrk2', rate: '10', payloadFile }, { SCORING_URI: 'http://127.0.0.1:1/x', TARGET_RPS: '99', PAYLOAD: '{}' });
    assert.equal(settings.url.href, URL_OK);
    assert.equal(settings.rate, 10);
    assert.equal(settings.payload.bodies.length, 2, 'blank lines are skipped');
  });

  it('adds the deployment header from DEPLOYMENT, as the seed\'s default SCORING_HEADERS does', () => {
    const settings = resolve({}, { SCORING_URI: URL_OK, DEPLOYMENT: 'green' });
    assert.equal(settings.headers['azureml-model-deployment'], 'green');
  });

  const invalid: [name: string, flagValues: Record<string, string>, env: Record<string, string>, message: RegExp][] = [
    ['no target', {}, {}, /^no target: set --url \(or SCORING_URI\)/],
    ['a URL that is not http(s)', { url: 'ftp://127.0.0.1/x' }, {}, /^--url must be an http:\/\/ or https:\/\/ URL, got a "ftp:" URL$/],
    ['a URL that does not parse', {}, { SCORING_URI: 'not a url' }, /^SCORING_URI must be an absolute http/],
    ['an unknown tool', { url: URL_OK, tool: 'ab' }, {}, /^--tool must be one of wrk, wrk2, labench, got "ab"$/],
    ['an unknown tool from the environment', {}, { SCORING_URI: URL_OK, PROFILING_TOOL: 'hey' }, /^PROFILING_TOOL must be one of wrk, wrk2, labench/],
    ['an unknown engine', { url: URL_OK, engine: 'k6' }, {}, /^--engine must be one of builtin, external/],
    ['rate 0', { url: URL_OK, rate: '0' }, {}, /^--rate must be a number greater than 0, got "0"$/],
    ['a negative rate', {}, { SCORING_URI: URL_OK, TARGET_RPS: '-5' }, /^TARGET_RPS must be a number greater than 0, got "-5"$/],
    ['connections below threads', { url: URL_OK, connections: '1', threads: '4' }, {}, /^--connections \(1\) must be at least --threads \(4\)/],
    ['fractional connections', { url: URL_OK, connections: '2.5' }, {}, /^--connections must be a whole number of at least 1, got "2.5"$/],
    ['zero clients', {}, { SCORING_URI: URL_OK, CLIENTS: '0' }, /^CLIENTS must be a whole number of at least 1, got "0"$/],
    ['a bad duration', { url: URL_OK, duration: '5 minutes' }, {}, /^--duration must be a duration like 30, 30s, 500ms, 5m, 1h or 1d, got "5 minutes"$/],
    ['a zero duration', {}, { SCORING_URI: URL_OK, DURATION: '0s' }, /^DURATION must be longer than 0, got "0s"$/],
    ['a bad timeout', {}, { SCORING_URI: URL_OK, TIMEOUT: 'soon' }, /^TIMEOUT must be a duration/],
    ['SCORING_HEADERS not JSON', {}, { SCORING_URI: URL_OK, SCORING_HEADERS: 'Authorization: x' }, /^SCORING_HEADERS must be a JSON object/],
    ['SCORING_HEADERS a JSON array', {}, { SCORING_URI: URL_OK, SCORING_HEADERS: '["a"]' }, /^SCORING_HEADERS must be a JSON object of header names to string values, got a JSON array$/],
    ['a header referring to an unset variable', {}, { SCORING_URI: URL_OK, SCORING_HEADERS: '{"Authorization": "Bearer ${NOPE}"}' }, /^header "Authorization" refers to \$\{NOPE\}, which is not set/],
    ['an empty payload file', { url: URL_OK, payloadFile: emptyFile }, {}, /^--payloadFile ".*empty.txt" is empty: expected one request body per line$/],
    ['a missing payload file', { url: URL_OK, payloadFile: join(folder, 'nope.txt') }, {}, /^--payloadFile ".*nope.txt" cannot be read \(ENOENT\)$/],
    ['a payload that is not JSON', {}, { SCORING_URI: URL_OK, PAYLOAD: '{data: 1}' }, /^PAYLOAD is not valid JSON/],
    ['no target but an Azure name (the Azure lookup comes before this)', {}, { ONLINE_ENDPOINT: 'my-endpoint' }, /^no target: .* or name an Azure ML deployment with SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE, ONLINE_ENDPOINT and DEPLOYMENT$/],
  ];
  for (const [name, flagValues, env, message] of invalid) {
    it(`stops on ${name}`, () => {
      assert.throws(() => resolve(flagValues, env), (error: unknown) => {
        assert.ok(error instanceof SettingsError, String(error));
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'), 'one line');
        return true;
      });
    });
  }
});

describe('parseHeaderFlags', () => {
  it('reads "Name: value" and keeps colons in values', () => {
    assert.deepEqual(parseHeaderFlags(['Authorization: Bearer a:b', 'X-Id:7'], '--header'), { Authorization: 'Bearer a:b', 'X-Id': '7' });
  });
  for (const flag of ['Bearer abc', ': value', 'Bad Name: x']) {
    it(`rejects ${JSON.stringify(flag)} without echoing the value`, () => {
      assert.throws(() => parseHeaderFlags([flag], '--header'), (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.match(error.message, /^--header must be "Name: value"/);
        assert.ok(!error.message.includes('abc') && !error.message.includes(' x'));
        return true;
      });
    });
  }
});

describe('redaction', () => {
  it('hides credentials by header name and by the look of the value, and keeps the rest', async () => {
    const { redactHeaders, redactUrl } = await import('../../../src/core/redact.js');
    assert.deepEqual(
      redactHeaders({
        Authorization: 'Bearer a',
        'Ocp-Apim-Subscription-Key': 'k',
        'X-Upstream': 'Bearer eyJhbGciOi.x.y',
        'X-Forwarded': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
        'azureml-model-deployment': 'blue',
        'Content-Type': 'application/json',
      }),
      {
        Authorization: '<redacted>',
        'Ocp-Apim-Subscription-Key': '<redacted>',
        'X-Upstream': '<redacted>',
        'X-Forwarded': '<redacted>',
        'azureml-model-deployment': 'blue',
        'Content-Type': 'application/json',
      },
    );
    assert.equal(redactUrl(new URL('https://u:p@host/score?code=abc&model=x')), 'https://redacted:redacted@host/score?code=redacted&model=x');
  });
});

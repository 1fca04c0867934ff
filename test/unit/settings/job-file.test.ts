import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { SettingsError } from '../../../src/core/errors.js';
import { compileSchema, schemaProblems } from '../../../src/core/schema.js';
import { jobBaseDir, nearestKey, readJobFile, setOverrides } from '../../../src/settings/job-file.js';
import { assembleRunRequest } from '../../../src/settings/run-request.js';

const folder = mkdtempSync(join(tmpdir(), 'modelprof-job-'));
function jobFile(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}
writeFileSync(join(folder, 'payload.txt'), '{"data": [[1,2,3,4,5,6,7,8,9,10]]}\n');

const JOB = `$schema: ../schema/job.schema.json
experiment_name: profiling-job
display_name: Standard_DS2_v2:8
target:
  url: http://127.0.0.1:5001/score
  headers:
    Authorization: Bearer \${ENDPOINT_KEY}
    azureml-model-deployment: blue
payload:
  file: payload.txt
tool: wrk2
settings:
  duration: 60s
  connections: 8
  rate: 200
environment_variables:
  TARGET_RPS: 999
  TIMEOUT: 3s
monitors:
  prometheus: [http://127.0.0.1:9100/metrics]
  prometheus_server: http://127.0.0.1:9090
  queries:
    gpu: avg(DCGM_FI_DEV_GPU_UTIL)
sla: p99<=200ms, error_rate<0.1%
`;

/** flags > --set > file > file's environment_variables > process environment > defaults */
function resolveJob(path: string, sets: string[], flags: Record<string, string> = {}, env: Record<string, string> = {}) {
  const flagLayer = Object.fromEntries(Object.entries(flags).map(([key, value]) => [key, { value, source: `--${key}` }]));
  const jobs = [
    ...(sets.length > 0 ? [{ document: setOverrides(sets), origin: '--set', baseDir: process.cwd() }] : []),
    { document: readJobFile(path), origin: 'job.yml', baseDir: jobBaseDir(path) },
  ];
  const { settings, job } = assembleRunRequest({ layers: [flagLayer], jobs, environment: env, env });
  return { settings, extras: job };
}

describe('job files', () => {
  it('reads a job file with the documented precedence', () => {
    const path = jobFile('job.yml', JOB);
    const env = { ENDPOINT_KEY: 'k3y', CONNECTIONS: '50', CLIENTS: '7' };
    const { settings, extras } = resolveJob(path, ['settings.rate=300', 'settings.duration=30s'], { duration: '10s' }, env);
    assert.equal(settings.durationSec, 10, 'flag beats --set');
    assert.equal(settings.rate, 300, '--set beats the file');
    assert.equal(settings.connections, 8, 'the file beats the environment');
    assert.equal(settings.timeoutSec, 3, "the file's environment_variables fill what its keys leave open");
    assert.equal(settings.clients, 7, 'the environment fills what the file leaves open');
    assert.equal(settings.tool, 'wrk2');
    assert.equal(settings.headers['Authorization'], 'Bearer k3y', '${VAR} expands from the environment');
    assert.equal(settings.payload.bodies.length, 1, 'payload.file is read relative to the job file');
    assert.equal(extras.sla, 'p99<=200ms, error_rate<0.1%');
    assert.equal(extras.displayName, 'Standard_DS2_v2:8');
    assert.deepEqual(extras.monitors, { prometheus: ['http://127.0.0.1:9100/metrics'], prometheusServer: 'http://127.0.0.1:9090', query: ['gpu=avg(DCGM_FI_DEV_GPU_UTIL)'] });
  });

  const mistakes: [name: string, text: string, message: RegExp][] = [
    ['an unknown key with a suggestion', 'tool: wrk\nsetings:\n  rate: 3\n', /unknown key "setings" \(did you mean "settings"\?\)/],
    ['an unknown nested key with a suggestion', 'settings:\n  rte: 3\n', /unknown key "settings.rte" \(did you mean "settings.rate"\?\)/],
    ['an unknown key far from any', 'zzzzzzzz: 1\n', /unknown key "zzzzzzzz" \(known: .*experiment_name/],
    ['a wrong type', 'target:\n  url: [1, 2]\n', /"target.url" must be a string, got a list/],
    ['an unknown tool', 'tool: ab\n', /"tool" must be one of wrk, wrk2, labench, got "ab"/],
    ['invalid YAML, with its line', 'tool: wrk\nsettings:\n  rate: 3\ntool: wrk2\n', /line 4 is not valid YAML: Map keys must be unique/],
    ['a list at the top', '- a\n- b\n', /must be a mapping/],
  ];
  for (const [name, text, message] of mistakes) {
    it(`rejects ${name}`, () => {
      const path = jobFile('bad.yml', text);
      assert.throws(() => readJobFile(path), (error: unknown) => error instanceof SettingsError && message.test(error.message) && !error.message.includes('\n'));
    });
  }

  it('rejects --set on unknown keys with a suggestion, and on sections', () => {
    assert.throws(() => setOverrides(['settings.rat=5']), /--set: unknown key "settings.rat" \(did you mean "settings.rate"\?\)/);
    assert.throws(() => setOverrides(['settings=5']), /--set settings names a section/);
    assert.throws(() => setOverrides(['rate']), /--set must be key.path=value/);
  });

  it('rejects invalid values from the file with the key as its source', () => {
    const path = jobFile('rate.yml', 'target:\n  url: http://127.0.0.1:1/x\nsettings:\n  rate: 0\n');
    assert.throws(() => resolveJob(path, []), /^SettingsError: job.yml settings.rate must be a number greater than 0, got "0"$/);
  });

  it('suggests only near keys', () => {
    assert.equal(nearestKey('durration', ['duration', 'warmup']), 'duration');
    assert.equal(nearestKey('qqq', ['duration', 'warmup']), undefined);
  });

  it("the product's check and the published schema (for editors) agree, on the example and on every mistake", () => {
    // The product walks schema/job.schema.json itself (readJobFile); editors run a JSON Schema validator
    // on the same file. The two must accept and refuse the same documents.
    const validate = compileSchema('job.schema.json', { allErrors: true });
    const documents: [string, string][] = [['the example', JOB], ...mistakes.filter(([name]) => !/YAML|at the top/.test(name)).map(([name, text]): [string, string] => [name, text])];
    for (const [name, text] of documents) {
      const path = jobFile('agree.yml', text);
      const productAccepts = (() => {
        try {
          readJobFile(path);
          return true;
        } catch (error) {
          if (!(error instanceof SettingsError)) throw error;
          return false;
        }
      })();
      assert.equal(schemaProblems(validate, parse(text)).length === 0, productAccepts, `${name}: the schema and the product disagree`);
    }
  });
});

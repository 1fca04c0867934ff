import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { parseSla } from '../../../src/judge/sla.js';
import { checkGeneratorLimits, type MachineLimits } from '../../../src/load/machine-limits.js';
import { readReportFile } from '../../../src/report/read-report.js';
import { BOUNDS } from '../../../src/settings/bounds.js';
import { FILE_BOUNDS, formatBytes, type FileKind } from '../../../src/core/bounded-file.js';
import { SEED_VARIABLES, settingsFromEnvironment } from '../../../src/settings/environment.js';
import { parseHeaderFlags } from '../../../src/settings/headers.js';
import { readJobFile } from '../../../src/settings/job-file.js';
import type { SettingsLayer } from '../../../src/settings/layers.js';
import { resolveSettings } from '../../../src/settings/resolve.js';
import { assembleRunRequest } from '../../../src/settings/run-request.js';
import { buildReport } from '../../../src/report/build-report.js';
import { prepareOutputDir } from '../../../src/run/output-files.js';
import type { Report } from '../../../src/report/report.js';
import { readSweepFile } from '../../../src/sweep/sweep-file.js';
import { syntheticReport } from '../../support/sample-reports.js';

// Every kind of bad input issue 12's probes found accepted, or answered with a stack trace: each
// must be one SettingsError line (exit 2) naming the setting, before anything is sent.

const folder = mkdtempSync(join(tmpdir(), 'modelprof-refusals-'));
function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function refused(action: () => unknown, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof SettingsError, String(error));
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
    return true;
  });
}

function resolve(values: Record<string, string>, headers: Record<string, string> = {}, env: Record<string, string> = {}) {
  const layer: SettingsLayer = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value, source: `--${key}` }]));
  if (Object.keys(headers).length > 0) layer.headers = { value: headers, source: '--header' };
  return resolveSettings([layer, settingsFromEnvironment(env)], env);
}

const HTTP = { url: 'http://127.0.0.1:5001/score' };
const HTTPS = { url: 'https://model.example.com/score' };
const BODY = { ...HTTP, payload: '{"data": [1]}' };

describe('request headers the engine owns', () => {
  const cases: [name: string, values: Record<string, string>, headers: Record<string, string>, message: RegExp | undefined][] = [
    ['Transfer-Encoding', BODY, { 'Transfer-Encoding': 'chunked' }, /^header "Transfer-Encoding" is the engine's own/],
    ['Connection', HTTP, { Connection: 'close' }, /^header "Connection" is the engine's own/],
    ['Keep-Alive', HTTP, { 'keep-alive': 'timeout=5' }, /^header "keep-alive" is the engine's own/],
    ['Upgrade', HTTP, { Upgrade: 'h2c' }, /^header "Upgrade" is the engine's own/],
    ['TE', HTTP, { TE: 'trailers' }, /^header "TE" is the engine's own/],
    ['a Content-Length that is not the body\'s', BODY, { 'Content-Length': '5' }, /^header "Content-Length" does not match the body \(the body is 13 bytes\)/],
    ['a Content-Length on a request without a body', HTTP, { 'Content-Length': '10' }, /^header "Content-Length" does not match the body \(the body is 0 bytes\)/],
    ['the body\'s own Content-Length', BODY, { 'Content-Length': '13' }, undefined],
    ['a Host with a path', HTTP, { Host: 'example.com/x' }, /^header "Host" must be host or host:port/],
    ['a Host other than the https URL\'s', HTTPS, { Host: 'other.example.com' }, /^header "Host" names another host than the https URL \(model.example.com\)/],
    ['the https URL\'s own Host, with a port', HTTPS, { Host: 'model.example.com:443' }, undefined],
    ['another Host over http (a virtual host reached by address)', HTTP, { Host: 'model.internal:8080' }, undefined],
  ];
  for (const [name, values, headers, message] of cases) {
    it(message ? `refuses ${name}` : `accepts ${name}`, () => {
      if (message) refused(() => resolve(values, headers), message);
      else assert.doesNotThrow(() => resolve(values, headers));
    });
  }
});

describe('header values RFC 9110 does not allow, refused without quoting them', () => {
  const cases: [what: string, value: string, env: Record<string, string>, message: RegExp | undefined][] = [
    ['a control character', 'Bearer s3cr3t\x01', {}, /^header "Authorization" has a control character \(U\+0001\) in its value at character 14: RFC 9110 allows/],
    ['a line break', 'Bearer s3cr3t\r\nX-Injected: 1', {}, /^header "Authorization" has a line break \(U\+000D\) in its value/],
    ['DEL', 'Bearer s3cr3t\x7f', {}, /^header "Authorization" has a control character \(U\+007F\)/],
    ['a character with no byte of its own', 'Bearer s3cr3t\u2013', {}, /^header "Authorization" has a character beyond Latin-1 \(U\+2013\)/],
    ['a control character from the environment', '${KEY}', { KEY: 's3cr3t\x00' }, /^header "Authorization" has a control character \(U\+0000\)/],
    ['tabs, spaces and Latin-1', 'Bearer s3cr3t\tcaf\u00e9', {}, undefined],
  ];
  for (const [what, value, env, message] of cases) {
    it(message ? `refuses ${what}` : `accepts ${what}`, () => {
      if (message === undefined) return void assert.doesNotThrow(() => resolve(HTTP, { Authorization: value }, env));
      refused(() => resolve(HTTP, { Authorization: value }, env), message);
      assert.throws(() => resolve(HTTP, { Authorization: value }, env), (error: Error) => !error.message.includes('s3cr3t'));
    });
  }
});

describe('bounds of the numeric settings', () => {
  const cases: [values: Record<string, string>, message: RegExp][] = [
    [{ tool: 'wrk2', rate: '1e12' }, /^--rate must be at most 1,000,000 req\/s, got "1e12": /],
    [{ tool: 'wrk2', rate: '0.0001' }, /^--rate must be at least 0.001 req\/s, got "0.0001"$/],
    [{ connections: '1000000' }, /^--connections must be at most 100,000, got "1000000": /],
    [{ tool: 'labench', clients: '100000000' }, /^--clients must be at most 100,000, got "100000000": /],
    [{ threads: '1000', connections: '1000' }, /^--threads must be at most 256, got "1000": /],
    [{ duration: '600h' }, /^--duration must be at most 86,400 s, got "600h": /],
    [{ warmup: '2h' }, /^--warmup must be at most 3,600 s, got "2h": /],
    [{ timeout: '2h' }, /^--timeout must be at most 3,600 s, got "2h": the latency histograms record up to 1 h$/],
    [{ api: 'openai-chat', inputTokens: '100000000' }, /^--inputTokens must be at most 1,000,000 tokens, got "100000000": beyond the longest context windows/],
    [{ api: 'openai-chat', inputTokens: '999999:2' }, /^--inputTokens \(mean \+ spread\) must be at most 1,000,000 tokens, got "999999:2"/],
    [{ api: 'openai-chat', inputTokens: '64', outputTokens: '1e9' }, /^--outputTokens must be a token count/],
    [{ api: 'openai-chat', inputTokens: '64', outputTokens: '2000000' }, /^--outputTokens must be at most 1,000,000 tokens/],
  ];
  for (const [values, message] of cases) {
    it(`refuses ${JSON.stringify(values)}`, () => refused(() => resolve({ ...HTTP, ...values }), message));
  }
  it('accepts each bound itself', () => {
    const settings = resolve({ ...HTTP, tool: 'wrk2', rate: String(BOUNDS.rate.max), duration: '24h', warmup: '1h', timeout: '1h', connections: '100000' });
    assert.deepEqual([settings.rate, settings.durationSec, settings.warmupSec, settings.timeoutSec, settings.connections], [1_000_000, 86_400, 3_600, 3_600, 100_000]);
    assert.equal(resolve({ ...HTTP, tool: 'labench', clients: '100000' }).clients, 100_000);
  });
});

describe('the README states every bound', () => {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const rows = readme.slice(readme.indexOf('## Reliability')).split('\n').filter((line) => line.startsWith('| '));
  const stated: [name: keyof typeof BOUNDS, flag: string, text: string, value: number][] = [
    ['rate', '`-R, --rate`', '1,000,000 req/s', 1_000_000],
    ['connections', '`-c, --connections`', 'at most 100,000', 100_000],
    ['clients', '`--clients`', 'at most 100,000', 100_000],
    ['threads', '`-t, --threads`', 'at most 256', 256],
    ['duration', '`-d, --duration`', 'at most 24 h', 86_400],
    ['warmup', '`--warmup`', 'at most 1 h', 3_600],
    ['timeout', '`--timeout`', 'at most 1 h', 3_600],
    ['serveTimeout', '`--serve-timeout`', 'at most 1 h', 3_600],
    ['monitorInterval', '`--monitor-interval`', 'to 1 h', 3_600_000],
    ['cooldown', '`--cooldown`', 'at most 1 h', 3_600],
    ['maxTime', '`--max-time`', 'at most 7 days', 7 * 86_400],
    ['factor', '`--factor`', 'at most 100', 100],
    ['startAhead', '`--start-at`', 'at most 24 h ahead', 86_400],
    ['shards', '`--shards`', 'at most 10,000', 10_000],
    ['instances', '`--instances`', 'at most 100,000', 100_000],
    ['cores', '`--cores`', 'at most 100,000', 100_000],
    ['price', '`--price-per-hour`', 'at most 1,000,000', 1_000_000],
    ['tokens', '`--input-tokens`', 'at most 1,000,000 tokens', 1_000_000],
    ['sweepPoints', 'a sweep\'s `grid`', 'at most 1,000 points', 1_000],
  ];
  it('lists each bound in code once, in its Reliability table', () => assert.deepEqual(stated.map(([name]) => name).sort(), Object.keys(BOUNDS).sort()));
  for (const [name, flag, text, value] of stated) {
    it(`${name}: ${flag} ${text}`, () => {
      assert.equal(BOUNDS[name].max, value);
      const row = rows.find((line) => line.includes(flag));
      assert.ok(row?.includes(text), `README row for ${flag}: ${row}`);
    });
  }
  const files: [kind: FileKind, file: string, text: string][] = [
    ['payload', '`--payload-file`, a job', 'at most 64 MiB and 100,000 lines'],
    ['dataset', '`--dataset`', 'at most 64 MiB and 100,000 lines'],
    ['trace', '`--trace`', 'at most 256 MiB and 1,000,000 lines'],
    ['settings', 'a job file', 'at most 1 MiB'],
    ['report', 'report.json', 'at most 256 MiB'],
  ];
  it('lists each file bound in code once, in its Reliability table', () => assert.deepEqual(files.map(([kind]) => kind).sort(), Object.keys(FILE_BOUNDS).sort()));
  for (const [kind, name, text] of files) {
    it(`${kind} files: ${text}`, () => {
      const bound = FILE_BOUNDS[kind];
      const row = rows.find((line) => line.startsWith(`| ${name}`));
      assert.ok(row?.includes(text), `README row for ${name}: ${row}`);
      const lines = bound.maxLines === undefined ? '' : ` and ${bound.maxLines.toLocaleString('en-US')} lines`;
      assert.ok(text === `at most ${formatBytes(bound.maxBytes)}${lines}`, text);
    });
  }
});

describe('checkGeneratorLimits: what this machine can generate', () => {
  const machine: MachineLimits = { openFiles: 20_000, localPorts: 28_232, cores: 2 };
  const cases: [values: Record<string, string>, message: RegExp | undefined][] = [
    [{ connections: '20001' }, /^20001 connections \(CONNECTIONS\) need more than 20001 open files, but this process may open 20000 \(ulimit -n\): raise the limit \(ulimit -n 20065\) or split/],
    [{ tool: 'labench', clients: '20001' }, /^20001 clients \(CLIENTS\) need more than/],
    [{ connections: '20000' }, undefined],
    [{ connections: '100000' }, /open files/],
    [{ threads: '9', connections: '9' }, /^9 threads \(THREAD\) exceed 4 per core of this machine's 2 \(8\)/],
    [{ threads: '8', connections: '8000' }, undefined],
  ];
  for (const [values, message] of cases) {
    it(message ? `refuses ${JSON.stringify(values)}` : `accepts ${JSON.stringify(values)}`, () => {
      const settings = resolve({ ...HTTP, ...values });
      if (message) refused(() => checkGeneratorLimits(settings, machine), message);
      else checkGeneratorLimits(settings, machine);
    });
  }
  it('refuses more connections than local ports, with files to spare', () => {
    refused(() => checkGeneratorLimits(resolve({ ...HTTP, connections: '30000' }), { ...machine, openFiles: 1_048_576 }), /^30000 connections \(CONNECTIONS\) exceed the 28232 local ports/);
  });
});

describe('bad files: one line, never a stack trace', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
  it('refuses a YAML alias bomb as a job file and as a sweep file', () => {
    const path = file('bomb.yml', bomb);
    refused(() => readJobFile(path), /^job file ".*bomb.yml" is not usable YAML: its aliases expand far beyond the file/);
    refused(() => readSweepFile(path), /^sweep file ".*bomb.yml" is not usable YAML: its aliases expand far beyond the file/);
  });
  it('names an environment_variables typo and the variable meant', () => {
    const path = file('typo.yml', 'target: { url: http://127.0.0.1:5001/score }\nenvironment_variables:\n  DURATON: 30s\n');
    refused(() => readJobFile(path), /unknown key "environment_variables.DURATON" \(did you mean "environment_variables.DURATION"\?\)$/);
  });
  it('lists the same seed variables in the job schema as the code reads', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../../schema/job.schema.json', import.meta.url), 'utf8')) as {
      properties: { environment_variables: { properties: Record<string, unknown> } };
    };
    assert.deepEqual(Object.keys(schema.properties.environment_variables.properties).sort(), [...SEED_VARIABLES].sort());
  });

  const histogramCases: [where: string, damage: (report: Record<string, unknown>) => void][] = [
    ['histogram', (report) => (report['histogram'] = 'AAAA')],
    ['histogramUncorrected', (report) => (report['histogramUncorrected'] = 'bm90IGEgaGlzdG9ncmFt')],
    ['timeline[1].histogram', (report) => ((report['timeline'] as Record<string, unknown>[])[1]!['histogram'] = 'HISTFAAAACB4nJNpmSzMwMDAxAABzFCaEUzOn3SCAQA0rwK7')],
  ];
  for (const [where, damage] of histogramCases) {
    it(`refuses a report whose ${where} is not an HdrHistogram V2`, async () => {
      const report = syntheticReport({ seconds: 3 }) as unknown as Record<string, unknown>;
      damage(report);
      const path = file('damaged.json', JSON.stringify(report));
      await assert.rejects(readReportFile(path), (error: unknown) => {
        assert.ok(error instanceof SettingsError, String(error));
        assert.equal(error.message.split(': ')[1], 'not a valid modelprof report');
        assert.ok(error.message.includes(`${where} is not an HdrHistogram V2`), error.message);
        return true;
      });
    });
  }
});

describe('reports whose figures contradict each other', () => {
  const cases: [what: string, edit: (report: Report) => void, message: string | undefined][] = [
    ['requests.ok above requests.total', (report) => (report.requests.ok = report.requests.total + 100), 'requests.total (600) is not requests.ok + requests.errors (700 + 0)'],
    ['errors the kinds do not account for', (report) => { report.requests.errors = 5; report.requests.ok -= 5; }, 'errors.byKind adds up to 0, but requests.errors is 5'],
    ['a second with more errors than requests', (report) => (report.timeline[1]!.errors = report.timeline[1]!.requests + 1), 'timeline[1] has more errors (201) than requests (200)'],
    ['nothing', () => undefined, undefined],
  ];
  for (const [what, edit, message] of cases) {
    it(message ? `refuses ${what}` : `reads a report with ${what} edited`, async () => {
      const report = syntheticReport({ seconds: 3 });
      edit(report);
      const path = file('edited.json', JSON.stringify(report));
      if (message === undefined) return void (await readReportFile(path));
      await assert.rejects(readReportFile(path), (error: unknown) => {
        assert.ok(error instanceof SettingsError, String(error));
        assert.equal(error.message, `${path}: not a valid modelprof report: ${message}`);
        return true;
      });
    });
  }
});

describe('values that were accepted and meant nothing', () => {
  it('refuses an error_rate above 100%', () => {
    refused(() => parseSla('error_rate<200%'), /error_rate is a share of the requests, so at most 100%, got 200%$/);
    assert.equal(parseSla('error_rate<=100%')[0]!.threshold, 1);
  });
  it('carries a job file\'s display_name and experiment_name into the report', () => {
    const path = file('named.yml', 'display_name: DS3_v2:16\nexperiment_name: sku-sweep\ntarget: { url: http://127.0.0.1:5001/score }\n');
    const { settings } = assembleRunRequest({ jobs: [{ document: readJobFile(path), origin: path, baseDir: folder }], env: {} });
    const report = buildReport(settings, { ...syntheticResult() });
    assert.equal(report.displayName, 'DS3_v2:16');
    assert.equal(report.experimentName, 'sku-sweep');
  });
});

describe('--insecure on an http URL, for every engine alike', () => {
  const cases: [engine: Record<string, string>, url: string, insecure: boolean, note: string | undefined][] = [
    [{}, HTTP.url, false, '--insecure does nothing here: http has no certificate to check'],
    [{ engine: 'external', tool: 'labench', rate: '10' }, HTTP.url, false, '--insecure does nothing here: http has no certificate to check'],
    [{ engine: 'external', tool: 'wrk' }, HTTP.url, false, '--insecure does nothing here: http has no certificate to check'],
    [{}, HTTPS.url, true, undefined],
  ];
  for (const [engine, url, insecure, note] of cases) {
    it(`${JSON.stringify(engine)} ${url}: ${note ?? 'insecure'}`, () => {
      const layer: SettingsLayer = Object.fromEntries(Object.entries({ ...engine, url }).map(([key, value]) => [key, { value, source: `--${key}` }]));
      const { settings } = assembleRunRequest({ layers: [layer], env: {}, insecure: true });
      assert.equal(settings.insecure === true, insecure);
      assert.equal(settings.notes?.find((line) => line.startsWith('--insecure')), note);
    });
  }
});

describe('--tool-path with the builtin engine, which runs no external program', () => {
  it('refuses it as a flag', () => refused(() => resolve({ ...HTTP, toolPath: '/nonexistent' }), /^--toolPath is not used by the builtin engine \(it names the external programs\); give --engine external with it$/));
  it('notes it as TOOL_PATH', () => {
    const settings = resolve(HTTP, {}, { TOOL_PATH: '/opt/tools' });
    assert.ok(settings.notes?.includes('the builtin engine does not use TOOL_PATH (it names the external programs): it is ignored'), String(settings.notes));
  });
});

describe('errors name the setting as the user gave it', () => {
  const cases: [how: string, values: Record<string, string>, env: Record<string, string>, source: string][] = [
    ['OUTPUT_DIR', {}, { OUTPUT_DIR: '/proc/modelprof-x' }, 'OUTPUT_DIR'],
    ['--output', { output: '/proc/modelprof-x' }, {}, '--output'],
  ];
  for (const [how, values, env, source] of cases) {
    it(`an output folder given as ${how}`, async () => {
      const settings = resolve({ ...HTTP, ...values }, {}, env);
      await assert.rejects(prepareOutputDir(settings.outputDir, settings.outputSource), (error: Error) => {
        assert.match(error.message, new RegExp(`^${source} "/proc/modelprof-x" cannot be used \\(ENOENT\\): give a writable folder$`));
        return true;
      });
    });
  }
});

describe('messages', () => {
  it('calls SCORING_HEADERS=null JSON null, not an object', () => {
    refused(() => settingsFromEnvironment({ SCORING_URI: HTTP.url, SCORING_HEADERS: 'null' }), /got JSON null$/);
  });
  it('calls "-H \': value\'" an empty name, not a missing colon', () => {
    refused(() => parseHeaderFlags([': value'], '--header'), /got an empty name before ":"$/);
    refused(() => parseHeaderFlags(['value'], '--header'), /got no ":"$/);
  });
});

/** A minimal engine result, for building a report from settings. */
function syntheticResult(): Parameters<typeof buildReport>[1] {
  return {
    engine: 'builtin', engineVersion: '0', startTime: new Date(0), endTime: new Date(1000), measuredSeconds: 1, warmup: { seconds: 0, requests: 0 },
    requests: { total: 0, ok: 0, errors: 0 }, errors: { byKind: {} as never, byStatus: {} }, latency: {}, timeline: [],
    validity: { valid: true, reasons: [], warnings: [], checks: {} }, notes: [], artifacts: [],
  };
}

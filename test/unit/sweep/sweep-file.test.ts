import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SettingsError } from '../../../src/core/errors.js';
import { readSweepFile, type SweepDocument } from '../../../src/sweep/sweep-file.js';
import { expandGrid, planSweep, pointId } from '../../../src/sweep/sweep-plan.js';

const work = mkdtempSync(join(tmpdir(), 'modelprof-sweep-file-'));
const EXAMPLE = fileURLToPath(new URL('../../../../examples/sweep.yml', import.meta.url));
let files = 0;
const sweepFile = (text: string): string => {
  const path = join(work, `sweep-${++files}.yml`);
  writeFileSync(path, text);
  return path;
};
const MINIMAL = 'deployments:\n  - name: blue\n    url: http://127.0.0.1:5001/score\n';
const plan = (text: string, env: NodeJS.ProcessEnv = {}) => {
  const path = sweepFile(text);
  return planSweep(readSweepFile(path), path, work, {}, env);
};

describe('readSweepFile: the schema check names the key and what was expected', () => {
  const cases: [name: string, text: string, message: RegExp][] = [
    ['a typo at the top', `deploymets: []\n${MINIMAL}`, /unknown key "deploymets" \(did you mean "deployments"\?\)/],
    ['a typo in a deployment', `${MINIMAL}    prise_per_hour: 1\n`, /unknown key "deployments\[0\]\.prise_per_hour" \(did you mean "deployments\[0\]\.price_per_hour"\?\)/],
    ['a typo in the job-file settings block', `${MINIMAL}settings:\n  durration: 5s\n`, /unknown key "settings\.durration" \(did you mean "settings\.duration"\?\)/],
    ['a grid key that is not a setting', `${MINIMAL}grid:\n  rates: [1]\n`, /unknown key "grid\.rates" \(did you mean "grid\.rate"\?\)/],
    ['a rate that is not a number', `${MINIMAL}grid:\n  rate: [fast]\n`, /"grid\.rate\[0\]" must be a number, got string "fast"/],
    ['a rate of 0', `${MINIMAL}grid:\n  rate: [0]\n`, /"grid\.rate\[0\]" must be > 0, got number 0/],
    ['no connections', `${MINIMAL}grid:\n  connections: [0]\n`, /"grid\.connections\[0\]" must be >= 1/],
    ['an unknown tool', `${MINIMAL}grid:\n  tool: [ab]\n`, /"grid\.tool\[0\]" must be one of wrk, wrk2, labench, got "ab"/],
    ['a deployment without url', 'deployments:\n  - name: blue\n', /"deployments\[0\]\.url" is required/],
    ['no deployments', 'deployments: []\n', /"deployments" must NOT have fewer than 1 items/],
    ['no deployments key', 'sla: "p99<=1s"\n', /"deployments" is required/],
    ['a name that cannot be a folder', 'deployments:\n  - name: ../up\n    url: http://x/\n', /"deployments\[0\]\.name" must be letters, digits/],
    ['a name used twice', `${MINIMAL}  - name: blue\n    url: http://127.0.0.1:5002/score\n`, /deployments\[1\]\.name "blue" is used twice/],
    ['a price that is not a number', `${MINIMAL}    price_per_hour: cheap\n`, /"deployments\[0\]\.price_per_hour" must be a number, got string "cheap"/],
    ['monitors with a serve command (serve is per deployment)', `${MINIMAL}monitors:\n  serve: x\n`, /unknown key "monitors\.serve"/],
    ['a list at the top', '- a\n- b\n', /must be a mapping with a deployments list/],
    ['broken YAML', 'deployments:\n  - name: a\n   url: b\n', /line \d+ is not valid YAML/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      const path = sweepFile(text);
      assert.throws(() => readSweepFile(path), (error: Error) => {
        assert.ok(error instanceof SettingsError, String(error));
        assert.match(error.message, message);
        assert.ok(error.message.startsWith(`sweep file "${path}"`), error.message);
        assert.ok(!error.message.includes('\n'), 'one line');
        return true;
      });
    });
  }
  it('a file that is not there', () => {
    assert.throws(() => readSweepFile(join(work, 'missing.yml')), /sweep file ".*missing\.yml" cannot be read \(ENOENT\)/);
  });
});

describe('planSweep', () => {
  it('plans examples/sweep.yml: every deployment at every grid point, settings resolved', () => {
    const document: SweepDocument = readSweepFile(EXAMPLE);
    const sweep = planSweep(document, EXAMPLE, work, {}, {});
    assert.deepEqual(sweep.points.map((p) => `${p.deployment}/${p.id}`), ['f4s-c1/r50', 'f4s-c1/r100', 'f4s-c1/r200', 'f4s-c4/r50', 'f4s-c4/r100', 'f4s-c4/r200']);
    const point = sweep.points[1]!;
    assert.equal(point.settings.tool, 'wrk2');
    assert.equal(point.settings.rate, 100);
    assert.equal(point.settings.connections, 16);
    assert.equal(point.settings.durationSec, 15);
    assert.equal(point.settings.url.href, 'http://127.0.0.1:5101/score');
    assert.equal(point.settings.method, 'POST');
    assert.equal(point.settings.outputDir, resolve('outputs/sweep', 'f4s-c1', 'r100'));
    assert.equal(sweep.cooldownSec, 3);
    assert.equal(sweep.loadAxis, 'rate');
    assert.equal(sweep.sla?.clauses.length, 2);
    assert.deepEqual(
      { ...sweep.deployments[1]!, serve: sweep.deployments[1]!.serve?.timeoutMs },
      {
        name: 'f4s-c4',
        url: 'http://127.0.0.1:5102/score',
        instances: 1,
        instanceType: 'Standard_F4s_v2',
        pricePerHour: 0.169,
        coresPerInstance: 4,
        maxConcurrentRequestsPerInstance: 4,
        serve: 60_000,
      },
    );
  });

  it('lets --output and --cooldown beat the file', () => {
    const path = sweepFile(`${MINIMAL}output: from-file\ncooldown: 9s\n`);
    const sweep = planSweep(readSweepFile(path), path, work, { outputDir: 'from-flag', cooldown: '1s' }, {});
    assert.equal(sweep.outputDir, 'from-flag');
    assert.equal(sweep.cooldownSec, 1);
    assert.equal(sweep.points[0]!.settings.outputDir, resolve('from-flag', 'blue', 'base'));
  });

  it('expands ${VAR} in deployment headers from the environment and never puts the key in the plan record', () => {
    const sweep = plan(`${MINIMAL}    headers:\n      Authorization: "Bearer \${BLUE_KEY}"\n    insecure: true\n`, { BLUE_KEY: 'sekret-123' });
    assert.equal(sweep.points[0]!.settings.headers['Authorization'], 'Bearer sekret-123');
    // An http deployment has no certificate to skip: insecure is a note there, not a setting.
    assert.equal(sweep.points[0]!.settings.insecure, undefined);
    assert.ok(sweep.points[0]!.settings.notes?.some((line) => line.startsWith('--insecure does nothing here')));
    assert.ok(!JSON.stringify(sweep.deployments).includes('sekret-123'));
    assert.ok(!sweep.points[0]!.fingerprint.includes('sekret'));
  });

  it('reads the seed environment variables not at all: the file is the whole plan', () => {
    const sweep = plan(MINIMAL, { DURATION: '99s', SCORING_URI: 'http://elsewhere/', PROFILING_TOOL: 'labench' });
    assert.equal(sweep.points[0]!.settings.durationSec, 300);
    assert.equal(sweep.points[0]!.settings.tool, 'wrk');
    assert.equal(sweep.points[0]!.settings.url.host, '127.0.0.1:5001');
  });

  const errors: [name: string, text: string, message: RegExp][] = [
    ['a bad duration', `${MINIMAL}settings:\n  duration: forever\n`, /sweep-\d+\.yml settings\.duration must be a duration/],
    ['a bad SLA', `${MINIMAL}sla: "p99<=fast"\n`, /sla in .*sweep-\d+\.yml clause "p99<=fast"/],
    ['a bad serve timeout', `${MINIMAL}    serve: sleep 1\n    serve_timeout: soon\n`, /deployments\[0\]\.serve_timeout must be a duration/],
    ['a URL that does not parse', 'deployments:\n  - name: x\n    url: not a url\n', /deployments\[0\]\.url must be an absolute http/],
    ['a URL that is not http', 'deployments:\n  - name: x\n    url: ftp://host/score\n', /deployments\[0\]\.url must be an http:\/\/ or https:\/\/ URL/],
    ['fewer connections than threads in a grid point', `${MINIMAL}grid:\n  connections: [1]\n  threads: [2]\n`, /grid\.connections \(1\) must be at least .*grid\.threads \(2\)/],
    ['an unset header variable', `${MINIMAL}    headers:\n      Authorization: "\${NOT_SET_ANYWHERE}"\n`, /refers to \$\{NOT_SET_ANYWHERE\}, which is not set/],
  ];
  for (const [name, text, message] of errors) {
    it(`stops before any request on ${name}`, () => {
      assert.throws(() => plan(text), (error: Error) => error instanceof SettingsError && message.test(error.message));
    });
  }

  it('gives a point a new fingerprint when what shapes its measurement changes, and only then', () => {
    const base = `${MINIMAL}    serve: modelprof serve-sample --max-concurrent 1\nsettings:\n  duration: 5s\n`;
    const fingerprint = (text: string): string => plan(text).points[0]!.fingerprint;
    assert.equal(fingerprint(base), fingerprint(base));
    assert.equal(fingerprint(base), fingerprint(`${base}cooldown: 1s\nname: renamed\n`));
    assert.notEqual(fingerprint(base), fingerprint(base.replace('duration: 5s', 'duration: 6s')));
    assert.notEqual(fingerprint(base), fingerprint(base.replace('--max-concurrent 1', '--max-concurrent 2')));
    assert.notEqual(fingerprint(base), fingerprint(`${base}payload:\n  body: '{"data": [[1,2,3,4,5,6,7,8,9,10]]}'\n`));
  });
});

describe('expandGrid and pointId', () => {
  it('varies the last key fastest, in tool, threads, connections, clients, rate order', () => {
    const grid = expandGrid({ grid: { rate: [10, 20], tool: ['wrk2', 'labench'], connections: [4] } });
    assert.deepEqual(grid.map(pointId), ['wrk2-c4-r10', 'wrk2-c4-r20', 'labench-c4-r10', 'labench-c4-r20']);
  });
  it('has one "base" point without a grid', () => {
    assert.deepEqual(expandGrid({}).map(pointId), ['base']);
  });
  it('refuses more points than its bound before building any (3,000 x 3,000 rates and connections)', () => {
    const many = Array.from({ length: 3000 }, (_, index) => index + 1);
    assert.throws(() => expandGrid({ grid: { rate: many, connections: many } }, 1, 'sw.yml'), /^SettingsError: sw.yml: the grid \(3000 x 3000\) must be at most 1,000 points, got "9,000,000 points": /);
    assert.throws(() => expandGrid({ grid: { rate: many.slice(0, 501) } }, 2, 'sw.yml'), /^SettingsError: sw.yml: the grid \(501 x 2 deployments\) must be at most 1,000 points, got "1,002 points"/);
    assert.equal(expandGrid({ grid: { rate: many.slice(0, 500) } }, 2).length, 500);
  });
  it('names every key it sets', () => {
    assert.equal(pointId({ tool: 'labench', threads: 2, connections: 8, clients: 4, rate: 12.5 }), 'labench-t2-c8-n4-r12.5');
  });
});

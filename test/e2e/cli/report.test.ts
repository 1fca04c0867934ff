import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import { syntheticReport } from '../../support/sample-reports.js';
import { evaluateSla, parseSla, storedSla } from '../../../src/judge/sla.js';
import { runCli, type CliResult } from '../../support/cli.js';

// `modelprof report` and `modelprof compare` run as real processes, so exit codes, stdout and
// stderr are what a CI job sees.
const modelprof = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env });

let dir: string;

async function writeReport(name: string, report: Report | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof report === 'string' ? report : JSON.stringify(report));
  return path;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modelprof-cli-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('modelprof report', () => {
  it('writes report.html beside the report and exits 0 when the SLA holds', async () => {
    const path = await writeReport('pass.json', syntheticReport({ seconds: 5 }));
    const summary = join(dir, 'summary-pass.md');
    const result = await modelprof(['report', path, '--sla', 'p99<=1s, error_rate<1%'], { GITHUB_STEP_SUMMARY: summary });
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.match(result.stdout, /\npass {2}p99<=1s\s+p99 = [\d.]+ ms, within <= 1000 ms\n/);
    assert.match(result.stdout, /\nSLA passed \(2 clauses\)\n\nhtml: +.*report\.html\n$/);
    assert.match(await readFile(join(dir, 'report.html'), 'utf8'), /<h2>SLA passed \(2 clauses\)<\/h2>/);
    assert.match(await readFile(summary, 'utf8'), /^### modelprof: ✅ SLA passed \(2 clauses\)/);
  });

  it("prints the run's summary without --sla, from a run's folder as from its report.json", async () => {
    const folder = join(dir, 'run-folder');
    await mkdir(folder);
    await writeFile(join(folder, 'report.json'), JSON.stringify(syntheticReport({ seconds: 5 })));
    const result = await modelprof(['report', folder]);
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.match(result.stdout, /^modelprof .*\n/);
    assert.match(result.stdout, /\nthroughput .* req\/s/);
    assert.match(result.stdout, /\nlatency \(ms\)/);
    assert.match(result.stdout, /\nhtml: +.*run-folder\/report\.html\n$/);
  });

  it("re-renders a run's folder as the run judged it: the SLA kept in report.json, its page and its exit code, unless --sla says otherwise", async () => {
    const folder = join(dir, 'judged-run');
    await mkdir(folder);
    const report = syntheticReport({ seconds: 5 });
    // What `modelprof run --sla` writes: the clauses as written and the verdict given.
    report.sla = storedSla(evaluateSla(parseSla('p99<=1s, p50<=1ms'), report));
    await writeFile(join(folder, 'report.json'), JSON.stringify(report));
    const again = await modelprof(['report', folder]);
    assert.equal(again.code, EXIT.slaFailed, again.stderr);
    assert.match(again.stdout, /\nFAIL  p50<=1ms .*\nSLA failed \(1 of 2 clauses\)/);
    const html = await readFile(join(folder, 'report.html'), 'utf8');
    assert.match(html, /<h2>SLA failed \(1 of 2 clauses\)<\/h2>/);
    assert.match(html, /<code>p50&lt;=1ms<\/code>/, 'the SLA table is on the page again');
    const judgedAnew = await modelprof(['report', folder, '--sla', 'p99<=1s']);
    assert.equal(judgedAnew.code, EXIT.ok, judgedAnew.stderr);
  });

  it('exits 1 when a clause fails, and writes the JUnit file and the HTML where asked', async () => {
    const path = await writeReport('fail.json', syntheticReport({ seconds: 5 }));
    const html = join(dir, 'custom.html');
    const junit = join(dir, 'sla.xml');
    const result = await modelprof(['report', path, '-o', html, '--sla', 'p99<=1s', '--sla', 'p50<1ms', '--junit', junit]);
    assert.equal(result.code, EXIT.slaFailed, result.stderr);
    assert.match(result.stdout, /\nFAIL {2}p50<1ms\s+p50 = [\d.]+ ms, breaks < 1 ms\n/);
    assert.match(await readFile(html, 'utf8'), /<h2>SLA failed \(/);
    assert.match(await readFile(junit, 'utf8'), /<testsuites name="modelprof" tests="3" failures="1" errors="0" skipped="0"/);
  });

  it('exits 3 for an invalid run, whatever the SLA says', async () => {
    const path = await writeReport('invalid.json', syntheticReport({ seconds: 5, valid: false }));
    const result = await modelprof(['report', path, '--sla', 'p99<=1s', '-o', join(dir, 'invalid.html')]);
    assert.equal(result.code, EXIT.runInvalid);
    assert.match(result.stdout, /no verdict: run invalid: The generator did not deliver the load, so no figure describes the target: only 62% of sends left on schedule/);
  });

  const badInput: [name: string, args: (path: string) => string[], file: string | undefined, message: RegExp][] = [
    ['a bad SLA', (p) => ['report', p, '--sla', 'p99<=200'], undefined, /^modelprof: --sla clause "p99<=200": a latency threshold needs a time unit/],
    ['a file that is not JSON', (p) => ['report', p], '{"schemaVersion": "1.0",', /^modelprof: .*bad\.json: not a modelprof report: not JSON/],
    ['a report missing a field', (p) => ['report', p], JSON.stringify({ ...syntheticReport({ seconds: 2 }), validity: { valid: true } }), /^modelprof: .*bad\.json: not a valid modelprof report: \/validity must have required property 'reasons'.*\n$/],
    ['another schema version', (p) => ['report', p], JSON.stringify({ ...syntheticReport({ seconds: 2 }), schemaVersion: '2.0' }), /schemaVersion 2\.0 is not readable by this modelprof \(reads 1\.1\)/],
    ['a JSON array', (p) => ['report', p], '[]', /not a modelprof report: expected a JSON object/],
    ['a missing file', () => ['report', join(dir, 'nothing.json')], undefined, /^modelprof: .*nothing\.json: the report cannot be read \(ENOENT\)\n$/],
    ['an unknown option', (p) => ['report', p, '--bogus'], undefined, /unknown option '--bogus'/],
    ['a folder with no report.json', () => ['report', tmpdir()], undefined, /^modelprof: .* is a folder with no report\.json in it/],
    [
      'a find-max result',
      (p) => ['report', p],
      JSON.stringify({ schemaVersion: '1.0', maxRate: 100, points: [{ rate: 10, report: 'find-max/01-10rps/report.json' }] }),
      /^modelprof: .*bad\.json: this is a find-max result \(find-max\.json\), not a run's report; each point's report\.json is beside it, e\.g\. .*find-max\/01-10rps\/report\.json\n$/,
    ],
  ];
  for (const [name, args, file, message] of badInput) {
    it(`exits 2 on ${name}, with one line naming the problem`, async () => {
      const path = await writeReport('bad.json', file ?? syntheticReport({ seconds: 2 }));
      const result = await modelprof(args(path));
      assert.equal(result.code, EXIT.badSettings, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

describe('modelprof compare', () => {
  let fast: string;
  let fastAgain: string;
  let slow: string;
  let invalid: string;

  before(async () => {
    fast = await writeReport('fast.json', syntheticReport({ seed: 1, medianMs: 10, seconds: 10 }));
    fastAgain = await writeReport('fast-again.json', syntheticReport({ seed: 2, medianMs: 10, seconds: 10 }));
    slow = await writeReport('slow.json', syntheticReport({ seed: 3, medianMs: 15, seconds: 10 }));
    invalid = await writeReport('invalid-run.json', syntheticReport({ seed: 4, seconds: 10, valid: false }));
  });

  it('exits 0 with a table when nothing regressed', async () => {
    const result = await modelprof(['compare', fast, fastAgain]);
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.match(result.stdout, /^modelprof compare: .*fast\.json -> .*fast-again\.json\n/);
    assert.match(result.stdout, /\nresult: no regression\n$/);
  });

  it('exits 1 on a regression, appends Markdown to the job summary and writes JUnit', async () => {
    const summary = join(dir, 'summary-compare.md');
    const junit = join(dir, 'compare.xml');
    const result = await modelprof(['compare', fast, slow, '--junit', junit], { GITHUB_STEP_SUMMARY: summary });
    assert.equal(result.code, EXIT.slaFailed, result.stderr);
    assert.match(result.stdout, /\nresult: regression in p50, p90, p99, mean\n$/);
    assert.match(await readFile(summary, 'utf8'), /^### modelprof compare: regression in p50, p90, p99, mean\n/);
    assert.match(await readFile(junit, 'utf8'), /failures="4"/);
  });

  it('exits 3 with no verdict, naming the difference, for runs at different target rates', async () => {
    const doubled = await writeReport('doubled-rate.json', syntheticReport({ seed: 5, medianMs: 30, seconds: 10, rps: 400, targetRps: 400 }));
    const halfRate = await writeReport('half-rate.json', syntheticReport({ seed: 6, medianMs: 10, seconds: 10, targetRps: 200 }));
    const result = await modelprof(['compare', halfRate, doubled]);
    assert.equal(result.code, EXIT.runInvalid, result.stderr);
    assert.doesNotMatch(result.stdout, /REGRESSION/);
    assert.match(result.stdout, /\nnote: not like with like: the offered load differs \(rate 200 -> 400\)/);
    assert.match(result.stdout, /\nnote: settings differ: rate: 200 -> 400\n/);
    assert.match(result.stdout, /\nresult: not comparable: the offered load differs \(rate 200 -> 400\), so every figure would change whatever the target did\n$/);
  });

  it('takes tolerances and prints JSON on request', async () => {
    const result = await modelprof(['compare', fast, slow, '--max-regression', 'p50=100%,p90=100%', '--max-regression', 'p99=100%,mean=off', '--json']);
    assert.equal(result.code, EXIT.ok, result.stderr);
    const comparison = JSON.parse(result.stdout) as { regression: boolean; metrics: { metric: string; verdict: string }[] };
    assert.equal(comparison.regression, false);
    assert.equal(comparison.metrics.find((m) => m.metric === 'mean')?.verdict, 'info');
  });

  it('exits 3 when a run was invalid', async () => {
    const result = await modelprof(['compare', fast, invalid]);
    assert.equal(result.code, EXIT.runInvalid);
    assert.match(result.stdout, /note: current run: the generator did not deliver the load: only 62%/);
  });

  it('exits 2 on a bad tolerance or a bad report, naming it', async () => {
    const tolerance = await modelprof(['compare', fast, slow, '--max-regression', 'p99=5']);
    assert.equal(tolerance.code, EXIT.badSettings);
    assert.match(tolerance.stderr, /^modelprof: --max-regression "p99=5": a latency tolerance is a % or a time/);
    const notReport = await writeReport('not-a-report.json', '{"hello": 1}');
    const file = await modelprof(['compare', fast, notReport]);
    assert.equal(file.code, EXIT.badSettings);
    assert.match(file.stderr, /not-a-report\.json: not a modelprof report: no schemaVersion/);
  });

  it('warns but keeps the verdict when the job summary cannot be written', async () => {
    const result = await modelprof(['compare', fast, fastAgain], { GITHUB_STEP_SUMMARY: dir });
    assert.equal(result.code, EXIT.ok);
    assert.match(result.stderr, /^modelprof: warning: GITHUB_STEP_SUMMARY: cannot append to .* \(EISDIR\)\n$/);
    assert.ok(existsSync(fast));
  });
});

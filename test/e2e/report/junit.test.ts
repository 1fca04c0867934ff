import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compareReports } from '../../../src/judge/compare.js';
import { renderComparisonJunit, renderJunit } from '../../../src/report/junit.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import { syntheticReport } from '../../support/sample-reports.js';

// The JUnit output is checked by a real XML parser and schema validator, libxml2's xmllint
// (Debian package libxml2-utils), against the JUnit schema CI report readers follow.
const SCHEMA = fileURLToPath(new URL('../../../../test/fixtures/junit.xsd', import.meta.url));
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

function needXmllint(t: TestContext): boolean {
  if (hasXmllint) return true;
  assert.notEqual(process.env.CI, 'true', 'xmllint (libxml2-utils) is required in CI to validate the JUnit output');
  t.skip('xmllint not installed (apt-get install libxml2-utils)');
  return false;
}

function xmllint(args: string[], xml: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('xmllint', [...args, '-'], { input: xml, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertValidJunit(xml: string): void {
  const result = xmllint(['--noout', '--schema', SCHEMA], xml);
  assert.equal(result.status, 0, `JUnit XML does not validate:\n${result.stderr}\n${xml}`);
}

function xpath(xml: string, expression: string): string {
  const result = xmllint(['--xpath', expression], xml);
  assert.equal(result.status, 0, `xpath ${expression}: ${result.stderr}`);
  return result.stdout.trim();
}

describe('renderJunit', () => {
  const report = syntheticReport({ seconds: 10, rps: 100, medianMs: 12 });

  it('writes one test case per SLA clause after the validity case, failures where clauses break', (t) => {
    if (!needXmllint(t)) return;
    const verdict = evaluateSla(parseSla('p99<=1s, p50<1ms, error_rate<0.1%, cpu.max<90%'), report);
    const xml = renderJunit(verdict, report);
    assertValidJunit(xml);
    assert.equal(xpath(xml, 'string(/testsuites/@tests)'), '5');
    assert.equal(xpath(xml, 'string(/testsuites/testsuite/@failures)'), '2');
    assert.equal(xpath(xml, 'string(/testsuites/testsuite/@errors)'), '0');
    assert.equal(xpath(xml, 'string(/testsuites/testsuite/@timestamp)'), '2026-11-24T10:00:00');
    assert.equal(xpath(xml, 'string(/testsuites/testsuite/testcase[1]/@name)'), 'run is valid');
    assert.equal(xpath(xml, 'string(/testsuites/testsuite/testcase[3]/@name)'), 'p50<1ms');
    assert.match(xpath(xml, 'string(/testsuites/testsuite/testcase[3]/failure/@message)'), /^p50 = [\d.]+ ms, breaks < 1 ms$/);
    assert.equal(xpath(xml, 'count(//testcase[failure])'), '2');
    assert.match(xpath(xml, 'string(//testcase[@name="cpu.max<90%"]/failure/@message)'), /no monitor metric "cpu"/);
    assert.equal(xpath(xml, 'string(//property[@name="tool"]/@value)'), 'wrk2');
  });

  it('marks an invalid run as an error and skips the clauses it cannot judge', (t) => {
    if (!needXmllint(t)) return;
    const invalid = syntheticReport({ seconds: 5, valid: false });
    const xml = renderJunit(evaluateSla(parseSla('p99<=1s, rps>1'), invalid), invalid);
    assertValidJunit(xml);
    assert.equal(xpath(xml, 'string(/testsuites/@errors)'), '1');
    assert.equal(xpath(xml, 'string(/testsuites/@skipped)'), '2');
    assert.match(xpath(xml, 'string(//testcase[@name="run is valid"]/error/@message)'), /^no verdict on the target: only 62% of sends/);
  });

  it("marks untrusted figures: a clause the generator's lag could flip is skipped, the validity case names them", (t) => {
    if (!needXmllint(t)) return;
    // Every 33rd send left 2 ms late: p95 and above are not trusted, the load was held.
    const noisy = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 33 === 0 ? 2 : 0.02) });
    const close = `p99<=${(noisy.latency.p99! - 1).toFixed(3)}ms`;
    const xml = renderJunit(evaluateSla(parseSla(`${close}, p99<=50ms`), noisy), noisy);
    assertValidJunit(xml);
    // Not valid (p95 and p99 not trusted), and a clause not judged: no verdict (exit 3), said by the validity case's error.
    assert.equal(noisy.validity.valid, false);
    assert.equal(xpath(xml, 'string(//testcase[@name="run is valid"]/error/@type)'), 'RunInvalid');
    assert.match(xpath(xml, 'string(//testcase[@name="run is valid"]/error/@message)'), /p95, p99, .* not trusted/);
    assert.equal(xpath(xml, 'count(//testcase[@name="SLA verdict"])'), '0');
    assert.match(xpath(xml, 'string(//testcase[@name="run is valid"]/system-out)'), /not trusted: p95 [\d.]+ ms \(generator's part 2 ms > [\d.]+ ms\), p99 /);
    assert.equal(xpath(xml, `string(//testcase[@name="${close}"]/skipped/@type)`), 'NotTrusted');
    assert.match(xpath(xml, `string(//testcase[@name="${close}"]/skipped/@message)`), /could account for the difference: not judged/);
    assert.equal(xpath(xml, 'count(//testcase[@name="p99<=50ms"]/*[self::skipped or self::failure])'), '0');
    assert.equal(xpath(xml, 'string(//property[@name="trustedUpTo"]/@value)'), 'p90');
    // Every clause judged (exit 0): no error, no failure, the validity case skipped (never passed). Without an SLA the
    // invalid run has no verdict (exit 3): one error.
    const allJudged = renderJunit(evaluateSla(parseSla('p99<=50ms'), noisy), noisy);
    assert.equal(xpath(allJudged, 'count(//error | //failure)'), '0');
    assert.equal(xpath(allJudged, 'count(//testcase[@name="run is valid"]/skipped)'), '1');
    assert.equal(xpath(renderJunit(undefined, noisy), 'count(//error)'), '1');
    // Every other send 1 ms late: not even p50 is trusted, the run is invalid. Without an SLA its validity case is an error (exit 3);
    // with an SLA judged despite it (exit 0) the case is skipped with why, never passed.
    const invalid = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 2 === 0 ? 1 : 0.02) });
    assert.equal(xpath(renderJunit(undefined, invalid), 'count(//testcase[@name="run is valid"]/error)'), '1');
    const judged = renderJunit(evaluateSla(parseSla('p99<=50ms'), invalid), invalid);
    assertValidJunit(judged);
    assert.match(xpath(judged, 'string(//testcase[@name="run is valid"]/skipped/@message)'), /^RUN INVALID: .*each SLA clause was judged only where that lag cannot change it/);
    assert.equal(xpath(judged, 'count(//error | //failure)'), '0');
  });

  it('still writes a test case when no SLA was given', (t) => {
    if (!needXmllint(t)) return;
    const xml = renderJunit(undefined, report);
    assertValidJunit(xml);
    assert.equal(xpath(xml, 'count(//testcase)'), '1');
  });

  it('escapes hostile strings and drops characters XML cannot carry', (t) => {
    if (!needXmllint(t)) return;
    const hostile = syntheticReport({
      seconds: 5,
      valid: false,
      reasons: ['late sends <b>"everywhere"</b> & \u0001 worse \'still\''],
      url: 'http://127.0.0.1:9/score?q=<script>&code=SECRET',
    });
    const xml = renderJunit(evaluateSla(parseSla('p99<=1s'), hostile), hostile);
    assertValidJunit(xml);
    assert.equal(xpath(xml, 'string(//testcase[1]/error/@message)'), 'no verdict on the target: late sends <b>"everywhere"</b> &  worse \'still\'');
    assert.doesNotMatch(xml, /SECRET/);
  });
});

describe('renderComparisonJunit', () => {
  it('writes one test case per compared metric, failing the regressions', (t) => {
    if (!needXmllint(t)) return;
    const a = syntheticReport({ seed: 1, medianMs: 10, seconds: 10 });
    const b = syntheticReport({ seed: 2, medianMs: 15, seconds: 10 });
    const comparison = compareReports(a, b);
    const xml = renderComparisonJunit(comparison);
    assertValidJunit(xml);
    assert.equal(xpath(xml, 'count(//testcase)'), String(comparison.metrics.length));
    assert.equal(xpath(xml, 'count(//testcase[failure])'), '4');
    assert.equal(xpath(xml, 'string(//testcase[failure][1]/@name)'), 'p50 within 10%');
  });

  it("errors on a run whose generator did not deliver the load, and judges no row", (t) => {
    if (!needXmllint(t)) return;
    const xml = renderComparisonJunit(compareReports(syntheticReport({ seconds: 5 }), syntheticReport({ seconds: 5, valid: false })));
    assertValidJunit(xml);
    assert.equal(xpath(xml, 'string(//testcase[1]/@name)'), 'current run delivered its load');
    assert.equal(xpath(xml, 'count(//testcase[error])'), '1');
    assert.equal(xpath(xml, 'count(//testcase[failure])'), '0');
  });
});

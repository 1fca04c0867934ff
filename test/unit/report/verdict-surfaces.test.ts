import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT, exitCodeForVerdict } from '../../../src/cli/exit-codes.js';
import { formatRunSummary } from '../../../src/cli/report.js';
import { judgeRun } from '../../../src/judge/run-verdict.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderMarkdownSummary } from '../../../src/report/markdown.js';
import type { Report } from '../../../src/report/report.js';
import { syntheticReport } from '../../support/sample-reports.js';

/**
 * One run, one verdict: the exit code, the console, report.html, JUnit and the job summary must say
 * the same thing for every kind of run. Each case names the verdict; every surface is read for it.
 */

/** Not even p50 trusted: every other send 1 ms late (an invalid run whose load was held). */
const notTrusted = (): Report => syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 2 === 0 ? 1 : 0.02) });
/** A valid run whose p99.9 is not trusted: 1 send in 500 is 1.5 ms late. */
const tailNotTrusted = (): Report => syntheticReport({ seconds: 5, rps: 1000, medianMs: 10, sigma: 0.02, targetRps: 1000, sendLag: (i) => (i % 500 === 7 ? 1.5 : 0.02) });
const valid = (): Report => syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: () => 0.02 });
const loadNotHeld = (): Report => syntheticReport({ seconds: 5, valid: false });
/** No request of the window ended: its connections were busy all window with the warm-up's sends. */
const nothingMeasured = (): Report => {
  const report = syntheticReport({ seconds: 5, valid: false });
  const reasons = ['no send planned in the measured window was answered: its connections were busy all window with 287 sends planned in the warm-up'];
  return { ...report, requests: { total: 0, ok: 0, errors: 0 }, latency: {}, timeline: [], validity: { ...report.validity, reasons } };
};

interface Case {
  name: string;
  report: () => Report;
  /** The SLA, or a function of the report for a limit set just beside a figure. */
  sla?: string | ((report: Report) => string);
  exit: number;
  /** The summary's headline after "### modelprof: ". */
  markdown: RegExp;
  html: 'pass' | 'fail' | 'invalid' | 'measured';
  /** JUnit: the validity case's outcome, and the counts the exit code implies. */
  validityCase: 'pass' | 'error' | 'skipped';
  /** The console's last verdict line. */
  console: RegExp;
}

const cases: Case[] = [
  { name: 'a valid run, no SLA: measured', report: valid, exit: EXIT.ok, markdown: /^measured \(no SLA given\)$/, html: 'measured', validityCase: 'pass', console: /^RUN VALID/m },
  { name: 'a valid run, SLA met', report: valid, sla: 'p99<=1s', exit: EXIT.ok, markdown: /^✅ SLA passed \(1 clause\)$/, html: 'pass', validityCase: 'pass', console: /^SLA passed \(1 clause\)$/m },
  { name: 'a valid run, SLA broken', report: valid, sla: 'p99<=1s, p50<=1ms', exit: EXIT.slaFailed, markdown: /^❌ SLA failed \(1 of 2 clauses\)$/, html: 'fail', validityCase: 'pass', console: /^SLA failed \(1 of 2 clauses\): 1 of 2 clauses broken: p50<=1ms\.$/m },
  { name: 'load not held, SLA met on paper: no verdict', report: loadNotHeld, sla: 'p99<=10s', exit: EXIT.runInvalid, markdown: /^⚠️ no verdict: run invalid$/, html: 'invalid', validityCase: 'error', console: /^no verdict: run invalid: The generator did not deliver the load/m },
  {
    name: 'nothing measured: no verdict, and no blame on the generator',
    report: nothingMeasured,
    sla: 'p99<=10s',
    exit: EXIT.runInvalid,
    markdown: /^⚠️ no verdict: nothing measured$/,
    html: 'invalid',
    validityCase: 'error',
    console: /^RUN INVALID: nothing was measured in the window[^]*^no verdict: nothing measured: No request of the measured window ended, so no figure describes the target: no send planned/m,
  },
  { name: 'figures not trusted, no SLA: no verdict', report: notTrusted, exit: EXIT.runInvalid, markdown: /^⚠️ no verdict: run invalid, figures not trusted$/, html: 'invalid', validityCase: 'error', console: /^no verdict: run invalid, figures not trusted: .*not even p50 is trusted/m },
  {
    name: "figures not trusted, an SLA the lag cannot flip: passed, the validity case skipped (never passed, never failing a gate that passed)",
    report: notTrusted,
    sla: 'p99<=10s',
    exit: EXIT.ok,
    markdown: /^✅ SLA passed \(1 clause\)$/,
    html: 'pass',
    validityCase: 'skipped',
    console: /^SLA passed \(1 clause\)$/m,
  },
  { name: 'figures not trusted, a clause the lag could flip: no verdict', report: notTrusted, sla: (report) => `p99<=${(report.latency.p99! - 0.5).toFixed(3)}ms`, exit: EXIT.runInvalid, markdown: /^⚠️ no verdict on the SLA \(1 of 1 clauses not judged\)$/, html: 'invalid', validityCase: 'error', console: /^no verdict on the SLA .*could flip p99<=[\d.]+ms/m },
  {
    name: 'a valid run whose p99.9 the lag could flip: no verdict, carried by a case of its own',
    report: tailNotTrusted,
    sla: 'p99.9<=11ms',
    exit: EXIT.runInvalid,
    markdown: /^⚠️ no verdict on the SLA \(1 of 1 clauses not judged\)$/,
    html: 'invalid',
    validityCase: 'pass',
    console: /^no verdict on the SLA/m,
  },
];

function attribute(xml: string, element: string, name: string): number {
  return Number(new RegExp(`<${element} [^>]*${name}="(\\d+)"`).exec(xml)![1]);
}

describe('one verdict on every surface', () => {
  for (const c of cases) {
    it(c.name, () => {
      const report = c.report();
      const text = typeof c.sla === 'function' ? c.sla(report) : c.sla;
      const sla = text === undefined ? undefined : evaluateSla(parseSla(text), report);
      const exit = exitCodeForVerdict(report, sla);
      assert.equal(exit, c.exit, judgeRun(report, sla).detail);
      const markdown = renderMarkdownSummary(report, sla);
      assert.match(markdown.split('\n')[0]!.replace('### modelprof: ', ''), c.markdown);
      assert.match(renderHtmlReport(report, sla), new RegExp(`<section class="verdict verdict-${c.html}" id="verdict">`));
      const console = formatRunSummary(report, sla);
      assert.match(console, c.console);
      // JUnit: a failure exactly when the exit is 1, an error exactly when it is 3 or 4; an invalid run's validity case never passes.
      const xml = renderJunit(sla, report);
      assert.equal(attribute(xml, 'testsuites', 'failures') > 0, exit === EXIT.slaFailed, xml);
      assert.equal(attribute(xml, 'testsuites', 'errors') > 0, exit === EXIT.runInvalid || exit === EXIT.toolError, xml);
      const validityCase = /<testcase classname="modelprof.validity" name="run is valid" time="0">\n {6}<(error|skipped|system-out)/.exec(xml)?.[1];
      assert.equal(validityCase === 'system-out' || validityCase === undefined ? 'pass' : validityCase, c.validityCase, xml);
      if (!report.validity.valid) assert.notEqual(c.validityCase, 'pass');
      // A clause not judged is skipped, with why.
      for (const result of sla?.results ?? []) {
        if (result.status === 'not-judged') assert.match(xml, new RegExp(`name="${result.clause.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/</g, '&lt;')}" time="0">\n {6}<skipped type="(NotTrusted|RunInvalid)" message="[^"]*not judged`));
      }
      // The run that passed its SLA despite untrusted figures says both, in one breath, on every surface.
      if (c.validityCase === 'skipped') {
        for (const surface of [console, markdown]) assert.match(surface, /RUN INVALID: .*; each SLA clause was judged only where that lag cannot change it/);
      }
    });
  }
});

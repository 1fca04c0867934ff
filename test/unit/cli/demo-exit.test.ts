import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoExit } from '../../../src/cli/demo-exit.js';
import { EXIT, exitCodeForVerdict } from '../../../src/cli/exit-codes.js';
import { judgeRun } from '../../../src/judge/run-verdict.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import type { Report } from '../../../src/report/report.js';
import { syntheticReport } from '../../support/sample-reports.js';

/** A run whose p99 the generator's lag reached (every 33rd send 2 ms late): RUN INVALID, as a busy machine makes the demo's. */
const busy = (): Report => syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 33 === 0 ? 2 : 0.02) });
const quiet = (): Report => syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: () => 0.02 });

describe('demoExit: the demo is a demonstration, not a gate', () => {
  const cases: [name: string, report: () => Report, sla: string | undefined, runExit: number, demoCode: number, says: RegExp][] = [
    ['a valid run', quiet, undefined, EXIT.ok, EXIT.ok, /^`modelprof run` would exit 0 for this verdict \(measured \(no SLA given\)\); the demo exits 0 too$/],
    [
      'a run a busy machine left with p99 untrusted: run exits 3, the demo 0, and says why',
      busy,
      undefined,
      EXIT.runInvalid,
      EXIT.ok,
      /^`modelprof run` would exit 3 for this verdict \(no verdict: run invalid, figures not trusted; the generator's own lag reached p50\.\.p99, as a busy machine makes it: see 'Is the run valid\?' in the README\); the demo exits 0: it shows a profile, it is not a gate$/,
    ],
    ['an SLA broken (demo --sla)', quiet, 'p99<=1ms', EXIT.slaFailed, EXIT.ok, /^`modelprof run` would exit 1 for this verdict \(SLA failed \(1 of 1 clauses\)\); the demo exits 0: it shows/],
  ];
  for (const [name, report, sla, runExit, demoCode, says] of cases) {
    it(name, () => {
      const built = report();
      const verdict = sla ? evaluateSla(parseSla(sla), built) : undefined;
      assert.equal(exitCodeForVerdict(built, verdict), runExit);
      const { code, line } = demoExit(runExit, judgeRun(built, verdict));
      assert.equal(code, demoCode);
      assert.match(line, says);
    });
  }

  it('keeps the codes of real failures: target down, an output not written, Ctrl-C', () => {
    for (const failure of [EXIT.toolError, EXIT.outputFailed, EXIT.interrupted]) assert.equal(demoExit(failure, judgeRun(quiet())).code, failure);
  });
});

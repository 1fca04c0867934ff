import type { Report } from '../report/report.js';
import { describeAvailability } from './availability.js';
import { loadHeld, verdictJudgesAvailability, type SlaVerdict } from './sla.js';
import { judgeTarget } from './target-outcome.js';
import { figureLabel } from './trust.js';

/**
 * A run's one verdict, from which every surface reads (the console, the exit code, report.html,
 * JUnit, the job summary, `modelprof report`): nothing else decides pass, fail or no verdict.
 *
 * In order: no request succeeded, or the target was down and the SLA says nothing of availability:
 * a target error. Nothing measured in the window, or the generator did not deliver the load: no
 * verdict. With an SLA: failed when a judged clause broke, no verdict when a clause could not be
 * judged (the generator's own lag could flip it), else passed, even on an invalid run (each clause
 * was judged only where the lag cannot change it). Without one: no verdict on an invalid run (p50 to
 * p99 not all trusted), else measured.
 */
export type RunOutcome = 'pass' | 'fail' | 'no-verdict' | 'target-error';

export type RunVerdictKind =
  | 'no-success'
  | 'target-down'
  | 'load-not-held'
  | 'nothing-measured'
  | 'sla-failed'
  | 'sla-not-judged'
  | 'sla-passed'
  | 'not-trusted'
  | 'high-error-rate'
  | 'measured';

export interface RunVerdict {
  kind: RunVerdictKind;
  outcome: RunOutcome;
  /** One line, the same on every surface: "SLA passed (3 clauses)", "no verdict: run invalid". */
  title: string;
  /** What it rests on, one line. */
  detail: string;
  /** The run as a measurement: valid, invalid with the load delivered (p50 to p99 not all trusted), or the load not delivered. */
  run: 'valid' | 'not-trusted' | 'load-not-held';
  /** Present when an SLA was given. */
  sla?: SlaVerdict;
}

export function judgeRun(report: Report, sla?: SlaVerdict): RunVerdict {
  const given = sla && sla.results.length > 0 ? sla : undefined;
  const run: RunVerdict['run'] = !loadHeld(report) ? 'load-not-held' : report.validity.valid ? 'valid' : 'not-trusted';
  const verdict = (kind: RunVerdictKind, outcome: RunOutcome, title: string, detail: string): RunVerdict => ({ kind, outcome, title, detail, run, ...(given ? { sla: given } : {}) });
  const target = judgeTarget(report);
  if (target.noSuccess) {
    return verdict('no-success', 'target-error', 'target error: no request succeeded', `None of ${target.requests} requests succeeded: ${target.seen}. ${report.requests.total > 0 ? 'The figures describe error answers, not the model.' : 'The window holds no figure.'}`);
  }
  if (target.outage && !verdictJudgesAvailability(given)) {
    const down = `${Number(target.outage.downSeconds.toFixed(1))} s without a successful answer (availability ${(100 * target.outage.share).toFixed(1)}%)`;
    return verdict('target-down', 'target-error', `target down: ${down}`, `${describeAvailability(target.outage)}. The figures include the outage.`);
  }
  if (run === 'load-not-held' && report.requests.total === 0) {
    return verdict('nothing-measured', 'no-verdict', 'no verdict: nothing measured', `No request of the measured window ended, so no figure describes the target: ${report.validity.reasons.join('; ')}`);
  }
  if (run === 'load-not-held') {
    return verdict('load-not-held', 'no-verdict', 'no verdict: run invalid', `The generator did not deliver the load, so no figure describes the target: ${report.validity.reasons.join('; ')}`);
  }
  const trust = run === 'not-trusted' ? ` Not all figures are trusted (${trustedUpToText(report)}): each clause was judged only where the generator's own lag cannot change it.` : '';
  if (given) {
    const n = given.results.length;
    const broken = given.results.filter((r) => r.status === 'fail');
    const unjudged = given.results.filter((r) => r.status === 'not-judged');
    const notJudged = unjudged.length > 0 ? ` Not judged: ${unjudged.map((r) => r.message).join('; ')}.` : '';
    if (broken.length > 0) {
      return verdict('sla-failed', 'fail', `SLA failed (${broken.length} of ${n} clauses)`, `${broken.length} of ${n} clauses broken: ${broken.map((r) => r.clause.text).join(', ')}.${notJudged}${trust}`);
    }
    if (unjudged.length > 0) {
      return verdict('sla-not-judged', 'no-verdict', `no verdict on the SLA (${unjudged.length} of ${n} clauses not judged)`, `The generator's own lag could flip ${unjudged.map((r) => r.clause.text).join(', ')}.${notJudged}`);
    }
    return verdict('sla-passed', 'pass', `SLA passed (${n} clause${n === 1 ? '' : 's'})`, `All ${n} SLA clause${n === 1 ? '' : 's'} met.${trust}`);
  }
  if (run === 'not-trusted') {
    return verdict('not-trusted', 'no-verdict', 'no verdict: run invalid, figures not trusted', `The generator's own lag could have moved figures from p50 to p99 (${trustedUpToText(report)}): ${report.validity.reasons.join('; ')}`);
  }
  if (target.highErrorRate) {
    return verdict('high-error-rate', 'pass', `high error rate: ${((100 * target.failed) / target.requests).toFixed(2)}% of requests failed (no SLA given)`, `${target.seen}. The figures include the failed requests.`);
  }
  return verdict('measured', 'pass', 'measured (no SLA given)', 'No SLA was given; the figures are the measurement.');
}

function trustedUpToText(report: Report): string {
  const upTo = report.validity.trustedUpTo;
  return upTo ? `trusted up to ${figureLabel(upTo)}` : upTo === null ? 'not even p50 is trusted' : 'not trusted';
}

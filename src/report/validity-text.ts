import { figureLabel, TRUST_FLOOR_MS, TRUST_SHARE, untrustedKeys } from '../judge/trust.js';
import { loadModelOf } from '../load/models/registry.js';
import type { Report } from './report.js';
import { loadHeld } from '../judge/sla.js';
import type { RunVerdict } from '../judge/run-verdict.js';

/** The run verdict in words, shared by the console, the HTML page and the Markdown summary. */
export interface ValidityHeadline {
  valid: boolean;
  /** "RUN VALID" or "RUN INVALID" and what it rests on, one line. */
  title: string;
}

/** `verdict`: the run's verdict, when an SLA was judged, so the headline says what the verdict rests on. */
export function validityHeadline(report: Report, verdict?: RunVerdict): ValidityHeadline {
  const { validity } = report;
  const openLoop = report.tool !== 'wrk';
  if (!loadHeld(report) && report.requests.total === 0) return { valid: false, title: 'RUN INVALID: nothing was measured in the window, so no figure here describes the target' };
  if (!loadHeld(report)) {
    return { valid: false, title: 'RUN INVALID: the generator did not deliver the load, so no figure here describes the target' };
  }
  if (!validity.valid) {
    const upTo = validity.trustedUpTo ? `trusted up to ${figureLabel(validity.trustedUpTo)}` : 'not even p50 is trusted';
    // With an SLA, each clause was judged only where that lag cannot change it: say so, or the verdict above reads as contradicted.
    const judged = verdict?.sla ? "; each SLA clause was judged only where that lag cannot change it" : '';
    return { valid: false, title: `RUN INVALID: the generator's own lag could have moved the latency figures (${upTo})${judged}` };
  }
  if (report.engine.name === 'external') return { valid: true, title: externalValidTitle(report.tool) };
  if (!openLoop) return { valid: true, title: 'RUN VALID: the generator kept up (closed loop: not saturated, no stalls)' };
  const upTo = validity.trustedUpTo ? `, latency trusted up to ${figureLabel(validity.trustedUpTo)}` : '';
  return { valid: true, title: `RUN VALID: the generator held its plan${upTo}` };
}

/**
 * What "valid" means for a real program's run, by its load model: modelprof sees only the program's
 * output, so it says which of the program's own figures the verdict rests on, and that none of them
 * is a delay of the program's own (no send lag, no trust marks).
 */
function externalValidTitle(tool: string): string {
  const model = loadModelOf(tool);
  if (model?.loop === 'closed') {
    return `RUN VALID: ${tool} sent requests and recorded answers (closed loop: each connection waits for its answer, so there is no schedule to fall behind; ${tool} reports no delay of its own, so no figure is judged for trust)`;
  }
  if (model?.ticker) {
    return 'RUN VALID by LaBench\'s own measure of its schedule: at least 99.9% of its ticks found a free client and of its sends left on time (it reports no send lag, so no figure is judged for trust)';
  }
  return `RUN VALID: ${tool} sent at its planned rate and recorded latency after its calibration (it reports no send lag, so no figure is judged for trust; a rate it missed is a warning)`;
}

/** Keys of the corrected latency figures the trust rule does not trust: every one above trustedUpTo. */
export function untrustedFigures(report: Report): Set<string> {
  return untrustedKeys(report.validity.trust ?? []);
}

/**
 * What the report's trust was judged on: an open loop's send lag, or the closed loop's event-loop
 * delay (it has no plan to be late against).
 */
export function generatorDelayName(report: Pick<Report, 'tool'>): 'send lag' | 'event-loop delay' {
  return loadModelOf(report.tool)?.loop === 'closed' ? 'event-loop delay' : 'send lag';
}

/** The legend for a figure marked untrusted, naming the delay it was judged on. */
export function untrustedLegend(delay: 'send lag' | 'event-loop delay'): string {
  return `not trusted: the generator's own ${delay} could have moved it, or a figure below it, by more than ${TRUST_SHARE * 100}% (or ${TRUST_FLOOR_MS} ms)`;
}

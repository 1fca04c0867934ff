import { figureLabel, TRUST_FLOOR_MS, TRUST_SHARE } from '../judge/trust.js';
import type { Report } from './report.js';
import { loadHeld } from '../judge/sla.js';

/** The run verdict in words, shared by the console, the HTML page and the Markdown summary. */
export interface ValidityHeadline {
  valid: boolean;
  /** "RUN VALID" or "RUN INVALID" and what it rests on, one line. */
  title: string;
}

export function validityHeadline(report: Report): ValidityHeadline {
  const { validity } = report;
  const openLoop = report.tool !== 'wrk';
  if (!loadHeld(report)) {
    return { valid: false, title: 'RUN INVALID: the generator did not deliver the load, so no figure here describes the target' };
  }
  if (!validity.valid) {
    const upTo = validity.trustedUpTo ? `trusted up to ${figureLabel(validity.trustedUpTo)}` : 'not even p50 is trusted';
    return { valid: false, title: `RUN INVALID: the generator's own lag could have moved the latency figures (${upTo})` };
  }
  if (report.engine.name === 'external') return { valid: true, title: `RUN VALID by ${report.tool}'s own measure of its schedule` };
  if (!openLoop) return { valid: true, title: 'RUN VALID: the generator kept up (closed loop: not saturated, no stalls)' };
  const upTo = validity.trustedUpTo ? `, latency trusted up to ${figureLabel(validity.trustedUpTo)}` : '';
  return { valid: true, title: `RUN VALID: the generator held its plan${upTo}` };
}

/** Keys of the corrected latency figures the trust rule does not trust. */
export function untrustedFigures(report: Report): Set<string> {
  return new Set((report.validity.trust ?? []).filter((f) => !f.trusted).map((f) => f.figure));
}

/** The legend for a figure marked untrusted. */
export const UNTRUSTED_LEGEND = `not trusted: the generator's own send lag could have moved it by more than ${TRUST_SHARE * 100}% (or ${TRUST_FLOOR_MS} ms)`;

import type { Report } from '../report/report.js';
import { evaluateSla, type SlaClause } from './sla.js';
import type { Verdict } from '../find-max/search.js';

/**
 * A constant-rate point holds its load when the target served at least this share of the offered
 * rate. Below it requests pile up, and a longer run would only show higher latency.
 */
export const HELD_SHARE = 0.95;

export interface PointVerdict {
  verdict: Verdict;
  /** One line per broken condition (SLA clause, held load), or why there is no verdict. */
  reasons: string[];
}

/**
 * A point's verdict: no verdict from an invalid or cut-short run; otherwise it passes when the
 * target held the offered rate (open-loop tools) and every SLA clause holds.
 */
export function judgePoint(report: Report, clauses: readonly SlaClause[]): PointVerdict {
  if (report.partial) return { verdict: 'invalid', reasons: [`partial run: ${report.partial}`] };
  if (!report.validity.valid) return { verdict: 'invalid', reasons: report.validity.reasons };
  const reasons: string[] = [];
  const offered = report.throughput.targetRps;
  if (offered !== undefined && report.throughput.rps < HELD_SHARE * offered) {
    reasons.push(
      `served ${report.throughput.rps.toFixed(1)} of the offered ${offered} req/s (needs ${HELD_SHARE * 100}%): the target did not keep up`,
    );
  }
  for (const result of evaluateSla(clauses, report).results) if (!result.pass) reasons.push(result.message);
  return { verdict: reasons.length === 0 ? 'pass' : 'fail', reasons };
}

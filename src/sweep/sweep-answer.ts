import { formatNumber } from '../report/format.js';
import type { RankedDeployment } from '../report/cost.js';
import { judgedPoint, type SweepPointRecord, type SweepRecord } from './sweep-record.js';

/**
 * Deployments whose ranking figure is within this share of the best one's are tied: a sweep point
 * is one run, and the served rate it rests on is only held to 97% of the offered one.
 */
export const TIE_SHARE = 0.05;

/** The sweep's answer, and everything it rests on, for the console and the page alike. */
export interface SweepAnswer {
  kind: 'best' | 'tied' | 'none-meets' | 'nothing-valid' | 'none-started';
  /** One line, in capitals first: "CHEAPEST THAT MEETS THE SLA: f4s-c4, ...". */
  headline: string;
  /** What the answer rests on and what it leaves out: invalid and failed points, a limit never reached. */
  caveats: string[];
  /** The deployments named by the headline. */
  deployments: string[];
}

export function sweepAnswer(record: SweepRecord): SweepAnswer {
  const caveats = pointCaveats(record);
  const started = record.deployments.filter((d) => d.notStarted === undefined);
  if (started.length === 0 && record.deployments.length > 0) {
    const reasons = record.deployments.map((d) => `${d.name}: ${d.notStarted}`);
    return { kind: 'none-started', headline: `NO DEPLOYMENT COULD BE STARTED: ${reasons.join('; ')}`, caveats: [], deployments: [] };
  }
  const winners = tiedWithBest(record);
  if (winners.length === 0) {
    const anyJudged = record.points.some(judgedPoint);
    if (!anyJudged) return { kind: 'nothing-valid', headline: 'NO POINT WITH A VERDICT: no deployment can be judged', caveats, deployments: [] };
    const what = record.sla === null ? 'held its offered load' : 'meets the SLA';
    return { kind: 'none-meets', headline: `NO DEPLOYMENT ${what.toUpperCase()} on any point with a verdict`, caveats, deployments: [] };
  }
  const title = record.rankingBasis === 'throughput' ? 'MOST LOAD WITHIN THE SLA' : 'CHEAPEST THAT MEETS THE SLA';
  const each = winners.map((r) => `${r.deployment}, ${r.slaRps!.toFixed(1)} ok req/s (point ${r.pointId})${costText(r, record)}`);
  const tied = winners.length > 1;
  if (tied) caveats.unshift(`${winners.map((r) => r.deployment).join(' and ')} are within ${TIE_SHARE * 100}% of each other on ${basisText(record)}: a tie within a sweep point's noise, not a win`);
  for (const winner of winners) {
    const top = atTopOfGrid(record, winner);
    if (top) caveats.push(top);
  }
  return { kind: tied ? 'tied' : 'best', headline: `${tied ? `TIED, ${title}` : title}: ${each.join('; ')}`, caveats, deployments: winners.map((r) => r.deployment) };
}

/** The best-ranked deployment and every one within TIE_SHARE of it. */
function tiedWithBest(record: SweepRecord): RankedDeployment[] {
  const ranked = record.ranking.filter((r) => r.rank !== undefined);
  const best = ranked[0];
  if (!best) return [];
  const figure = (r: RankedDeployment): number =>
    record.rankingBasis === 'cost' ? r.costPerMillion! : record.rankingBasis === 'core-hours' ? r.coreHoursPerMillion! : r.slaRps!;
  const lead = figure(best);
  return ranked.filter((r) => Math.abs(figure(r) - lead) <= TIE_SHARE * Math.abs(lead));
}

function basisText(record: SweepRecord): string {
  return { cost: 'cost per million requests', 'core-hours': 'core-hours per million requests', throughput: 'the rate held' }[record.rankingBasis];
}

function costText(r: RankedDeployment, record: SweepRecord): string {
  return r.costPerMillion === undefined ? '' : ` at ${formatNumber(r.costPerMillion, 4)}${record.currency ? ` ${record.currency}` : ''} per million requests`;
}

/** Points the answer does not rest on: invalid (no verdict), failed, interrupted or never measured. */
function pointCaveats(record: SweepRecord): string[] {
  const caveats: string[] = [];
  const total = record.points.length;
  const count = (status: SweepPointRecord['status']): SweepPointRecord[] => record.points.filter((p) => p.status === status);
  const invalid = count('invalid');
  if (invalid.length > 0) {
    caveats.push(
      `${invalid.length} of ${total} points without a verdict (the generator did not deliver the load, or its own lag could flip a clause): not ranked, not drawn (${names(invalid)}: ${invalid[0]!.reasons[0] ?? 'invalid'})`,
    );
  }
  for (const deployment of record.deployments) {
    if (deployment.notStarted !== undefined) caveats.push(`${deployment.name} could not be started: ${deployment.notStarted}`);
  }
  const failed = count('failed').filter((p) => record.deployments.find((d) => d.name === p.deployment)?.notStarted === undefined);
  if (failed.length > 0) caveats.push(`${failed.length} of ${total} points failed (${names(failed)}): ${failed[0]!.reasons[0] ?? 'no reason given'}`);
  const unmeasured = [...count('pending'), ...count('interrupted')];
  if (unmeasured.length > 0) caveats.push(`${unmeasured.length} of ${total} points not measured: --resume measures them`);
  return caveats;
}

function names(points: readonly SweepPointRecord[]): string {
  const shown = points.slice(0, 4).map((p) => `${p.deployment} ${p.id}`);
  return points.length > shown.length ? `${shown.join(', ')}, ...` : shown.join(', ');
}

/** A best point at the grid's highest load is a lower bound: the deployment may hold more. */
function atTopOfGrid(record: SweepRecord, winner: RankedDeployment): string | undefined {
  const axis = record.loadAxis;
  if (axis === undefined) return undefined;
  const own = record.points.filter((p) => p.deployment === winner.deployment);
  const best = own.find((p) => p.id === winner.pointId);
  const value = best?.grid[axis];
  const top = Math.max(...own.map((p) => Number(p.grid[axis] ?? -Infinity)));
  if (value === undefined || Number(value) < top) return undefined;
  return `${winner.deployment} met the SLA at the grid's highest ${axis} (${value}): its limit was not reached, so ${winner.slaRps!.toFixed(1)} ok req/s is a lower bound; extend the grid`;
}

import { formatNumber } from '../report/format.js';
import { invalidRunNote, untrustedMark } from '../report/point-figures.js';
import { generatorDelayName, untrustedLegend } from '../report/validity-text.js';
import { judgedPoint, pointOutcome, type SweepRecord } from './sweep-record.js';
import { formatTable } from '../report/text-table.js';
import { sweepAnswer } from './sweep-answer.js';

/** The console comparison: every point, then the ranking, then the answer in one line. */
export function formatSweep(record: SweepRecord): string {
  const title = record.name ? `${record.name} (${record.file})` : record.file;
  const lines = [`modelprof sweep: ${title}, ${record.sla === null ? 'no SLA' : `SLA "${record.sla}"`}`, ''];
  const fixed = (value: number | undefined, digits = 1): string => (value === undefined ? '-' : value.toFixed(digits));
  const points = record.points.map((p) => [
    p.deployment,
    p.id,
    fixed(p.offeredRps),
    fixed(p.servedRps),
    p.p50Ms === undefined ? '-' : `${fixed(p.p50Ms)}${untrustedMark(p, 'p50')}`,
    p.p99Ms === undefined ? '-' : `${fixed(p.p99Ms)}${untrustedMark(p, 'p99')}`,
    p.errorRate === undefined ? '-' : `${(p.errorRate * 100).toFixed(2)}%`,
    pointOutcome(p),
  ]);
  lines.push(
    formatTable(['deployment', 'point', 'offered req/s', 'served req/s', 'p50 ms', 'p99 ms', 'errors', 'outcome'], points, [false, false, true, true, true, true, true, false]),
  );
  const marked = record.points.find((_, i) => points[i]![4]!.endsWith('*') || points[i]![5]!.endsWith('*'));
  if (marked) lines.push(`* ${untrustedLegend(generatorDelayName(marked))}; a verdict stands only where that delay could not change it`);
  for (const p of record.points) {
    const note = judgedPoint(p) ? invalidRunNote(p, `${p.deployment} ${p.id}`) : undefined;
    if (note) lines.push(`(run invalid) ${note}`);
  }

  const money = record.currency ? ` (${record.currency})` : '';
  const byName = new Map(record.deployments.map((d) => [d.name, d]));
  const ranking = record.ranking.map((r) => [
    r.rank === undefined ? '-' : String(r.rank),
    r.deployment,
    byName.get(r.deployment)?.instanceType ?? '',
    r.slaRps === undefined ? 'none' : r.slaRps.toFixed(1),
    r.pointId ?? '',
    r.costPerMillion === undefined ? '' : formatNumber(r.costPerMillion, 4),
    r.coreHoursPerMillion === undefined ? '' : formatNumber(r.coreHoursPerMillion, 4),
  ]);
  const basis = { cost: 'cost per million requests', 'core-hours': 'core-hours per million requests', throughput: 'rate held' }[record.rankingBasis];
  lines.push('', `ranking, by ${basis}:`);
  lines.push(
    formatTable(['rank', 'deployment', 'instance type', 'ok req/s within SLA', 'at point', `cost/M req${money}`, 'core-h/M req'], ranking, [true, false, false, true, false, true, true]),
  );
  // The answer, then everything it rests on or leaves out.
  const answer = sweepAnswer(record);
  lines.push('', answer.headline, ...answer.caveats.map((caveat) => `  ! ${caveat}`));
  if (!record.complete) lines.push('INCOMPLETE: some points were not measured; run again with --resume to finish');
  return lines.join('\n');
}

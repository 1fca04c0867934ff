import { existsSync } from 'node:fs';
import { readBoundedFile } from '../core/bounded-file.js';
import { SettingsError } from '../core/errors.js';
import type { ToolName } from '../settings/settings.js';
import { costAt, rankDeployments, rankingBasis, type DeploymentStanding, type RankedDeployment } from '../report/cost.js';
import type { PointFigures } from '../report/point-figures.js';
import type { Verdict } from '../find-max/search.js';
import type { GridValues, SweepDeployment, SweepPlan } from './sweep-plan.js';

/** Bumped on any change a reader of sweep.json could notice. */
export const SWEEP_SCHEMA_VERSION = '1.0';

/**
 * pending: not measured yet. measured: a report with a verdict (judged clause by clause where the
 * generator's lag cannot change it, on an invalid run too: `valid` says which). invalid: no verdict
 * after a re-run (the load not held, or a clause or shortfall the lag could flip). interrupted: cut short by Ctrl-C. failed: the target or a tool failed.
 */
export type PointStatus = 'pending' | 'measured' | 'invalid' | 'interrupted' | 'failed';

export interface SweepPointRecord extends Partial<PointFigures> {
  id: string;
  deployment: string;
  grid: GridValues;
  tool: ToolName;
  connections: number;
  clients: number;
  status: PointStatus;
  /** pass or fail for measured points; absent otherwise. */
  verdict?: Exclude<Verdict, 'invalid'>;
  /** Broken conditions, why there is no verdict, or the error. */
  reasons: string[];
  attempts?: number;
  /** report.json, relative to sweep.json. */
  report?: string;
  startTime?: string;
  fingerprint: string;
}

export type DeploymentRecord = Omit<SweepDeployment, 'serve'> & {
  served: boolean;
  /** Why its serve command could not start it; absent when it started (or has none). */
  notStarted?: string;
};

/** The contents of sweep.json: rewritten after every point, so it always holds what was finished. */
export interface SweepRecord {
  schemaVersion: typeof SWEEP_SCHEMA_VERSION;
  name?: string;
  file: string;
  sla: string | null;
  currency?: string;
  loadAxis?: SweepPlan['loadAxis'];
  startTime: string;
  updateTime: string;
  /** True once every point has a status other than pending or interrupted. */
  complete: boolean;
  deployments: DeploymentRecord[];
  points: SweepPointRecord[];
  /** Best first; deployments that met the SLA nowhere last, without a rank. */
  ranking: RankedDeployment[];
  rankingBasis: ReturnType<typeof rankingBasis>;
}

export function freshRecord(plan: SweepPlan, now: Date): SweepRecord {
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    ...(plan.name === undefined ? {} : { name: plan.name }),
    file: plan.file,
    sla: plan.sla?.text ?? null,
    ...(plan.currency === undefined ? {} : { currency: plan.currency }),
    ...(plan.loadAxis === undefined ? {} : { loadAxis: plan.loadAxis }),
    startTime: now.toISOString(),
    updateTime: now.toISOString(),
    complete: false,
    deployments: plan.deployments.map(({ serve, ...rest }) => ({ ...rest, served: serve !== undefined })),
    points: plan.points.map((point) =>
      unmeasured({
        id: point.id,
        deployment: point.deployment,
        grid: point.grid,
        tool: point.settings.tool,
        connections: point.settings.connections,
        clients: point.settings.clients,
        fingerprint: point.fingerprint,
      }),
    ),
    ranking: [],
    rankingBasis: 'throughput',
  };
}

/** A point's identity with nothing measured: pending, no figures, no verdict. */
export function unmeasured(point: Pick<SweepPointRecord, 'id' | 'deployment' | 'grid' | 'tool' | 'connections' | 'clients' | 'fingerprint'>): SweepPointRecord {
  const { id, deployment, grid, tool, connections, clients, fingerprint } = point;
  return { id, deployment, grid, tool, connections, clients, status: 'pending', reasons: [], fingerprint };
}

/** A sweep.json left by an earlier run, for --resume; undefined when there is none. */
export async function readRecord(path: string): Promise<SweepRecord | undefined> {
  if (!existsSync(path)) return undefined;
  const text = readBoundedFile(path, `--resume: "${path}"`, 'report');
  let record: SweepRecord;
  try {
    record = JSON.parse(text) as SweepRecord;
  } catch {
    throw new SettingsError(`--resume: "${path}" is not JSON; remove it to start the sweep afresh`);
  }
  if (record.schemaVersion !== SWEEP_SCHEMA_VERSION || !Array.isArray(record.points)) {
    throw new SettingsError(`--resume: "${path}" is not a sweep.json of version ${SWEEP_SCHEMA_VERSION}; remove it to start afresh`);
  }
  return record;
}

/**
 * Whether a point has a verdict the sweep may rank and draw: measured. Its run may be invalid (p50 to
 * p99 not all trusted): the verdict was judged by judgePoint only where the generator's lag cannot
 * change it, as `run --sla` judges, and the tables say why the run is invalid (invalidRunNote).
 */
export function judgedPoint(p: SweepPointRecord): boolean {
  return p.status === 'measured';
}

/** A point's outcome in words: "meets SLA" and "breaks SLA" for a judged point ("(run invalid)" added on an invalid run); its status otherwise. */
export function pointOutcome(p: SweepPointRecord): string {
  if (!judgedPoint(p)) return p.status;
  return `${p.verdict === 'pass' ? 'meets SLA' : 'breaks SLA'}${p.valid === false ? ' (run invalid)' : ''}`;
}

/** Each deployment's best SLA-meeting point, its cost there, and the ranking; `complete` from the statuses. */
export function settleRecord(record: SweepRecord, now: Date): SweepRecord {
  const standings: DeploymentStanding[] = record.deployments.map((deployment) => {
    const best = record.points
      .filter((p) => p.deployment === deployment.name && judgedPoint(p) && p.verdict === 'pass' && p.okRps !== undefined)
      .reduce<SweepPointRecord | undefined>((top, p) => (top === undefined || p.okRps! > top.okRps! ? p : top), undefined);
    if (!best) return { deployment: deployment.name };
    return { deployment: deployment.name, slaRps: best.okRps!, pointId: best.id, ...costAt(best.okRps!, deployment) };
  });
  return {
    ...record,
    updateTime: now.toISOString(),
    complete: record.points.every((p) => p.status !== 'pending' && p.status !== 'interrupted'),
    ranking: rankDeployments(standings),
    rankingBasis: rankingBasis(standings),
  };
}

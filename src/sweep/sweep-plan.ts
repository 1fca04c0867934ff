import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SettingsError } from '../core/errors.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import { DEFAULT_MONITOR_INTERVAL_MS, DEFAULT_SERVE_TIMEOUT } from '../monitors/monitor-request.js';
import { reportSettings } from '../report/build-report.js';
import type { SlaClause } from '../judge/sla.js';
import { checkGeneratorLimits } from '../load/machine-limits.js';
import { BOUNDS, withinBound } from '../settings/bounds.js';
import { parseDuration } from '../settings/duration.js';
import type { SettingsLayer } from '../settings/layers.js';
import { redactUrl } from '../core/redact.js';
import { assembleRunRequest, type JobSource, type RunRequest } from '../settings/run-request.js';
import type { Settings } from '../settings/settings.js';
import type { DeploymentPrice } from '../report/cost.js';
import { GRID_KEYS, type DeploymentEntry, type GridKey, type SweepDocument } from './sweep-file.js';

export const DEFAULT_SWEEP_OUTPUT = 'outputs/sweep';
const DEFAULT_COOLDOWN = '5s';

export interface SweepDeployment extends DeploymentPrice {
  name: string;
  description?: string;
  /** With secrets in the query redacted: safe to write down. */
  url: string;
  instanceType?: string;
  maxConcurrentRequestsPerInstance?: number;
  /** The command that starts it locally; may hold a key, so it is never written to sweep.json. */
  serve?: { command: string; timeoutMs: number };
}

export type GridValues = { [K in GridKey]?: K extends 'tool' ? string : number };

export interface SweepPoint {
  /** Unique within a deployment, e.g. "wrk2-c8-r200" ("base" for an empty grid). */
  id: string;
  deployment: string;
  grid: GridValues;
  settings: Settings;
  /** Output folder, relative to the sweep's output folder. */
  dir: string;
  /** Changes whenever anything that shapes the measurement changes: --resume re-measures such points. */
  fingerprint: string;
}

export interface SweepPlan {
  name?: string;
  /** The sweep file, as given. */
  file: string;
  outputDir: string;
  /** Where outputDir was given (--output, or the sweep file's output key), for its errors. */
  outputSource: string;
  cooldownSec: number;
  sla?: { text: string; clauses: SlaClause[] };
  currency?: string;
  deployments: SweepDeployment[];
  /** Deployment by deployment, grid order within each. */
  points: SweepPoint[];
  monitors: MonitorSpec[];
  monitorIntervalMs: number;
  /** The grid key that sets the offered load (the x of the load charts), when the grid varies one. */
  loadAxis?: 'rate' | 'connections' | 'clients';
}

export interface PlanOverrides {
  /** --output: beats the file's output key. */
  outputDir?: string;
  /** --cooldown: beats the file's cooldown key. */
  cooldown?: string;
}

/**
 * Turns a checked sweep file into points with fully resolved settings, so that every mistake shows
 * before the first request. `baseDir` resolves relative payload files; `env` expands ${VAR} in headers.
 */
export function planSweep(document: SweepDocument, file: string, baseDir: string, overrides: PlanOverrides, env: NodeJS.ProcessEnv): SweepPlan {
  const origin = file;
  const { payload, tool, engine, tool_path, settings, monitors, sla } = document;
  // The keys every point shares, read as a job document: one way to assemble a run, as for `run`.
  const shared: JobSource = { document: { payload, tool, engine, tool_path, settings, monitors, sla }, origin, baseDir };
  const outputDir = overrides.outputDir ?? document.output ?? DEFAULT_SWEEP_OUTPUT;
  const outputSource = overrides.outputDir === undefined && document.output !== undefined ? `${origin} output` : '--output';
  const cooldownText = overrides.cooldown ?? (document.cooldown === undefined ? DEFAULT_COOLDOWN : String(document.cooldown));
  const cooldownSource = overrides.cooldown !== undefined ? '--cooldown' : `${origin} cooldown`;
  const cooldownSec = withinBound('cooldown', parseDuration(cooldownText, cooldownSource), cooldownSource, cooldownText);

  const deployments = document.deployments.map((entry, index) => planDeployment(entry, `${origin} deployments[${index}]`));
  const combinations = expandGrid(document, document.deployments.length, origin);
  let first: RunRequest | undefined;
  const points = document.deployments.flatMap((entry, index) =>
    combinations.map((grid) => {
      const id = pointId(grid);
      const dir = join(entry.name, id);
      // The sweep file is the whole plan: the seed's environment variables are not read.
      const request = assembleRunRequest({
        layers: [{ output: { value: join(outputDir, dir), source: outputSource } }, gridLayer(grid, origin), deploymentLayer(entry, `${origin} deployments[${index}]`)],
        jobs: [shared],
        env,
        ...(entry.insecure ? { insecure: true } : {}),
      });
      // Every point must fit this machine before the first is measured.
      checkGeneratorLimits(request.settings);
      first ??= request;
      return { id, deployment: entry.name, grid, settings: request.settings, dir, fingerprint: fingerprint(request.settings, deployments[index]!) };
    }),
  );

  const loadAxis = document.grid?.rate ? 'rate' : document.grid?.connections ? 'connections' : document.grid?.clients ? 'clients' : undefined;
  return {
    ...(document.name === undefined ? {} : { name: document.name }),
    file,
    outputDir,
    outputSource,
    cooldownSec,
    ...(first?.slaText === undefined ? {} : { sla: { text: first.slaText, clauses: first.sla } }),
    ...(document.currency === undefined ? {} : { currency: document.currency }),
    deployments,
    points,
    monitors: first?.monitors ?? [],
    monitorIntervalMs: first?.monitorIntervalMs ?? DEFAULT_MONITOR_INTERVAL_MS,
    ...(loadAxis === undefined ? {} : { loadAxis }),
  };
}

function planDeployment(entry: DeploymentEntry, where: string): SweepDeployment {
  let url: URL;
  try {
    url = new URL(entry.url);
  } catch {
    throw new SettingsError(`${where}.url must be an absolute http:// or https:// URL, and this one does not parse`);
  }
  if (entry.instance_count !== undefined) withinBound('instances', entry.instance_count, `${where}.instance_count`);
  if (entry.price_per_hour !== undefined) withinBound('price', entry.price_per_hour, `${where}.price_per_hour`);
  if (entry.cores_per_instance !== undefined) withinBound('cores', entry.cores_per_instance, `${where}.cores_per_instance`);
  const deployment: SweepDeployment = { name: entry.name, url: redactUrl(url), instances: entry.instance_count ?? 1 };
  if (entry.description !== undefined) deployment.description = entry.description;
  if (entry.instance_type !== undefined) deployment.instanceType = entry.instance_type;
  if (entry.price_per_hour !== undefined) deployment.pricePerHour = entry.price_per_hour;
  if (entry.cores_per_instance !== undefined) deployment.coresPerInstance = entry.cores_per_instance;
  if (entry.max_concurrent_requests_per_instance !== undefined) {
    deployment.maxConcurrentRequestsPerInstance = entry.max_concurrent_requests_per_instance;
  }
  if (entry.serve !== undefined) {
    const timeoutText = entry.serve_timeout === undefined ? DEFAULT_SERVE_TIMEOUT : String(entry.serve_timeout);
    const timeoutSec = parseDuration(timeoutText, `${where}.serve_timeout`);
    if (timeoutSec <= 0) throw new SettingsError(`${where}.serve_timeout must be longer than 0, got "${timeoutText}"`);
    withinBound('serveTimeout', timeoutSec, `${where}.serve_timeout`, timeoutText);
    deployment.serve = { command: entry.serve, timeoutMs: timeoutSec * 1000 };
  }
  return deployment;
}

/**
 * Every combination of the grid's lists, in GRID_KEYS order with the last key varying fastest.
 * The number of points (combinations times `deployments`) is checked against BOUNDS.sweepPoints
 * before any is built: a grid of 3,000 x 3,000 is refused at once, not expanded into 9,000,000.
 */
export function expandGrid(document: Pick<SweepDocument, 'grid'>, deployments = 1, origin = 'the sweep file'): GridValues[] {
  const lists = GRID_KEYS.map((key) => document.grid?.[key] as unknown[] | undefined).filter((values): values is unknown[] => values !== undefined);
  const count = lists.reduce((product, values) => product * values.length, deployments);
  if (count > BOUNDS.sweepPoints.max) {
    const sizes = [...lists.map((values) => values.length), ...(deployments > 1 ? [deployments] : [])].join(' x ');
    withinBound('sweepPoints', count, `${origin}: the grid (${sizes}${deployments > 1 ? ' deployments' : ''})`, `${count.toLocaleString('en-US')} points`);
  }
  let combinations: GridValues[] = [{}];
  for (const key of GRID_KEYS) {
    const values = document.grid?.[key] as (string | number)[] | undefined;
    if (!values) continue;
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
  }
  return combinations;
}

const ID_PREFIX: Record<GridKey, string> = { tool: '', threads: 't', connections: 'c', clients: 'n', rate: 'r' };

/** "wrk2-t2-c8-n4-r200" for the keys the grid sets; "base" when it sets none. */
export function pointId(grid: GridValues): string {
  const parts = GRID_KEYS.filter((key) => grid[key] !== undefined).map((key) => `${ID_PREFIX[key]}${grid[key]}`);
  return parts.length === 0 ? 'base' : parts.join('-');
}

function gridLayer(grid: GridValues, origin: string): SettingsLayer {
  const layer: SettingsLayer = {};
  for (const key of GRID_KEYS) {
    const value = grid[key];
    if (value !== undefined) layer[key] = { value: String(value), source: `${origin} grid.${key}` };
  }
  return layer;
}

function deploymentLayer(entry: DeploymentEntry, where: string): SettingsLayer {
  const layer: SettingsLayer = { url: { value: entry.url, source: `${where}.url` } };
  if (entry.method !== undefined) layer.method = { value: entry.method, source: `${where}.method` };
  if (entry.headers !== undefined) {
    const headers = Object.fromEntries(Object.entries(entry.headers).map(([name, value]) => [name, String(value)]));
    layer.headers = { value: headers, source: `${where}.headers` };
  }
  return layer;
}

/** A digest of what shapes a measurement; header values enter it redacted, the serve command only hashed. */
function fingerprint(settings: Settings, deployment: SweepDeployment): string {
  const shape = {
    ...reportSettings(settings),
    url: redactUrl(settings.url),
    // The bodies themselves, not just their count: a changed payload is a different measurement.
    payload: createHash('sha256').update(settings.payload.bodies.join('\n')).digest('hex'),
    serve: deployment.serve?.command,
    instanceType: deployment.instanceType,
    instances: deployment.instances,
    maxConcurrent: deployment.maxConcurrentRequestsPerInstance,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

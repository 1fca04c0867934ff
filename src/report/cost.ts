/**
 * What serving a million requests costs at a rate a deployment holds within its SLA, in money
 * (price per instance-hour) and in core-hours (cores x instances x hours), and the ranking of
 * deployments by it: "the cheapest deployment that meets the SLA".
 */

/** What a deployment costs to run; every figure optional, since users know some and not others. */
export interface DeploymentPrice {
  /** Price of one instance for one hour, in the user's currency. */
  pricePerHour?: number;
  /** Instances serving the endpoint (Azure's instance_count); default 1. */
  instances?: number;
  /** Cores (vCPUs) of one instance. */
  coresPerInstance?: number;
}

export interface CostFigures {
  /** Price for one million requests served at the rate; absent without a price. */
  costPerMillion?: number;
  /** Core-hours spent per million requests; absent without a core count. */
  coreHoursPerMillion?: number;
}

const MILLION = 1_000_000;
const SECONDS_PER_HOUR = 3600;

/** Cost per million requests when the deployment serves `rps` requests per second. */
export function costAt(rps: number, price: DeploymentPrice): CostFigures {
  if (!(rps > 0)) return {};
  const instances = price.instances ?? 1;
  const hoursPerMillion = MILLION / (rps * SECONDS_PER_HOUR);
  return {
    ...(price.pricePerHour === undefined ? {} : { costPerMillion: round(price.pricePerHour * instances * hoursPerMillion) }),
    ...(price.coresPerInstance === undefined ? {} : { coreHoursPerMillion: round(price.coresPerInstance * instances * hoursPerMillion) }),
  };
}

/** One deployment's best: the highest rate it served within the SLA on a valid point, if any. */
export interface DeploymentStanding extends CostFigures {
  deployment: string;
  /** Requests per second answered without error at the best SLA-meeting point; absent when none met it. */
  slaRps?: number;
  /** The point that gave slaRps. */
  pointId?: string;
}

export interface RankedDeployment extends DeploymentStanding {
  /** 1 for the best; absent for deployments that met the SLA nowhere. */
  rank?: number;
}

/**
 * Deployments that met the SLA first: by cost per million requests where every one of them has a
 * price, else by core-hours per million where every one has a core count, else by the rate held.
 * Ties share a rank and keep the sweep file's order. Deployments that never met it follow, unranked.
 */
export function rankDeployments(standings: readonly DeploymentStanding[]): RankedDeployment[] {
  const meeting = standings.filter((s) => s.slaRps !== undefined);
  const key = rankingKey(meeting);
  const sorted = [...meeting].sort((a, b) => key(a) - key(b));
  // Equal figures share a rank (1, 1, 3): a tie is not a win.
  const ranked = sorted.map((s) => ({ ...s, rank: sorted.findIndex((other) => key(other) === key(s)) + 1 }));
  return [...ranked, ...standings.filter((s) => s.slaRps === undefined)];
}

/** What the ranking sorts by, lowest first. */
export function rankingBasis(standings: readonly DeploymentStanding[]): 'cost' | 'core-hours' | 'throughput' {
  const meeting = standings.filter((s) => s.slaRps !== undefined);
  if (meeting.length > 0 && meeting.every((s) => s.costPerMillion !== undefined)) return 'cost';
  if (meeting.length > 0 && meeting.every((s) => s.coreHoursPerMillion !== undefined)) return 'core-hours';
  return 'throughput';
}

function rankingKey(meeting: readonly DeploymentStanding[]): (s: DeploymentStanding) => number {
  switch (rankingBasis(meeting)) {
    case 'cost':
      return (s) => s.costPerMillion!;
    case 'core-hours':
      return (s) => s.coreHoursPerMillion!;
    case 'throughput':
      return (s) => -s.slaRps!;
  }
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}

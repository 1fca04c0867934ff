import { SettingsError } from '../core/errors.js';
import { nonNegativeNumber, positiveInteger, positiveNumber, share } from '../core/numbers.js';
import { LOAD_MODELS } from '../load/models/registry.js';
import { withinBound, type BoundName } from '../settings/bounds.js';
import { parseDuration } from '../settings/duration.js';
import type { SettingsLayer } from '../settings/layers.js';
import type { RunRequest } from '../settings/run-request.js';
import { pointEstimateMs, type FindMaxRequest } from './find-max.js';

/**
 * find-max's defaults for the load, ranked just above modelprof's own (below flags, --set, the job
 * file and the environment): a constant-rate model, enough connections for a queue to form at the
 * target rather than in the generator, and points short enough for a search of ten of them.
 */
export const FIND_MAX_LOAD_DEFAULTS: SettingsLayer = {
  tool: { value: 'wrk2', source: 'find-max default tool' },
  connections: { value: '64', source: 'find-max default connections' },
  duration: { value: '10s', source: 'find-max default duration' },
  warmup: { value: '2s', source: 'find-max default warmup' },
};

/** The search's settings as given (flags or library options), before validation. */
export interface SearchInput {
  startRate?: string;
  maxRate?: string;
  factor?: string;
  precision?: string;
  confirm?: boolean;
  maxTime?: string;
  cooldown?: string;
  pricePerHour?: string;
  instances?: string;
  cores?: string;
}

export const SEARCH_DEFAULTS = { startRate: '10', factor: '2', precision: '5%', maxTime: '15m', cooldown: '2s', instances: '1' } as const;

/** Everything the search needs beyond the run's settings and monitors. */
export type FindMaxSearch = Omit<FindMaxRequest, 'settings' | 'monitors' | 'monitorIntervalMs' | 'signal' | 'log' | 'onProgress'>;

/** How each setting is named in messages: "--start-rate" on the command line, "startRate" in the library. */
export type SearchSettingName = (key: keyof SearchInput | 'rate' | 'sla' | 'tool') => string;

/** A rate given to find-max is a mistake: it searches the rate itself. */
export function refuseFixedRate(name: SearchSettingName): never {
  throw new SettingsError(`${name('rate')}: find-max searches the rate itself; bound it with ${name('startRate')} and ${name('maxRate')}`);
}

/**
 * Validates the search against its run (assembled with FIND_MAX_LOAD_DEFAULTS): a model with a rate,
 * an SLA, and bounds that hold one point at least.
 */
export function findMaxSearchFrom(run: RunRequest, input: SearchInput, name: SearchSettingName): FindMaxSearch {
  if (LOAD_MODELS[run.settings.tool].loop === 'closed') {
    throw new SettingsError(`${name('tool')} ${run.settings.tool} is a closed loop with no rate to search: use ${name('tool')} wrk2 or labench`);
  }
  if (run.slaText === undefined) throw new SettingsError(`${name('sla')} is required: the search needs something to meet, e.g. ${name('sla')} "p99<=200ms, error_rate<1%"`);
  const given = { ...SEARCH_DEFAULTS, ...definedKeys(input) };
  // Each value parsed, then held to its bound in BOUNDS.
  const bounded = (bound: BoundName, key: keyof SearchInput, text: string, parse: (text: string, name: string) => number): number =>
    withinBound(bound, parse(text, name(key)), name(key), text);
  const factor = bounded('factor', 'factor', given.factor, positiveNumber);
  if (factor <= 1) throw new SettingsError(`${name('factor')} must be greater than 1, got "${given.factor}"`);
  const maxTimeSec = bounded('maxTime', 'maxTime', given.maxTime, parseDuration);
  const cooldownSec = bounded('cooldown', 'cooldown', given.cooldown, parseDuration);
  const startRate = bounded('rate', 'startRate', given.startRate, positiveNumber);
  const maxRate = given.maxRate === undefined ? undefined : bounded('rate', 'maxRate', given.maxRate, positiveNumber);
  if (maxRate !== undefined && maxRate < startRate) {
    throw new SettingsError(`${name('maxRate')} (${maxRate}) is below ${name('startRate')} (${startRate}): the search would have no rate to try; lower ${name('startRate')} or raise ${name('maxRate')}`);
  }
  const oneRunMs = pointEstimateMs(run.settings, cooldownSec);
  if (maxTimeSec * 1000 < oneRunMs) {
    throw new SettingsError(`${name('maxTime')} (${maxTimeSec}s) is shorter than one point (warm-up + duration + cool-down, about ${oneRunMs / 1000}s)`);
  }
  return {
    sla: { text: run.slaText, clauses: run.sla },
    startRate,
    ...(maxRate === undefined ? {} : { maxRate }),
    factor,
    precision: share(given.precision, name('precision')),
    confirm: given.confirm !== false,
    maxTimeSec,
    cooldownSec,
    price: {
      ...(given.pricePerHour === undefined ? {} : { pricePerHour: bounded('price', 'pricePerHour', given.pricePerHour, nonNegativeNumber) }),
      instances: bounded('instances', 'instances', given.instances, positiveInteger),
      ...(given.cores === undefined ? {} : { coresPerInstance: bounded('cores', 'cores', given.cores, positiveNumber) }),
    },
  };
}

function definedKeys<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as Partial<T>;
}

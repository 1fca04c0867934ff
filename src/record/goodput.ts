import { SettingsError } from '../core/errors.js';

/** Per-request figures an objective can bound. */
export const GOODPUT_METRICS = ['ttft', 'tpot', 'itl', 'e2e'] as const;
export type GoodputMetric = (typeof GOODPUT_METRICS)[number];

/** One service-level objective on each request, e.g. ttft <= 200 ms. */
export interface GoodputObjective {
  readonly metric: GoodputMetric;
  /** true for `<=`, false for `<`. */
  readonly inclusive: boolean;
  readonly limitMs: number;
}

/** One request's figures, ms; undefined where the request has none (TTFT of an answer that was not streamed, TPOT of a one-token answer). */
export interface RequestFigures {
  ttft?: number;
  tpot?: number;
  /** The longest gap between two output events of the request. */
  itl?: number;
  e2e: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, 'µs': 0.001, ms: 1, s: 1000 };

/**
 * Parses objectives such as "ttft<=200ms,tpot<=50ms,e2e<2s" (a bare number is ms, as in
 * `vllm bench serve --goodput`). `setting` names the flag for errors.
 */
export function parseGoodput(text: string, setting = '--goodput'): GoodputObjective[] {
  const clauses = text.split(',').map((clause) => clause.trim()).filter((clause) => clause !== '');
  if (clauses.length === 0) throw new SettingsError(`${setting} is empty: expected objectives like "ttft<=200ms,tpot<=50ms"`);
  const seen = new Set<string>();
  return clauses.map((clause) => {
    const match = /^([a-z0-9_]+)\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?$/i.exec(clause);
    if (!match) {
      throw new SettingsError(`${setting} clause "${clause}" is not an objective: expected <metric><=<time> with metric ${GOODPUT_METRICS.join(', ')}, e.g. "ttft<=200ms"`);
    }
    const metric = match[1]!.toLowerCase();
    if (!(GOODPUT_METRICS as readonly string[]).includes(metric)) {
      throw new SettingsError(`${setting} clause "${clause}": unknown metric "${match[1]}"; expected ${GOODPUT_METRICS.join(', ')}`);
    }
    if (seen.has(metric)) throw new SettingsError(`${setting} names ${metric} twice`);
    seen.add(metric);
    return { metric: metric as GoodputMetric, inclusive: match[2] === '<=', limitMs: Number(match[3]) * UNIT_MS[(match[4] ?? 'ms').toLowerCase()]! };
  });
}

/** The objectives written back in their canonical form, e.g. "ttft<=200ms,tpot<=50ms". */
export function formatGoodput(objectives: readonly GoodputObjective[]): string {
  return objectives.map((objective) => `${objective.metric}${objective.inclusive ? '<=' : '<'}${objective.limitMs}ms`).join(',');
}

/** What the objectives say of one request. */
export type Verdict = 'good' | 'missed' | 'undetermined';

/**
 * Judges one request against every objective. A one-token answer has no TPOT and no gap: those
 * objectives hold for it (as in vLLM's goodput). An answer that was not streamed has no TTFT, TPOT
 * or gaps at all: it is undetermined for those objectives (as in GuideLLM's SLO attainment), so it
 * counts neither as good nor against the share, rather than failing an objective nobody measured.
 */
export function judgeRequest(figures: RequestFigures, objectives: readonly GoodputObjective[], streamed: boolean): Verdict {
  let undetermined = false;
  for (const { metric, inclusive, limitMs } of objectives) {
    const value = figures[metric];
    if (value === undefined) {
      if (!streamed || metric === 'ttft') undetermined = true;
      continue;
    }
    if (inclusive ? value > limitMs : value >= limitMs) return 'missed';
  }
  return undetermined ? 'undetermined' : 'good';
}

import { PLAN_HELD_SHARE, SATURATED_GENERATOR, TIMELY_SHARE_REQUIRED } from '../judge/validity.js';
import { JUDGED_FIGURES, figureLabel, VALID_THROUGH } from '../judge/trust.js';
import type { FigureTrust } from '../record/result.js';
import { loadModelOf } from '../load/models/registry.js';
import type { ValidityChecks } from '../record/result.js';
import { formatCount, formatMs, formatRps, formatShare } from './format.js';
import type { Report } from './report.js';

/** One check of the run's validity as the page and JUnit show it: its value, and the rule it is held to (none: shown for context). */
export interface ValidityRow {
  key: keyof ValidityChecks | 'trust';
  label: string;
  value: string;
  /** The rule in force for this run's engine and model, e.g. "at least 99%"; absent for a figure no rule judges. */
  rule?: string;
}

type Check = [key: keyof ValidityChecks, label: string, format: (v: number) => string, rule?: string];

const percent = (share: number): string => `${+(share * 100).toFixed(2)}%`;

/**
 * The checks the verdict on this run was drawn from, each with its rule, for the engine and load
 * model that ran. LaBench's timely sends and ticks and its late-send tolerance decide only a real
 * LaBench run's verdict: report.json keeps them for a builtin run, but they are not shown as rules
 * there, where the plan, the generator's load and the trust of p50 to p99 decide (judge/validity.ts).
 */
export function validityRows(report: Report): ValidityRow[] {
  const model = loadModelOf(report.tool);
  const builtin = report.engine.name === 'builtin';
  const openLoop = model?.loop !== 'closed';
  const checks: Check[] = builtin ? builtinChecks(openLoop, model?.ticker === true) : externalChecks(openLoop, model?.ticker === true);
  const rows: ValidityRow[] = checks
    .filter(([key]) => report.validity.checks[key] !== undefined)
    .map(([key, label, format, rule]) => ({ key, label, value: format(report.validity.checks[key]!), ...(rule ? { rule } : {}) }));
  const worst = worstUpToValidThrough(report.validity.trust ?? []);
  if (builtin && openLoop && worst) {
    const through = `${figureLabel('p50')}..${figureLabel(VALID_THROUGH)}`;
    rows.push({
      key: 'trust',
      label: `generator's part in ${through} (nearest its limit: ${figureLabel(worst.figure)})`,
      value: formatMs(worst.lagMs),
      rule: `at most ${formatMs(worst.limitMs)} (the larger of 5% of ${formatMs(worst.latencyMs)} and 0.1 ms), and likewise at every figure from ${through}; the figures above are marked, not judged here`,
    });
  }
  return rows;
}

function builtinChecks(openLoop: boolean, ticker: boolean): Check[] {
  const saturation: Check = ['generatorCpu', 'generator busy or waiting for a CPU', formatShare, `at most ${percent(SATURATED_GENERATOR)}`];
  if (!openLoop) {
    return [
      ['achievedRps', 'answers per second', formatRps],
      ['eventLoopLagP99Ms', 'generator event-loop delay p99', formatMs, 'judges the figures one by one (trust table)'],
      ['eventLoopLagMaxMs', 'generator event-loop delay max', formatMs],
      saturation,
    ];
  }
  return [
    ['targetRps', 'target rate', formatRps],
    ['sendRps', 'achieved send rate', formatRps],
    ['achievedRps', 'answers per second', formatRps],
    ['servedRps', 'served rate (the plan served, at its pace)', formatRps, 'below 99% of the target: a warning (the target was too slow)'],
    ['planHeldShare', 'planned sends made (or kept back by a busy connection)', formatShare, `at least ${percent(PLAN_HELD_SHARE)}, with no backlog growing through the run`],
    ['owedSends', 'sends still owed when the window closed', formatCount],
    ['unsentPlanned', 'sends a busy connection kept back', formatCount, 'a warning: the corrected latency lacks them'],
    ...(ticker ? [['missedTicks', 'ticks with no free client', formatCount, `at most ${percent(1 - TIMELY_SHARE_REQUIRED)} of ticks`] as Check] : []),
    ['maxSendLagMs', 'worst send lag', formatMs, 'judges the figures one by one (trust table)'],
    saturation,
  ];
}

function externalChecks(openLoop: boolean, ticker: boolean): Check[] {
  if (!openLoop) return [['achievedRps', 'answers per second', formatRps]];
  if (ticker) {
    return [
      ['targetRps', 'target rate', formatRps],
      ['achievedRps', 'answers per second', formatRps],
      ['timelyTicks', "ticks that found a free client (LaBench's own count)", formatShare, `at least ${percent(TIMELY_SHARE_REQUIRED)}`],
      ['timelySends', "sends within one interval of their tick (LaBench's own count)", formatShare, `at least ${percent(TIMELY_SHARE_REQUIRED)}`],
      ['missedTicks', 'ticks with no free client', formatCount],
    ];
  }
  return [
    ['targetRps', 'target rate', formatRps],
    ['achievedRps', 'answers per second', formatRps, 'below 99% of the target: a warning (the target, or the program, could not keep up)'],
  ];
}

/** Of the figures from p50 to VALID_THROUGH, the first not trusted, else the one whose part is nearest its limit. */
function worstUpToValidThrough(trust: readonly FigureTrust[]): FigureTrust | undefined {
  const last = JUDGED_FIGURES.findIndex(({ key }) => key === VALID_THROUGH);
  const judged = new Set(JUDGED_FIGURES.slice(0, last + 1).map(({ key }) => key as string));
  const figures = trust.filter((f) => judged.has(f.figure));
  return figures.find((f) => !f.trusted) ?? figures.reduce<FigureTrust | undefined>((top, f) => (top === undefined || f.lagMs / f.limitMs > top.lagMs / top.limitMs ? f : top), undefined);
}

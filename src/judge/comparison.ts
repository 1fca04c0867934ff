import type { Tolerance } from './tolerances.js';
import type { NoiseInterval } from './bootstrap.js';

/** What `compare` found: the shapes of its result, shared by the judge and the renderings. */

export type Direction = 'higher-is-worse' | 'lower-is-worse';

export type MetricVerdict = 'ok' | 'regression' | 'improvement' | 'within-noise' | 'info' | 'missing' | 'not-comparable' | 'not-judged';

/**
 * The comparison's one verdict, by the SLA's rule: not comparable (the load differs), no verdict (a
 * run's generator did not deliver the load), a regression found on figures the generator's lag
 * cannot change, else not judged when a row it could flip was withheld, else no regression.
 */
export type ComparisonVerdict = 'regression' | 'no-regression' | 'not-judged' | 'not-comparable' | 'no-verdict';

export interface MetricComparison {
  metric: string;
  direction: Direction;
  baseline?: number;
  current?: number;
  /** current - baseline, in the metric's base unit. */
  delta?: number;
  /** delta / baseline; absent when the baseline is 0. */
  relative?: number;
  tolerance?: Tolerance;
  noise?: NoiseInterval;
  verdict: MetricVerdict;
  /** Counts toward exit code 1: a regression on figures the generator's lag cannot change. */
  failed: boolean;
  message: string;
  /** Unit of monitor metrics, for formatting. */
  resourceUnit?: string;
}

export interface ReportIdentity {
  url: string;
  tool: string;
  startTime: string;
  valid: boolean;
}

export interface Comparison {
  baseline: ReportIdentity;
  current: ReportIdentity;
  metrics: MetricComparison[];
  verdict: ComparisonVerdict;
  /** Why no verdict can be given: a run whose generator did not deliver the load; empty when both did. */
  invalid: string[];
  /**
   * Why the runs are not like with like, so no verdict is given either: a different load model or
   * a different offered load (rate, or connections of a closed loop), under which every figure differs
   * whatever the target did. Empty when the load was the same.
   */
  unlike: string[];
  /** Rows withheld because the generator's own lag could flip them, each with why; the rest are judged. */
  notJudged: string[];
  /** Settings that differ between the runs, and other caveats. */
  notes: string[];
  regression: boolean;
}

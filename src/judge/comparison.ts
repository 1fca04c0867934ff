import type { Tolerance } from './tolerances.js';
import type { NoiseInterval } from './bootstrap.js';

/** What `compare` found: the shapes of its result, shared by the judge and the renderings. */

export type Direction = 'higher-is-worse' | 'lower-is-worse';

export type MetricVerdict = 'ok' | 'regression' | 'improvement' | 'within-noise' | 'info' | 'missing' | 'not-comparable';

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
  /** Counts toward exit code 1. */
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
  /** Why no verdict can be given (a run was invalid); empty when both are valid. */
  invalid: string[];
  /**
   * Why the runs are not like with like, so no verdict is given either: a different load model or
   * a different offered load (rate, or connections of a closed loop), under which every figure differs
   * whatever the target did. Empty when the load was the same.
   */
  unlike: string[];
  /** Settings that differ between the runs, and other caveats. */
  notes: string[];
  regression: boolean;
}

import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import type { Comparison } from '../judge/comparison.js';
import type { Report } from '../report/report.js';
import type { SlaVerdict } from '../judge/sla.js';
import { judgeRun, type RunOutcome } from '../judge/run-verdict.js';

/** Process exit codes, documented in the README; CI pipelines branch on them. */
export const EXIT = {
  ok: 0,
  /** An SLA clause failed, or compare found a regression. */
  slaFailed: 1,
  /** Bad settings, flags, job file or payload: nothing was sent. */
  badSettings: 2,
  /** No verdict on the target: the generator did not deliver the load, a clause (or compare row) its lag could flip, an invalid run (p50 to p99 not all trusted) without an SLA, or runs not like with like. */
  runInvalid: 3,
  /** A load tool or the target failed (missing program, unparsable output, target down). */
  toolError: 4,
  /** An output could not be written (disk full, unwritable path); after a load, the summary printed is what it measured. */
  outputFailed: 5,
  /** Interrupted by the user (Ctrl-C), after writing what was measured. */
  interrupted: 130,
} as const;

const EXIT_BY_ERROR_CODE: Record<ErrorCode, number> = {
  [ERROR_CODES.settings]: EXIT.badSettings,
  [ERROR_CODES.tool]: EXIT.toolError,
  [ERROR_CODES.target]: EXIT.toolError,
  [ERROR_CODES.interrupted]: EXIT.interrupted,
  [ERROR_CODES.output]: EXIT.outputFailed,
};

/** The exit code for a library error's stable code. */
export function exitCodeOfError(error: { code: ErrorCode }): number {
  return EXIT_BY_ERROR_CODE[error.code];
}

const EXIT_BY_OUTCOME: Record<RunOutcome, number> = { pass: EXIT.ok, fail: EXIT.slaFailed, 'no-verdict': EXIT.runInvalid, 'target-error': EXIT.toolError };

/** The gate: the run's one verdict (judge/run-verdict.ts) as an exit code. */
export function exitCodeForVerdict(report: Report, verdict?: SlaVerdict): number {
  return EXIT_BY_OUTCOME[judgeRun(report, verdict).outcome];
}

/**
 * A shard's exit code (`--shard`) once its report is written: 0, whatever its own verdict. One
 * shard's part of the load cannot pass or fail the whole run, and a shard that exits non-zero fails
 * its Kubernetes index or its Azure ML node, and with it the job, before the merge has judged:
 * the verdict (SLA, validity, target errors) is `modelprof merge`'s. A shard exits non-zero only
 * when it could not measure or write (2 bad settings, 4 tool error, 5 output failed, 130 interrupted),
 * through the same paths as any run.
 */
export function exitCodeForShardReport(): number {
  return EXIT.ok;
}

const EXIT_BY_COMPARISON: Record<Comparison['verdict'], number> = {
  regression: EXIT.slaFailed,
  'no-regression': EXIT.ok,
  'not-judged': EXIT.runInvalid,
  'not-comparable': EXIT.runInvalid,
  'no-verdict': EXIT.runInvalid,
};

/**
 * Exit code of `modelprof compare`, from its one verdict: 1 on a regression found on figures the
 * generator's lag cannot change; 3 when the runs are not like with like, a run's generator did not
 * deliver the load, or a row the lag could flip was withheld with no regression elsewhere; else 0.
 */
export function exitCodeForComparison(comparison: Comparison): number {
  return EXIT_BY_COMPARISON[comparison.verdict];
}

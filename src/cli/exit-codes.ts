/** Process exit codes, documented in the README; CI pipelines branch on them. */
export const EXIT = {
  ok: 0,
  /** An SLA clause failed, or compare found a regression. */
  slaFailed: 1,
  /** Bad settings, flags, job file or payload: nothing was sent. */
  badSettings: 2,
  /** The generator did not hold its plan: no verdict on the target is given. */
  runInvalid: 3,
  /** A load tool or the target failed (missing program, unparsable output, target down). */
  toolError: 4,
  /** Interrupted by the user (Ctrl-C), after writing what was measured. */
  interrupted: 130,
} as const;

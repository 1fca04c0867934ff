/**
 * The stable codes of modelprof's errors, in undici's `UND_ERR_*` style: programs branch on
 * `error.code`, never on the message. The CLI maps each code to an exit code (src/cli/exit-codes.ts).
 */
export const ERROR_CODES = {
  /** A setting, flag, job file, payload, SLA or report file is not valid: nothing was sent. */
  settings: 'MODELPROF_ERR_SETTINGS',
  /** A load tool is missing, failed, or printed output that could not be read. */
  tool: 'MODELPROF_ERR_TOOL',
  /** The target could not be reached or answered nothing usable. */
  target: 'MODELPROF_ERR_TARGET',
  /** The work was stopped (Ctrl-C, an aborted signal) before it had anything to show. */
  interrupted: 'MODELPROF_ERR_INTERRUPTED',
  /** An output file (report.json, report.html, JUnit, a record) could not be written: after a load, what it measured was sent. */
  output: 'MODELPROF_ERR_OUTPUT',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * An error meant for the user: its message is one clear line and `code` says what kind it is.
 * Anything else that reaches the top level is a bug and is shown with its stack.
 */
export class ModelprofError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting, flag, job file or payload is not valid. Message names the setting and what was expected. */
export class SettingsError extends ModelprofError {
  constructor(message: string) {
    super(message, ERROR_CODES.settings);
  }
}

/** A load tool is missing, failed, or printed output that could not be read. */
export class ToolError extends ModelprofError {
  constructor(message: string) {
    super(message, ERROR_CODES.tool);
  }
}

/** The target could not be reached or answered nothing usable. */
export class TargetError extends ModelprofError {
  constructor(message: string) {
    super(message, ERROR_CODES.target);
  }
}

/** An output file could not be written (disk full, a path that went away). The message names the file and the reason. */
export class OutputError extends ModelprofError {
  constructor(message: string) {
    super(message, ERROR_CODES.output);
  }
}

/** The work was stopped before it produced a result. */
export class InterruptedError extends ModelprofError {
  constructor(message: string) {
    super(message, ERROR_CODES.interrupted);
  }
}

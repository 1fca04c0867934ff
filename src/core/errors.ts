import { EXIT } from '../cli/exit-codes.js';

/**
 * An error meant for the user: its message is one clear line and it carries the exit code.
 * Anything else that reaches the top level is a bug and is shown with its stack.
 */
export class ModelprofError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting, flag, job file or payload is not valid. Message names the setting and what was expected. */
export class SettingsError extends ModelprofError {
  constructor(message: string) {
    super(message, EXIT.badSettings);
  }
}

/** A load tool is missing, failed, or printed output that could not be read. */
export class ToolError extends ModelprofError {
  constructor(message: string) {
    super(message, EXIT.toolError);
  }
}

/** The target could not be reached or answered nothing usable. */
export class TargetError extends ModelprofError {
  constructor(message: string) {
    super(message, EXIT.toolError);
  }
}

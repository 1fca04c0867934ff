import { SettingsError, TargetError } from '../core/errors.js';

/**
 * What went wrong talking to Azure, stable for programs to branch on. A name that does not exist
 * (`not_found`) is the user's settings; everything else is the environment or the target.
 */
export type AzureFailure =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'throttled'
  | 'unreachable'
  | 'bad_response'
  | 'not_provisioned'
  | 'no_credential';

/**
 * Azure refused, failed or answered something unusable; nothing was sent to the target.
 * One line, never a token, key or response body of a secret-bearing call.
 */
export class AzureError extends TargetError {
  constructor(
    message: string,
    readonly azure: Exclude<AzureFailure, 'not_found'>,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The named endpoint, deployment or workspace does not exist: a settings mistake (exit 2). */
export class AzureNotFoundError extends SettingsError {
  readonly azure = 'not_found' as const;
  readonly status = 404;
}

import { SettingsError } from '../core/errors.js';
import type { Settings, ToolName } from '../settings/settings.js';

/**
 * wrk's and wrk2's time arguments (-d, --timeout) take whole seconds, minutes or hours only
 * (scan_time in their units.c reads an integer and a unit). Anything else is refused, not rounded.
 */
export function wholeSecondsArgument(tool: ToolName, setting: string, seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new SettingsError(`${setting} must be a whole number of seconds for ${tool} (it takes e.g. 2s, 1m), got ${seconds} s`);
  }
  return `${seconds}s`;
}

/** A count the tool reads as an unsigned integer (wrk2's -R, LaBench's RequestRatePerSec). */
export function wholeNumberArgument(tool: ToolName, setting: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SettingsError(`${setting} must be a whole number of at least 1 for ${tool}, got ${value}`);
  }
  return value;
}

/**
 * wrk and wrk2 give each thread connections / threads connections (integer division), so 5
 * connections on 2 threads would be 4: refuse rather than run something other than asked.
 */
export function checkConnectionsPerThread(settings: Settings): void {
  if (settings.connections < settings.threads || settings.connections % settings.threads !== 0) {
    throw new SettingsError(
      `connections (${settings.connections}) must be a multiple of threads (${settings.threads}) for ${settings.tool}: ` +
        `it gives each thread connections / threads, rounded down`,
    );
  }
}

/**
 * wrk and wrk2 read an answer to HEAD as if a body followed (their parser is not told the method),
 * so one with a Content-Length hangs its connection to the end: refuse rather than report timeouts.
 */
export function checkMethodReadable(settings: Settings): void {
  if (settings.method === 'HEAD') {
    throw new SettingsError(`method HEAD cannot be measured with ${settings.tool}: it waits for a body after a HEAD answer with a Content-Length; use --engine builtin`);
  }
}

/**
 * The URL for a tool's command line: no query (it may carry a key; the generated script sets the
 * full path) and no user info, which the tools would not send and `ps` would show.
 */
export function commandLineUrl(settings: Settings): string {
  const { url } = settings;
  if (url.username || url.password) {
    throw new SettingsError(`url must not carry a user name or password with --engine external; send an Authorization header instead`);
  }
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Path and query, as the request line carries them. */
export function requestTarget(url: URL): string {
  return `${url.pathname}${url.search}`;
}

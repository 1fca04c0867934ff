import { spawn, type ChildProcess } from 'node:child_process';
import { ToolError } from '../core/errors.js';
import type { ToolName } from '../settings/settings.js';

/** How long a tool gets to print its results after SIGINT (wrk2 notices it only every 2 s), then after SIGTERM. */
const GRACE_MS = 6_000;

export interface ToolProcessOptions {
  tool: ToolName;
  command: string;
  /** Arguments only: never secrets, since any user can read them with `ps`. */
  args: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Ctrl-C: the tool gets SIGINT (wrk prints what it measured), then SIGTERM, then SIGKILL. */
  signal?: AbortSignal;
  /** Past this the tool is taken to hang and is stopped the same way. */
  limitSec: number;
}

export interface ToolProcessOutcome {
  stdout: string;
  stderr: string;
  /** null when the process ended by a signal. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Stopped because `signal` was aborted. */
  interrupted: boolean;
  /** Stopped because it ran past `limitSec`. */
  overran: boolean;
  startTime: Date;
  endTime: Date;
}

/**
 * Tools still running. A modelprof that quits without waiting for one (a second Ctrl-C, the stop
 * deadline) kills it on the way out, so no load keeps going after modelprof is gone.
 */
const liveTools = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveTools) child.kill('SIGKILL');
});

/** Runs an external load tool to its end, collecting everything it prints. */
export function runToolProcess(options: ToolProcessOptions): Promise<ToolProcessOutcome> {
  return new Promise((resolve, reject) => {
    const startTime = new Date();
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveTools.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let interrupted = false;
    let overran = false;
    const escalation: NodeJS.Timeout[] = [];
    const stop = (): void => {
      if (escalation.length > 0) return;
      child.kill('SIGINT');
      escalation.push(setTimeout(() => child.kill('SIGTERM'), GRACE_MS));
      escalation.push(setTimeout(() => child.kill('SIGKILL'), 2 * GRACE_MS));
    };
    const onAbort = (): void => {
      interrupted = true;
      stop();
    };
    const limit = setTimeout(() => {
      overran = true;
      stop();
    }, options.limitSec * 1000);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    const cleanUp = (): void => {
      liveTools.delete(child);
      clearTimeout(limit);
      escalation.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      cleanUp();
      reject(new ToolError(`${options.tool}: could not start ${options.command} (${error.code ?? error.message})`));
    });
    child.once('close', (exitCode, exitSignal) => {
      cleanUp();
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode,
        exitSignal,
        interrupted,
        overran,
        startTime,
        endTime: new Date(),
      });
    });
  });
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  /** The signal that ended the child, when one did (code is then null). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `modelprof` CLI in a child process. `env` replaces the seed's variables so the
 * developer's own environment cannot leak into a test. `onStart` can signal the child (under `wrap`,
 * the wrapping command, which execs the CLI).
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; onStart?: (pid: number) => void; wrap?: readonly string[] } = {},
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...options.env };
  // `wrap` runs the CLI under another command, e.g. ['taskset', '-c', '1'] to pin it to a core.
  const [command, ...prefix] = [...(options.wrap ?? []), process.execPath];
  return new Promise((resolve, reject) => {
    const child = spawn(command!, [...prefix, MAIN, ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('spawn', () => options.onStart?.(child.pid!));
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

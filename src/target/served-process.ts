import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, TargetError } from '../core/errors.js';
import { runningGroupMembers } from '../monitors/process-tree.js';

/** A server that modelprof started with `--serve` and stops after the run. */
export interface ServedTarget {
  /** The shell running the command; monitored with all its descendants. */
  pid: number;
  /** Ends the whole process group: SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
  /** When and how the server ended on its own after it was ready (not by stop()); undefined while it serves. */
  death(): { atMs: number; how: string } | undefined;
}

const POLL_MS = 100;
/** How often a server whose shell exited (`cmd &`) is looked for while it serves. */
const WATCH_MS = 250;
const STOP_GRACE_MS = 5000;

/**
 * A guard beside each served group, in its own group: it reads a pipe from modelprof until the pipe
 * closes, which the kernel does however modelprof ends (kill -9 included), and then stops the served
 * group as stop() would. `$1` is the served group's id.
 */
const GUARD_SCRIPT = 'while read -r _; do :; done; kill -TERM -"$1" 2>/dev/null; sleep 5; kill -KILL -"$1" 2>/dev/null';

/**
 * Process groups started here and not yet stopped. If modelprof exits without stopping them (a
 * second Ctrl-C, a crash), they are killed on the way out rather than left running.
 */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

/**
 * Runs `work` with the server `serve` names started (its shell's pid passed in, to be watched, and
 * the server itself, to tell whether it died) and stops it afterwards, whatever happens; without
 * `serve`, just runs `work`.
 */
export async function withServedTarget<T>(
  serve: { command: string; timeoutMs: number } | undefined,
  targetUrl: URL,
  work: (servedPid: number | undefined, served?: ServedTarget) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (!serve) return work(undefined);
  const served = await startServedTarget(serve.command, targetUrl, serve.timeoutMs, signal);
  try {
    return await work(served.pid, served);
  } finally {
    await served.stop();
  }
}

/**
 * Starts `command` through /bin/sh in its own process group and waits until the target's
 * host:port accepts a TCP connection (a listening server; any HTTP answer comes after that).
 * Fails with TargetError (never quoting the command, which may hold keys) when the port is already taken by something else,
 * when the command exits first (quoting its last stderr line), or after `timeoutMs`.
 */
export async function startServedTarget(command: string, targetUrl: URL, timeoutMs: number, signal?: AbortSignal): Promise<ServedTarget> {
  const host = targetUrl.hostname.replace(/^\[|\]$/g, '');
  const port = Number(targetUrl.port || (targetUrl.protocol === 'https:' ? 443 : 80));
  const where = `${targetUrl.hostname}:${port}`;
  if (await accepts(host, port)) {
    throw new TargetError(`the --serve command: ${where} already accepts connections before the server starts; stop what listens there or change the target URL`);
  }

  // detached: the shell leads a new process group, so stop() reaches every process it started.
  const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: servedEnvironment(process.env) });
  let lastStderrLine = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const line = chunk.trim().split('\n').pop()?.trim();
    if (line) lastStderrLine = line;
  });
  const exited = new Promise<string>((resolve) => {
    child.on('error', (error) => resolve(`could not start: ${error.message}`));
    child.on('exit', (code, signal) => resolve(code !== null ? `exited with code ${code}` : `was killed by ${signal}`));
  });
  if (child.pid === undefined) throw new TargetError(`the --serve command ${await exited}`);
  let ended: string | undefined;
  void exited.then((how) => (ended = how));
  const pgid = child.pid;
  liveGroups.add(pgid);
  const guard = startGuard(pgid);
  let stopping = false;
  let died: { atMs: number; how: string } | undefined;
  const stop = stopOnce(pgid, exited, guard);
  const served: ServedTarget = {
    pid: pgid,
    stop: () => {
      stopping = true;
      return stop();
    },
    death: () => died,
  };
  // The shell's exit ends the server unless it left the server running in the background: then the
  // group is watched until it is gone.
  void exited.then(async (how) => {
    while (!stopping && (await groupAlive(pgid))) await sleep(WATCH_MS, undefined, { ref: false });
    if (!stopping) died = { atMs: Date.now(), how };
  });

  const deadline = performance.now() + timeoutMs;
  while (!(await accepts(host, port))) {
    // A shell that exits after starting the server in the background (`cmd &`) leaves it in the group.
    if (ended !== undefined && !(await groupAlive(served.pid))) {
      const said = lastStderrLine ? `; last stderr line: ${lastStderrLine}` : '';
      throw new TargetError(`the --serve command ${ended} before ${where} accepted connections${said}`);
    }
    if (performance.now() >= deadline) {
      await served.stop();
      throw new TargetError(`the --serve command: ${where} did not accept connections within ${formatSeconds(timeoutMs)} (--serve-timeout)`);
    }
    // The first Ctrl-C or SIGTERM ends the wait at once: nothing was sent, so there is nothing to keep.
    if (signal?.aborted) {
      await served.stop();
      throw new InterruptedError(`interrupted while waiting for the --serve server to accept connections at ${where}: the server was stopped and nothing was sent`);
    }
    await sleep(POLL_MS);
  }
  return served;
}

/** bin/ of this modelprof (a checkout or the package), holding a `modelprof` launcher; absent in a build that left it out. */
const LAUNCHER_DIR = fileURLToPath(new URL('../../../bin', import.meta.url));

/**
 * The served command's environment: `modelprof` in it means this modelprof, as run here, even from a
 * checkout where it is on no PATH (`npx modelprof sweep -f examples/sweep.yml` serves with
 * `modelprof serve-sample`).
 */
export function servedEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!existsSync(join(LAUNCHER_DIR, 'modelprof'))) return env;
  return { ...env, PATH: env['PATH'] ? `${LAUNCHER_DIR}${delimiter}${env['PATH']}` : LAUNCHER_DIR, MODELPROF_NODE: process.execPath };
}

function stopOnce(pid: number, exited: Promise<string>, guard: ChildProcess): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      signalGroup(pid, 'SIGTERM');
      // The shell may exit before its children: wait for the whole group, not just the shell.
      const deadline = performance.now() + STOP_GRACE_MS;
      while ((await groupAlive(pid)) && performance.now() < deadline) await sleep(POLL_MS);
      signalGroup(pid, 'SIGKILL');
      await exited;
      liveGroups.delete(pid);
      guard.kill('SIGKILL');
    })();
    return stopping;
  };
}

/**
 * Starts the guard of the served group `pgid` (see GUARD_SCRIPT). Neither it nor its pipe keeps
 * modelprof running; the pipe's other end is closed on exec, so no other child inherits it.
 */
function startGuard(pgid: number): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'modelprof-serve-guard', String(pgid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  guard.on('error', () => undefined);
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return guard;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

async function groupAlive(pgid: number): Promise<boolean> {
  if (process.platform === 'linux') return (await runningGroupMembers(pgid)).length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}

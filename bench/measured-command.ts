import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Measured {
  stdout: string;
  stderr: string;
  code: number | null;
  /** User + system CPU seconds of the command and its children. */
  cpuSeconds: number;
  /** Highest resident set size seen while it ran, bytes. */
  peakRssBytes: number;
  /** CPU seconds its threads had run by each of `cpuSamplesAtSec` (from the start), read from /proc/<tid>/schedstat; missing where it had ended. */
  cpuSamples: number[];
}

/**
 * Runs a command pinned to `core` under bash, reading its CPU time from bash's `times` builtin
 * (children's user and system time) and sampling its RSS from /proc while it runs. With
 * `cpuSamplesAtSec`, also the CPU time its threads had run by those instants: the scheduler's own
 * count (schedstat's run time, in ns), so the CPU of a stretch of steady load is the difference of two
 * samples of one run, with no start-up, report writing, or second run in it.
 */
export function runMeasured(command: string[], core: number, cpuSamplesAtSec: readonly number[] = []): Promise<Measured> {
  const quoted = command.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `taskset -c ${core} ${quoted}; status=$?; times >&2; exit $status`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakRssBytes = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const sampler = setInterval(() => {
      peakRssBytes = Math.max(peakRssBytes, treeRss(child.pid!));
    }, 200);
    const cpuSamples: number[] = [];
    const timers = cpuSamplesAtSec.map((atSec, index) =>
      setTimeout(() => {
        try {
          cpuSamples[index] = treeCpuSeconds(child.pid!);
        } catch {
          // The command ended before this instant: the sample stays missing.
        }
      }, atSec * 1000),
    );
    child.once('error', reject);
    child.once('close', (code) => {
      clearInterval(sampler);
      timers.forEach(clearTimeout);
      const lines = stderr.trimEnd().split('\n');
      const children = lines.pop() ?? '';
      lines.pop();
      resolve({ stdout, stderr: lines.join('\n'), code, cpuSeconds: parseTimes(children), peakRssBytes, cpuSamples });
    });
  });
}

/** `times` prints "0m1.234s 0m0.567s" for children's user and system time. */
function parseTimes(line: string): number {
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)];
  if (parts.length !== 2) throw new Error(`cannot read CPU times from bash: "${line}"`);
  return parts.reduce((sum, part) => sum + Number(part[1]) * 60 + Number(part[2]), 0);
}

/**
 * CPU seconds run by the live threads of a process and of its descendants. schedstat covers live
 * threads only, so a thread that ends between two samples takes its time with it: in steady load none
 * does. Throws when the process is gone, so a run that ended early gives no figure rather than 0.
 */
function treeCpuSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readOrEmpty(`/proc/${pid}/task/${tid}/schedstat`).split(' ')[0] || 0);
  const children = readOrEmpty(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean);
  return ns / 1e9 + children.reduce((sum, child) => sum + treeCpuSeconds(Number(child)), 0);
}

/** A /proc file's text, or '' when it is gone (a thread that ended while the tree was read). */
function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** RSS of a process and its descendants, bytes (0 once it is gone). */
function treeRss(pid: number): number {
  try {
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return rss + children.reduce((sum, child) => sum + treeRss(Number(child)), 0);
  } catch {
    return 0;
  }
}

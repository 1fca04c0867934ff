import { readdir, readFile } from 'node:fs/promises';

/** One process of a watched tree, as read from /proc at one instant. */
export interface ProcessSnapshot {
  pid: number;
  /** Start time in clock ticks after boot: with pid, identifies the process across pid reuse. */
  startTicks: number;
  /** User + system CPU time consumed so far, in clock ticks. */
  cpuTicks: number;
  threads: number;
  rssBytes: number;
}

/**
 * The kernel reports CPU times in USER_HZ ticks, which is 100 on every architecture Node runs on
 * under Linux (x64, arm64, ppc64, s390x); only alpha differs.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * How descendants are found: each thread's /proc/PID/task/TID/children file, so the cost grows
 * with the tree, not with the machine; or, on kernels built without CONFIG_PROC_CHILDREN,
 * a scan of every /proc/PID/stat.
 */
export type ChildLookup = 'task-files' | 'proc-scan';

let detectedLookup: Promise<ChildLookup> | undefined;

function childLookupOfThisKernel(): Promise<ChildLookup> {
  detectedLookup ??= readFile(`/proc/${process.pid}/task/${process.pid}/children`).then(
    () => 'task-files',
    () => 'proc-scan',
  );
  return detectedLookup;
}

/**
 * Reads a process and all its descendants (a gunicorn-style worker tree) from /proc.
 * Returns undefined when the root process is gone.
 */
export async function readProcessTree(
  rootPid: number,
  lookup?: ChildLookup,
): Promise<ProcessSnapshot[] | undefined> {
  const root = await readProcess(rootPid);
  if (!root) return undefined;
  const tree = [root];
  const childrenOf =
    (lookup ?? (await childLookupOfThisKernel())) === 'task-files' ? childrenFromTaskFiles : await childrenFromProcScan();
  for (let i = 0; i < tree.length; i++) {
    const children = await childrenOf(tree[i]!.pid);
    const snapshots = await Promise.all(children.map(readProcess));
    for (const snapshot of snapshots) if (snapshot) tree.push(snapshot);
  }
  return tree;
}

async function readProcess(pid: number): Promise<ProcessSnapshot | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    return parseProcess(pid, stat, status);
  } catch {
    return undefined; // exited between listing and reading
  }
}

/**
 * The fields of a /proc/PID/stat line from field 3 (state) on: the command name (field 2) may hold
 * spaces and parentheses, so fields are counted after the last ')'. See proc(5).
 */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Parses /proc/PID/stat (times, threads) and /proc/PID/status (VmRSS). */
export function parseProcess(pid: number, stat: string, status: string): ProcessSnapshot | undefined {
  const fields = statFields(stat);
  const state = fields[0];
  if (state === 'Z' || state === 'X') return undefined; // dead, waiting to be reaped
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const threads = Number(fields[17]);
  const startTicks = Number(fields[19]);
  // Kernel threads and zombies have no VmRSS line.
  const rssKiB = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
  return { pid, startTicks, cpuTicks: utime + stime, threads, rssBytes: rssKiB * 1024 };
}

async function childrenFromTaskFiles(pid: number): Promise<number[]> {
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const lists = await Promise.all(
    tids.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')),
  );
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}

async function childrenFromProcScan(): Promise<(pid: number) => Promise<number[]>> {
  const children = new Map<number, number[]>();
  for (const { pid, fields } of await allProcesses()) {
    const parent = Number(fields[1]);
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  return async (pid) => children.get(pid) ?? [];
}

/**
 * Pids of the processes of group `pgid` that still run. Unlike kill(-pgid, 0), zombies do not
 * count: a child whose shell exited stays a zombie until init reaps it, which some container
 * inits do late or never.
 */
export async function runningGroupMembers(pgid: number): Promise<number[]> {
  const members = (await allProcesses()).filter(
    ({ fields }) => fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X',
  );
  return members.map(({ pid }) => pid);
}

async function allProcesses(): Promise<{ pid: number; fields: string[] }[]> {
  const names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const stats = await Promise.all(names.map((name) => readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')));
  return names.flatMap((name, i) => (stats[i] ? [{ pid: Number(name), fields: statFields(stats[i]!) }] : []));
}

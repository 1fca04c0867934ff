import { readFile } from 'node:fs/promises';

/** CPU time of the whole machine so far, in jiffies (USER_HZ ticks), from /proc/stat's "cpu" line. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** A machine busier than this over a run is saturated: the generator and the target (if it runs here) slow each other. */
export const SATURATED_HOST = 0.9;

/**
 * Reads the aggregate "cpu" line of /proc/stat (proc(5)): user nice system idle iowait irq softirq
 * steal, with guest time already inside user and nice. Busy is everything but idle and iowait.
 */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((each) => each.startsWith('cpu '));
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 5 || fields.some((value) => !Number.isFinite(value))) return undefined;
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/** The machine's CPU times now; undefined where there is no /proc/stat (not Linux). */
export async function readHostCpu(): Promise<CpuTimes | undefined> {
  try {
    return parseProcStat(await readFile('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Busy share of the machine's CPUs between two readings, 0..1. */
export function busyShare(start: CpuTimes, end: CpuTimes): number | undefined {
  const total = end.total - start.total;
  return total > 0 ? (end.busy - start.busy) / total : undefined;
}

/** The warning for a run on a saturated machine, or undefined. */
export function saturatedHostWarning(share: number | undefined): string | undefined {
  if (share === undefined || share < SATURATED_HOST) return undefined;
  return (
    `this machine's CPUs were ${(share * 100).toFixed(0)}% busy during the run: the generator, and the target too if it runs here, ` +
    'slowed each other, so latency and throughput include that; run the generator on a machine (or cores) of its own'
  );
}

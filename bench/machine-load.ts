import { readFileSync } from 'node:fs';

/** The machine's 1-minute load average. */
export const loadAverage = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** The machine's load while a section ran: the bench itself adds about 2 on two cores. */
export function loadNote(before: number): string {
  const after = loadAverage();
  const busy = Math.max(before, after) > 3;
  return `load average ${before.toFixed(1)} -> ${after.toFixed(1)}${busy ? ': MEASURED ON A BUSY MACHINE, figures are noisy (a quiet one stays under 3 with the bench running)' : ''}`;
}

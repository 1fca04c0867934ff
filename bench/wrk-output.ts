/** Reading the latency figures wrk and wrk2 print with --latency. */

export type Percentiles = Partial<Record<'p50' | 'p90' | 'p99' | 'p999' | 'max', number>>;

export function wrkPercentiles(stdout: string): Percentiles {
  const toMs = (value: string, unit: string): number => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 }[unit] ?? NaN);
  const read = (label: string): number | undefined => {
    const match = new RegExp(`^\\s+${label.replace('.', '\\.')}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(stdout);
    return match ? toMs(match[1]!, match[2]!) : undefined;
  };
  const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/.exec(stdout);
  const percentiles: Percentiles = {};
  for (const [key, label] of [['p50', '50.000'], ['p90', '90.000'], ['p99', '99.000'], ['p999', '99.900']] as const) {
    const value = read(label) ?? read(label.replace(/\.?0+$/, ''));
    if (value !== undefined) percentiles[key] = value;
  }
  if (max) percentiles.max = toMs(max[1]!, max[2]!);
  return percentiles;
}


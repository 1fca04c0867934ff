import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/report/report.js';
import { loadAverage, loadNote } from './machine-load.js';
import { runMeasured } from './measured-command.js';
import { startNginx } from './nginx.js';
import { wrkPercentiles } from './wrk-output.js';
import { median } from './median.js';

/**
 * The open-loop scheduler against real wrk2, in one run: nginx (one worker, `return 200`) on one
 * core, the generator on the other, 50 connections. Precision: at 1k, 5k and 20k req/s, the rate
 * each held, the corrected p50/p99/p99.9, and for modelprof its send lag and verdict (nginx answers
 * in tens of microseconds, so the latency there is mostly the generator's own: a verdict that calls
 * the tail untrusted is right). CPU: the whole process's CPU time at 200 req/s, and the CPU a second
 * of load costs in steady state (the difference of a long and a short run, so start-up and report
 * writing cancel out).
 */
const TARGET_CORE = 0;
const GENERATOR_CORE = 1;
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const RATES = (process.env['BENCH_RATES'] ?? '1000,5000,20000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_PRECISION_SECONDS'] ?? 10);
/** wrk2 discards its first 10 s (calibration): it runs that much longer to report as long a window. */
const WRK2_CALIBRATION_SEC = 10;
const CPU_RATE = 200;
const CPU_SHORT_SEC = Number(process.env['BENCH_CPU_SHORT_SECONDS'] ?? 5);
const CPU_LONG_SEC = Number(process.env['BENCH_CPU_LONG_SECONDS'] ?? 15);
const CPU_ROUNDS = Number(process.env['BENCH_CPU_ROUNDS'] ?? 3);

const wrk2Path = (): string | undefined => {
  for (const candidate of ['wrk2', fileURLToPath(new URL('../../../shared/tools/wrk2/wrk2', import.meta.url))]) {
    if (spawnSync('sh', ['-c', `command -v '${candidate}'`]).status === 0) return candidate;
  }
  return undefined;
};


function builtinRun(out: string, url: string, rate: number, connections: number, seconds: number, warmup: number): string[] {
  return ['node', MAIN, 'run', '--url', url, '--tool', 'wrk2', '-c', String(connections), '-R', String(rate), '-d', `${seconds}s`, '--warmup', `${warmup}s`, '--json', '-o', join(out, `precision-${rate}`)];
}

const fixed = (value: number | undefined, digits = 2): string => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));

export async function precisionSection(out: string): Promise<void> {
  const wrk2 = wrk2Path();
  console.log(`\n== Precision: nginx (1 worker) on core ${TARGET_CORE}, generator on core ${GENERATOR_CORE}, 50 connections, ${SECONDS} s measured after ${WRK2_CALIBRATION_SEC} s unmeasured (wrk2's calibration; modelprof's --warmup)`);
  if (!wrk2) console.log('  wrk2 not found (on PATH as wrk2, or ../shared/tools/wrk2/wrk2): its rows are skipped');
  const before = loadAverage();
  const nginx = await startNginx(TARGET_CORE, 18085);
  const header = ['generator', 'target', 'sent/s', 'held', 'p50', 'p99', 'p99.9', 'lag p50', 'lag p99', 'lag p99.9', 'verdict'];
  const widths = [22, 7, 9, 5, 7, 7, 7, 8, 8, 9, 0];
  const row = (cells: string[]): string => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === cells.length - 1 ? c : c.padStart(widths[i]!))).join(' ')}`;
  const lines = [row(header)];
  try {
    for (const rate of RATES) {
      // The same unmeasured lead-in as wrk2's calibration: both report a warmed-up window.
      const run = await runMeasured(builtinRun(out, nginx.url, rate, 50, SECONDS, WRK2_CALIBRATION_SEC), GENERATOR_CORE);
      const report = JSON.parse(run.stdout) as Report;
      const { validity, latency } = report;
      const sent = validity.checks.sendRps;
      const lag = validity.sendLag;
      const verdict = validity.valid ? `valid, trusted up to ${validity.trustedUpTo}` : validity.loadHeld ? `invalid: trusted up to ${validity.trustedUpTo ?? 'none'}` : `invalid: ${validity.reasons[0]?.slice(0, 90) ?? ''}`;
      lines.push(row(['modelprof wrk2 model', String(rate), fixed(sent, 0), held(sent, rate), fixed(latency.p50), fixed(latency.p99), fixed(latency.p999), fixed(lag?.p50, 3), fixed(lag?.p99, 3), fixed(lag?.p999, 3), verdict]));
      if (wrk2) {
        const real = await runMeasured([wrk2, '-t1', '-c50', `-d${SECONDS + WRK2_CALIBRATION_SEC}s`, `-R${rate}`, '--latency', nginx.url], GENERATOR_CORE);
        const percentiles = wrkPercentiles(real.stdout);
        const served = Number(/Requests\/sec:\s+([\d.]+)/.exec(real.stdout)?.[1]);
        lines.push(row(['wrk2 (corrected)', String(rate), fixed(served, 0), held(served, rate), fixed(percentiles.p50), fixed(percentiles.p99), fixed(percentiles.p999), '-', '-', '-', '(wrk2 judges nothing)']));
      }
    }
  } finally {
    nginx.stop();
  }
  for (const line of lines) console.log(line);
  console.log('  ms; "held": the rate sent within 1% of the target (modelprof: planned sends made per second; wrk2: answers per second).');
  console.log(`  ${loadNote(before)}`);
}

function held(sent: number | undefined, rate: number): string {
  if (sent === undefined || Number.isNaN(sent)) return '-';
  return Math.abs(sent - rate) <= 0.01 * rate ? 'yes' : 'NO';
}

export async function cpuSection(out: string): Promise<void> {
  const wrk2 = wrk2Path();
  console.log(`\n== CPU: ${CPU_RATE} req/s, 8 connections, against nginx; generator pinned to core ${GENERATOR_CORE}; runs of ${CPU_SHORT_SEC} s and ${CPU_LONG_SEC} s, ${CPU_ROUNDS} rounds`);
  const before = loadAverage();
  const nginx = await startNginx(TARGET_CORE, 18086);
  const measure = async (seconds: number, tool: 'modelprof' | 'wrk2'): Promise<number> => {
    const command =
      tool === 'modelprof'
        ? builtinRun(out, nginx.url, CPU_RATE, 8, seconds, 0)
        : [wrk2!, '-t1', '-c8', `-d${seconds}s`, `-R${CPU_RATE}`, nginx.url];
    return (await runMeasured(command, GENERATOR_CORE)).cpuSeconds;
  };
  const tools: ('modelprof' | 'wrk2')[] = wrk2 ? ['modelprof', 'wrk2'] : ['modelprof'];
  const rounds: Map<string, { short: number; long: number }>[] = [];
  try {
    // Interleaved, so both tools see the same machine; rounds, as one pair of runs swings with the host.
    for (let round = 0; round < CPU_ROUNDS; round++) {
      const figures = new Map<string, { short: number; long: number }>();
      for (const tool of tools) figures.set(tool, { short: await measure(CPU_SHORT_SEC, tool), long: 0 });
      for (const tool of tools) figures.get(tool)!.long = await measure(CPU_LONG_SEC, tool);
      rounds.push(figures);
    }
  } finally {
    nginx.stop();
  }
  const perSecond = ({ short, long }: { short: number; long: number }): number => ((long - short) / (CPU_LONG_SEC - CPU_SHORT_SEC)) * 1000;
  console.log(`  ${'generator'.padEnd(12)} ${'round'.padStart(5)} ${`CPU s, ${CPU_SHORT_SEC} s run`.padStart(16)} ${`CPU s, ${CPU_LONG_SEC} s run`.padStart(16)} ${'CPU ms per second of load'.padStart(26)}`);
  rounds.forEach((figures, round) => {
    for (const [tool, run] of figures) console.log(`  ${tool.padEnd(12)} ${String(round + 1).padStart(5)} ${run.short.toFixed(2).padStart(16)} ${run.long.toFixed(2).padStart(16)} ${perSecond(run).toFixed(1).padStart(26)}`);
  });
  if (wrk2) {
    const ratios = rounds.map((figures) => perSecond(figures.get('modelprof')!) / Math.max(1e-9, perSecond(figures.get('wrk2')!)));
    const whole = rounds.map((figures) => figures.get('modelprof')!.short / figures.get('wrk2')!.short);
    console.log(`  modelprof / wrk2 per second of load, by round: ${ratios.map((r) => `${r.toFixed(1)}x`).join(', ')}; median ${median(ratios).toFixed(1)}x (target: at most 3x)`);
    console.log(`  a whole ${CPU_SHORT_SEC} s run, Node's start-up and the report included: median ${median(whole).toFixed(1)}x`);
  }
  console.log(`  ${loadNote(before)}`);
}

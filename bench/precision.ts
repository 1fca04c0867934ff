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
 * of load costs in steady state (the scheduler's run time of every thread, read at two instants of
 * one run, so start-up and report writing are not in it).
 */
const TARGET_CORE = 0;
const GENERATOR_CORE = 1;
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const RATES = (process.env['BENCH_RATES'] ?? '1000,5000,20000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_PRECISION_SECONDS'] ?? 10);
const PRECISION_ROUNDS = Number(process.env['BENCH_PRECISION_ROUNDS'] || 3);
/** wrk2 discards its first 10 s (calibration): it runs that much longer to report as long a window. */
const WRK2_CALIBRATION_SEC = 10;
const CPU_RATE = 200;
const CPU_RUN_SEC = 12;
/** The steady stretch whose CPU counts: after start-up (Node's is about half a second), before the end and the report. */
const CPU_FROM_SEC = 3;
const CPU_TO_SEC = 11;
const CPU_ROUNDS = Number(process.env['BENCH_CPU_ROUNDS'] || 5);

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
  console.log(
    `\n== Precision: nginx (1 worker) on core ${TARGET_CORE}, generator on core ${GENERATOR_CORE}, 50 connections, ${SECONDS} s measured after ${WRK2_CALIBRATION_SEC} s unmeasured (wrk2's calibration; modelprof's --warmup); ${PRECISION_ROUNDS} interleaved rounds, medians`,
  );
  if (!wrk2) console.log('  wrk2 not found (on PATH as wrk2, or ../shared/tools/wrk2/wrk2): its rows are skipped');
  const before = loadAverage();
  const nginx = await startNginx(TARGET_CORE, 18085);
  const runs = new Map<string, PrecisionRun[]>();
  const add = (key: string, run: PrecisionRun): void => void runs.set(key, [...(runs.get(key) ?? []), run]);
  try {
    // Rounds interleave the tools and rates, so a spell of host noise falls on both tools alike.
    for (let round = 0; round < PRECISION_ROUNDS; round++) {
      for (const rate of RATES) {
        // The same unmeasured lead-in as wrk2's calibration: both report a warmed-up window.
        const run = await runMeasured(builtinRun(out, nginx.url, rate, 50, SECONDS, WRK2_CALIBRATION_SEC), GENERATOR_CORE);
        const { validity, latency } = JSON.parse(run.stdout) as Report;
        const lag = validity.sendLag;
        const verdict = validity.valid ? `valid, trusted up to ${validity.trustedUpTo}` : validity.loadHeld ? `invalid: trusted up to ${validity.trustedUpTo ?? 'none'}` : `invalid: ${validity.reasons[0]?.slice(0, 90) ?? ''}`;
        add(`modelprof ${rate}`, { sent: validity.checks.sendRps, p50: latency.p50, p99: latency.p99, p999: latency.p999, lagP50: lag?.p50, lagP99: lag?.p99, lagP999: lag?.p999, verdict });
        if (wrk2) {
          const real = await runMeasured([wrk2, '-t1', '-c50', `-d${SECONDS + WRK2_CALIBRATION_SEC}s`, `-R${rate}`, '--latency', nginx.url], GENERATOR_CORE);
          const percentiles = wrkPercentiles(real.stdout);
          add(`wrk2 ${rate}`, { sent: Number(/Requests\/sec:\s+([\d.]+)/.exec(real.stdout)?.[1]), p50: percentiles.p50, p99: percentiles.p99, p999: percentiles.p999, verdict: '(wrk2 judges nothing)' });
        }
      }
    }
  } finally {
    nginx.stop();
  }
  const header = ['generator', 'target', 'sent/s', 'held', 'p50', 'p99', 'p99.9', 'lag p50', 'lag p99', 'lag p99.9', 'verdict'];
  const widths = [22, 7, 9, 5, 7, 7, 7, 8, 8, 9, 0];
  const row = (cells: string[]): string => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === cells.length - 1 ? c : c.padStart(widths[i]!))).join(' ')}`;
  console.log(row(header));
  const byRound: string[] = [];
  for (const rate of RATES) {
    for (const [tool, name] of [['modelprof', 'modelprof wrk2 model'], ['wrk2', 'wrk2 (corrected)']] as const) {
      const taken = runs.get(`${tool} ${rate}`);
      if (!taken) continue;
      const mid = (pick: (run: PrecisionRun) => number | undefined): number | undefined => {
        const values = taken.map(pick).filter((v): v is number => v !== undefined && !Number.isNaN(v));
        return values.length > 0 ? median(values) : undefined;
      };
      const sent = mid((r) => r.sent);
      const verdicts = [...new Set(taken.map((r) => r.verdict))].join(' / ');
      console.log(row([name, String(rate), fixed(sent, 0), held(sent, rate), fixed(mid((r) => r.p50)), fixed(mid((r) => r.p99)), fixed(mid((r) => r.p999)), fixed(mid((r) => r.lagP50), 3), fixed(mid((r) => r.lagP99), 3), fixed(mid((r) => r.lagP999), 3), verdicts]));
      byRound.push(`${tool} ${rate}: ${taken.map((r) => fixed(r.p999)).join(', ')}`);
    }
  }
  console.log('  ms, medians of the rounds; "held": the rate sent within 1% of the target (modelprof: planned sends made per second; wrk2: answers per second).');
  console.log(`  p99.9 by round: ${byRound.join('; ')}`);
  console.log(`  ${loadNote(before)}`);
}

/** One precision run's figures (ms; wrk2 has no send lag). */
interface PrecisionRun {
  sent: number | undefined;
  p50: number | undefined;
  p99: number | undefined;
  p999: number | undefined;
  lagP50?: number;
  lagP99?: number;
  lagP999?: number;
  verdict: string;
}

function held(sent: number | undefined, rate: number): string {
  if (sent === undefined || Number.isNaN(sent)) return '-';
  return Math.abs(sent - rate) <= 0.01 * rate ? 'yes' : 'NO';
}

export async function cpuSection(out: string): Promise<void> {
  const wrk2 = wrk2Path();
  console.log(
    `\n== CPU: ${CPU_RATE} req/s, 8 connections, against nginx; generator pinned to core ${GENERATOR_CORE}; ${CPU_ROUNDS} rounds of one ${CPU_RUN_SEC} s run each, CPU of seconds ${CPU_FROM_SEC}-${CPU_TO_SEC}`,
  );
  const before = loadAverage();
  const nginx = await startNginx(TARGET_CORE, 18086);
  const measure = async (tool: 'modelprof' | 'wrk2'): Promise<{ whole: number; perSecondMs: number }> => {
    const command =
      tool === 'modelprof' ? builtinRun(out, nginx.url, CPU_RATE, 8, CPU_RUN_SEC, 0) : [wrk2!, '-t1', '-c8', `-d${CPU_RUN_SEC}s`, `-R${CPU_RATE}`, nginx.url];
    const run = await runMeasured(command, GENERATOR_CORE, [CPU_FROM_SEC, CPU_TO_SEC]);
    const [from, to] = run.cpuSamples;
    if (from === undefined || to === undefined) throw new Error(`${tool} ended before ${CPU_TO_SEC} s into its ${CPU_RUN_SEC} s run: no CPU figure (exit ${run.code}): ${run.stderr.slice(-300)}`);
    return { whole: run.cpuSeconds, perSecondMs: ((to - from) / (CPU_TO_SEC - CPU_FROM_SEC)) * 1000 };
  };
  const tools: ('modelprof' | 'wrk2')[] = wrk2 ? ['modelprof', 'wrk2'] : ['modelprof'];
  const rounds: Map<string, { whole: number; perSecondMs: number }>[] = [];
  try {
    // Interleaved, so both tools see the same machine; rounds, as one pair of runs swings with the host.
    for (let round = 0; round < CPU_ROUNDS; round++) {
      const figures = new Map<string, { whole: number; perSecondMs: number }>();
      for (const tool of tools) figures.set(tool, await measure(tool));
      rounds.push(figures);
    }
  } finally {
    nginx.stop();
  }
  console.log(`  ${'generator'.padEnd(12)} ${'round'.padStart(5)} ${`CPU s, whole ${CPU_RUN_SEC} s run`.padStart(22)} ${'CPU ms per second of load'.padStart(26)}`);
  rounds.forEach((figures, round) => {
    for (const [tool, run] of figures) console.log(`  ${tool.padEnd(12)} ${String(round + 1).padStart(5)} ${run.whole.toFixed(2).padStart(22)} ${run.perSecondMs.toFixed(1).padStart(26)}`);
  });
  if (wrk2) {
    const ratios = rounds.map((figures) => figures.get('modelprof')!.perSecondMs / Math.max(1e-9, figures.get('wrk2')!.perSecondMs));
    const whole = rounds.map((figures) => figures.get('modelprof')!.whole / figures.get('wrk2')!.whole);
    console.log(`  modelprof / wrk2 per second of load, by round: ${ratios.map((r) => `${r.toFixed(1)}x`).join(', ')}; median ${median(ratios).toFixed(1)}x (target: at most 3x)`);
    console.log(`  a whole ${CPU_RUN_SEC} s run, Node's start-up and the report included: median ${median(whole).toFixed(1)}x`);
  }
  console.log(`  ${loadNote(before)}`);
}

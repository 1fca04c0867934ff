import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/report/report.js';
import { runMeasured } from './measured-command.js';
import { startNginx } from './nginx.js';
import { streamingSection } from './streaming.js';
import { precisionSection, cpuSection } from './precision.js';
import { type Percentiles, wrkPercentiles } from './wrk-output.js';
import { median } from './median.js';

/**
 * `npm run bench`: modelprof's builtin engine side by side with its peers, on this machine.
 * The target is pinned to core 0 and the generator to core 1, as the reference figures
 * were taken. Ratios from one run are what count: absolute figures on a shared machine drift.
 */
const TARGET_CORE = 0;
const GENERATOR_CORE = 1;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'modelprof-bench-'));

interface Sample {
  rps: number;
  cpuUsPerRequest: number;
}

const has = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

function builtinArgs(url: string, tool: string, extra: string[]): string[] {
  return ['node', MAIN, 'run', '--url', url, '--tool', tool, '--warmup', '0', '--json', '-o', join(out, tool), ...extra];
}

async function builtinThroughput(url: string): Promise<Sample> {
  const run = await runMeasured(builtinArgs(url, 'wrk', ['-c', '50', '-t', '1', '-d', `${SECONDS}s`]), GENERATOR_CORE);
  const report = JSON.parse(run.stdout) as Report;
  return { rps: report.throughput.rps, cpuUsPerRequest: (run.cpuSeconds * 1e6) / report.requests.total };
}

async function wrkThroughput(url: string): Promise<Sample> {
  const run = await runMeasured(['wrk', '-t1', '-c50', `-d${SECONDS}s`, url], GENERATOR_CORE);
  const total = Number(/(\d+) requests in/.exec(run.stdout)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1]);
  return { rps, cpuUsPerRequest: (run.cpuSeconds * 1e6) / total };
}

async function autocannonThroughput(url: string): Promise<Sample> {
  const run = await runMeasured(['node', AUTOCANNON, '-c', '50', '-d', String(SECONDS), '-j', url], GENERATOR_CORE);
  const result = JSON.parse(run.stdout) as { requests: { total: number }; duration: number };
  return { rps: result.requests.total / result.duration, cpuUsPerRequest: (run.cpuSeconds * 1e6) / result.requests.total };
}


async function throughputSection(): Promise<void> {
  console.log(`\n== Throughput: nginx (1 worker, return 200) on core ${TARGET_CORE}, generator on core ${GENERATOR_CORE}, 50 connections, ${SECONDS}s x ${ROUNDS} rounds`);
  const nginx = await startNginx(TARGET_CORE, 18080);
  try {
    const runners: [string, (url: string) => Promise<Sample>][] = [['modelprof builtin wrk -t1', builtinThroughput]];
    if (has('wrk')) runners.push(['wrk -t1', wrkThroughput]);
    else console.log('  wrk not found (apt-get install -y wrk): skipped');
    runners.push(['autocannon (no pipelining)', autocannonThroughput]);
    const results = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, runner] of runners) results.set(name, [...(results.get(name) ?? []), await runner(nginx.url)]);
    }
    const wrkRps = results.has('wrk -t1') ? median(results.get('wrk -t1')!.map((s) => s.rps)) : undefined;
    console.log(`  ${'generator'.padEnd(28)} ${'median req/s'.padStart(12)} ${'vs wrk'.padStart(7)} ${'CPU us/req'.padStart(11)}`);
    for (const [name, samples] of results) {
      const rps = median(samples.map((s) => s.rps));
      const cpu = median(samples.map((s) => s.cpuUsPerRequest));
      const ratio = wrkRps ? `${(rps / wrkRps).toFixed(2)}x` : '-';
      console.log(`  ${name.padEnd(28)} ${rps.toFixed(0).padStart(12)} ${ratio.padStart(7)} ${cpu.toFixed(1).padStart(11)}`);
    }
  } finally {
    nginx.stop();
  }
}

async function startLatencyServer(port: number, env: Record<string, string>): Promise<() => void> {
  const server = spawn('taskset', ['-c', String(TARGET_CORE), 'node', fileURLToPath(new URL('./latency-server.js', import.meta.url))], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => server.stdout.once('data', resolve));
  return () => server.kill('SIGTERM');
}

async function latencySection(): Promise<void> {
  const seconds = Math.max(SECONDS * 2, 10);
  for (const [title, env] of [
    ['10 ms service time', { DELAY_MS: '10' }],
    ['10 ms service time, stalling 200 ms every 2 s', { DELAY_MS: '10', STALL_EVERY_MS: '2000', STALL_MS: '200' }],
  ] as const) {
    console.log(`\n== Latency (ms): Node server with ${title}; 8 connections, ${seconds}s each`);
    const stop = await startLatencyServer(18081, env);
    const url = 'http://127.0.0.1:18081/score';
    const rows: [string, Percentiles][] = [];
    try {
      const closed = JSON.parse((await runMeasured(builtinArgs(url, 'wrk', ['-c', '8', '-d', `${seconds}s`]), GENERATOR_CORE)).stdout) as Report;
      rows.push(['modelprof builtin wrk', closed.latency]);
      if (has('wrk')) rows.push(['wrk', wrkPercentiles((await runMeasured(['wrk', '-t1', '-c8', `-d${seconds}s`, '--latency', url], GENERATOR_CORE)).stdout)]);
      const open = JSON.parse((await runMeasured(builtinArgs(url, 'wrk2', ['-c', '8', '-R', '400', '-d', `${seconds}s`]), GENERATOR_CORE)).stdout) as Report;
      rows.push(['modelprof builtin wrk2 @400/s corrected', open.latency]);
      rows.push(['modelprof builtin wrk2 @400/s uncorrected', open.latencyUncorrected ?? {}]);
      if (has('wrk2')) {
        rows.push(['wrk2 -R400 corrected', wrkPercentiles((await runMeasured(['wrk2', '-t1', '-c8', `-d${seconds}s`, '-R400', '--latency', url], GENERATOR_CORE)).stdout)]);
      } else {
        console.log('  wrk2 not on PATH (built from source as "wrk2"): its row is skipped');
      }
    } finally {
      stop();
    }
    console.log(`  ${'generator'.padEnd(42)} ${['p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(8)).join(' ')}`);
    for (const [name, p] of rows) {
      const cells = [p.p50, p.p90, p.p99, p.p999, p.max].map((v) => (v === undefined ? '-' : v.toFixed(2)).padStart(8));
      console.log(`  ${name.padEnd(42)} ${cells.join(' ')}`);
    }
  }
}

async function memorySection(): Promise<void> {
  console.log('\n== Memory: builtin wrk2 model at 1000 req/s over 50 connections against nginx; peak RSS must not grow with duration');
  const nginx = await startNginx(TARGET_CORE, 18082);
  try {
    for (const seconds of [10, 60]) {
      const run = await runMeasured(builtinArgs(nginx.url, 'wrk2', ['-c', '50', '-R', '1000', '-d', `${seconds}s`]), GENERATOR_CORE);
      const report = JSON.parse(run.stdout) as Report;
      const validity = report.validity.valid ? 'valid' : `invalid: ${report.validity.reasons.join('; ')}`;
      console.log(`  ${String(seconds).padStart(3)} s run: peak RSS ${(run.peakRssBytes / 1048576).toFixed(1)} MiB, ${report.requests.total} requests, ${validity}`);
    }
  } finally {
    nginx.stop();
  }
}

const sections = process.argv.slice(2);
const wanted = (name: string): boolean => sections.length === 0 || sections.includes(name);
if (wanted('precision')) await precisionSection(out);
if (wanted('cpu')) await cpuSection(out);
if (wanted('throughput')) await throughputSection();
if (wanted('latency')) await latencySection();
if (wanted('memory')) await memorySection();
if (wanted('streaming')) await streamingSection({ main: MAIN, out, seconds: Math.max(SECONDS, 5), rounds: ROUNDS, targetCore: TARGET_CORE, generatorCore: GENERATOR_CORE });

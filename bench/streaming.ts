import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/report/report.js';
import { join } from 'node:path';
import { loadAverage, loadNote } from './machine-load.js';
import { runMeasured } from './measured-command.js';
import { startNginx } from './nginx.js';
import { median } from './median.js';

/**
 * The streaming case of the bench: a server that emits OpenAI chat chunks as fast as the socket
 * takes them (bench/token-stream-server.ts, pinned to the target core), profiled by the builtin
 * engine with --api openai-chat on the generator core. The figure that counts is tokens per second
 * per generator core (tokens / the generator's CPU seconds), with the ITL figures' trust beside it.
 */
export interface StreamingFigures {
  tokensPerSec: number;
  tokensPerCpuSecond: number;
  cpuUsPerToken: number;
  itlP50Ms?: number;
  itlP99Ms?: number;
  itlTrustedUpTo: string | null | undefined;
  /** The generator's event-loop lag p99, ms: what the ITL figures are judged against. */
  loopLagP99Ms?: number;
  valid: boolean;
  reasons: string[];
}

const SERVER = fileURLToPath(new URL('./token-stream-server.js', import.meta.url));
const CHAT = '{"messages":[{"role":"user","content":"bench"}]}';

/** How the server streams and how many connections read it. */
export interface StreamingCase {
  name: string;
  connections: number;
  eventsPerWrite: number;
  /** One write per answer every this many ms; 0: as fast as the socket takes them. */
  paceMs: number;
  /** Shortest run: a paced answer takes 256 x paceMs, and the window must see answers sent in it complete. */
  minSeconds?: number;
  /** Answers a second, sent open-loop (the wrk2 model); absent: a closed loop over the connections. */
  rate?: number;
}

export async function measureStreaming(
  streaming: StreamingCase,
  options: { main: string; out: string; seconds: number; targetCore: number; generatorCore: number; port: number },
): Promise<StreamingFigures> {
  const server = spawn('taskset', ['-c', String(options.targetCore), 'node', SERVER], {
    env: { ...process.env, PORT: String(options.port), TOKENS: '256', EVENTS_PER_WRITE: String(streaming.eventsPerWrite), PACE_MS: String(streaming.paceMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => server.stdout.once('data', resolve));
  try {
    const url = `http://127.0.0.1:${options.port}/v1/chat/completions`;
    const run = await runMeasured(
      [
        ...['node', options.main, 'run', '--url', url, '--api', 'openai-chat', '--payload', CHAT],
        ...(streaming.rate === undefined ? ['--tool', 'wrk'] : ['--tool', 'wrk2', '-R', String(streaming.rate)]),
        ...['-c', String(streaming.connections), '-t', '1', '--timeout', '60s', '--warmup', '1s', '-d', `${options.seconds}s`, '--json', '-o', `${options.out}/streaming`],
      ],
      options.generatorCore,
    );
    const report = JSON.parse(run.stdout) as Report;
    const llm = report.llm!;
    const tokens = llm.outputTokens?.total ?? 0;
    // CPU covers the warm-up too: count its tokens in at the measured rate, a slight underestimate of the figure.
    const tokensOverRun = tokens * ((report.measuredSeconds + report.warmup.seconds) / report.measuredSeconds);
    return {
      tokensPerSec: tokens / report.measuredSeconds,
      tokensPerCpuSecond: tokensOverRun / run.cpuSeconds,
      cpuUsPerToken: (run.cpuSeconds * 1e6) / tokensOverRun,
      ...(llm.itl?.p50 !== undefined ? { itlP50Ms: llm.itl.p50 } : {}),
      ...(llm.itl?.p99 !== undefined ? { itlP99Ms: llm.itl.p99 } : {}),
      itlTrustedUpTo: llm.itlTrust?.trustedUpTo,
      ...(llm.itlTrust ? { loopLagP99Ms: llm.itlTrust.lagP99Ms } : {}),
      valid: report.validity.valid,
      reasons: report.validity.reasons,
    };
  } finally {
    server.kill('SIGTERM');
  }
}

const CASES: StreamingCase[] = [
  { name: 'as fast as it can, 8 events a write', connections: 16, eventsPerWrite: 8, paceMs: 0 },
  // The generator not saturated: 400 answers a second of 256 tokens, each streamed as fast as it can.
  { name: 'as fast as it can, 400 answers/s (102,400 tok/s)', connections: 32, eventsPerWrite: 8, paceMs: 0, rate: 400 },
  { name: 'paced: 1 event / 10 ms, 1000 streams', connections: 1000, eventsPerWrite: 1, paceMs: 10, minSeconds: 10 },
];

const fixed = (value: number | undefined, digits: number): string => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));

/**
 * The plain-HTTP figure the streaming ones stand beside, taken in the same section (so on the same
 * machine state): the builtin closed loop against nginx (`return 200`), CPU us per request.
 */
async function plainHttp(options: { main: string; out: string; seconds: number; generatorCore: number; targetCore: number }): Promise<{ rps: number; cpuUsPerRequest: number }> {
  const nginx = await startNginx(options.targetCore, 18084);
  try {
    const args = ['node', options.main, 'run', '--url', nginx.url, '--tool', 'wrk', '-c', '16', '-t', '1', '--warmup', '1s', '-d', `${options.seconds}s`, '--json', '-o', join(options.out, 'plain')];
    const run = await runMeasured(args, options.generatorCore);
    const report = JSON.parse(run.stdout) as Report;
    const requests = report.requests.total + report.warmup.requests;
    return { rps: report.throughput.rps, cpuUsPerRequest: (run.cpuSeconds * 1e6) / requests };
  } finally {
    nginx.stop();
  }
}

/** `npm run bench -- streaming`: the streaming cases, the median round of each by tokens per CPU-second, beside plain HTTP. */
export async function streamingSection(options: { main: string; out: string; seconds: number; rounds: number; targetCore: number; generatorCore: number }): Promise<void> {
  const { seconds, rounds } = options;
  console.log(
    `\n== Streaming: OpenAI chat chunks from a Node server on core ${options.targetCore} (256 tokens an answer), modelprof --api openai-chat on core ${options.generatorCore}, ${seconds}s x ${rounds} rounds (median by tokens per CPU-second)`,
  );
  console.log('  CPU is the whole generator process (start-up, warm-up and report included), so per token it is an upper bound.');
  const before = loadAverage();
  const header = ['server', 'tokens/s', 'tok/CPU-s', 'CPU us/tok', 'ITL p50', 'ITL p99', 'loop lag p99', 'ITL trusted up to'];
  const widths = [48, 9, 10, 11, 8, 8, 12, 0];
  const row = (cells: string[]): string => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === cells.length - 1 ? c : c.padStart(widths[i]!))).join(' ')}`;
  const lines = [row(header)];
  for (const streaming of CASES) {
    const measured: StreamingFigures[] = [];
    for (let round = 0; round < rounds; round++) measured.push(await measureStreaming(streaming, { ...options, seconds: Math.max(seconds, streaming.minSeconds ?? 0), port: 18083 }));
    const pick = median(measured.map((r) => r.tokensPerCpuSecond));
    const chosen = measured.find((r) => r.tokensPerCpuSecond === pick)!;
    const verdict = `${chosen.itlTrustedUpTo ?? 'none'}${chosen.valid ? '' : `  (run invalid: ${chosen.reasons.join('; ')})`}`;
    lines.push(
      row([streaming.name, fixed(chosen.tokensPerSec, 0), fixed(chosen.tokensPerCpuSecond, 0), fixed(chosen.cpuUsPerToken, 2), fixed(chosen.itlP50Ms, 3), fixed(chosen.itlP99Ms, 3), fixed(chosen.loopLagP99Ms, 3), verdict]),
    );
  }
  const plain = await plainHttp(options);
  for (const line of lines) console.log(line);
  console.log(`  plain HTTP beside them (builtin wrk model, 16 connections, nginx return 200): ${plain.rps.toFixed(0)} req/s, ${plain.cpuUsPerRequest.toFixed(1)} CPU us/request`);
  console.log(`  ${loadNote(before)}`);
  console.log('  goal: at least 100,000 tokens per generator CPU-second with the ITL figures trusted (ITL figures in ms; trusted when the loop lag is at most 5% of a figure or 0.1 ms).');
}

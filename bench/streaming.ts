import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/report/report.js';
import { runMeasured } from './measured-command.js';

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
      ['node', options.main, 'run', '--url', url, '--api', 'openai-chat', '--payload', CHAT, '--tool', 'wrk', '-c', String(streaming.connections), '-t', '1', '--timeout', '60s', '--warmup', '1s', '-d', `${options.seconds}s`, '--json', '-o', `${options.out}/streaming`],
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
      valid: report.validity.valid,
      reasons: report.validity.reasons,
    };
  } finally {
    server.kill('SIGTERM');
  }
}

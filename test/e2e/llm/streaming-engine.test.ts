import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuiltin } from '../../../src/load/builtin-engine.js';
import { decodeHistogram } from '../../../src/record/histogram.js';
import { buildReport } from '../../../src/report/build-report.js';
import type { Report } from '../../../src/report/report.js';
import { assertValidReport } from '../../support/report-schema.js';
import { settingsFor } from '../../support/settings.js';
import { startTokenServer, type TokenScript, type TokenServer } from '../../support/token-server.js';

const servers: TokenServer[] = [];
const folder = mkdtempSync(join(tmpdir(), 'modelprof-streaming-'));
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(folder, { recursive: true, force: true });
});
const CHAT = '{"messages":[{"role":"user","content":"hi"}]}';

async function profile(script: TokenScript, flags: Record<string, string>): Promise<{ report: Report; server: TokenServer }> {
  const server = await startTokenServer(script);
  servers.push(server);
  const settings = settingsFor({ url: server.url, api: 'openai-chat', payload: CHAT, warmup: '0', ...flags });
  const report = buildReport(settings, await runBuiltin(settings));
  assertValidReport(report);
  return { report, server };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('streaming through the builtin engine against a scripted server', () => {
  it('reports TTFT, ITL, TPOT and tokens that match what the server did', async () => {
    const script = { firstTokenMs: 30, intervalMs: 8, tokens: 10 };
    const { report, server } = await profile(script, { tool: 'wrk', connections: '2', duration: '1.5s' });
    const llm = report.llm!;
    assert.ok(report.requests.ok >= 10, `only ${report.requests.ok} answers`);
    assert.equal(report.requests.errors, 0);
    assert.equal(llm.answers, report.requests.ok);
    assert.equal(llm.streamed, llm.answers);
    assert.deepEqual(llm.outputTokens, { total: 10 * llm.answers, perRequest: 10, source: 'usage', answers: llm.answers });
    assert.equal(llm.inputTokens?.total, 7 * llm.answers);

    // Ground truth: what the server did, read from its own clock (the same epoch clock as the engine's).
    const truths = server.truths.filter((truth) => truth.tokenAt.length === script.tokens);
    const truthTtft = median(truths.map((truth) => truth.tokenAt[0]! - truth.arrivedAt));
    const truthGaps = truths.flatMap((truth) => truth.tokenAt.slice(1).map((at, index) => at - truth.tokenAt[index]!));
    const truthTpot = median(truths.map((truth) => (truth.endedAt - truth.tokenAt[0]!) / (script.tokens - 1)));
    // The engine sees a token after the server wrote it, by loopback delivery and its own loop's
    // delay: its measured lag bounds how much later (a busy machine widens it, never the other way).
    const slack = 3 + (report.validity.checks.eventLoopLagMaxMs ?? 50);
    const within = (measured: number, truth: number, name: string): void =>
      assert.ok(measured >= truth - 0.5 && measured <= truth + slack, `${name}: measured ${measured} ms, the server's ${truth.toFixed(3)} ms (slack ${slack} ms)`);
    within(llm.ttft!.p50!, truthTtft, 'ttft p50');
    within(llm.itl!.p50!, median(truthGaps), 'itl p50');
    assert.ok(Math.abs(llm.tpot!.p50! - truthTpot) <= slack / (script.tokens - 1) + 0.1, `tpot p50 ${llm.tpot!.p50} vs ${truthTpot}`);
    assert.equal(decodeHistogram(llm.histograms.itl!).totalCount, (script.tokens - 1) * llm.answers);
    assert.ok(llm.outputTokensPerSec! > 0);
  });

  it('counts broken streams as bad_response with a sample, and keeps them out of the token figures', async () => {
    const { report } = await profile({ firstTokenMs: 2, intervalMs: 2, tokens: 4, malformedAt: 2 }, { tool: 'wrk', connections: '1', duration: '0.5s' });
    assert.ok(report.requests.total > 0);
    assert.equal(report.errors.byKind.bad_response, report.requests.total);
    assert.equal(report.requests.ok, 0);
    assert.match(report.errors.samples![0]!.problem!, /event 2 is not a JSON object/);
    assert.match(report.errors.samples![0]!.sample, /^data: /);
    assert.equal(report.llm!.answers, 0);
  });

  it('counts TTFT from the planned send on an open-loop plan, beside the actual send', async () => {
    const { report } = await profile({ firstTokenMs: 20, intervalMs: 2, tokens: 3 }, { tool: 'wrk2', rate: '40', connections: '2', duration: '1s', goodput: 'ttft<=1s' });
    const llm = report.llm!;
    assert.ok(llm.ttftUncorrected && llm.e2eUncorrected);
    assert.ok(llm.ttft!.p50! >= llm.ttftUncorrected.p50! - 0.1);
    assert.ok(llm.ttftUncorrected.min! >= 19.5);
    assert.equal(llm.goodput!.good, llm.answers);
    assert.equal(llm.goodput!.share, llm.answers / report.requests.total);
  });

  it('replays a trace at its speed-up, request by request', async () => {
    const trace = join(folder, 'trace.jsonl');
    writeFileSync(trace, [0, 120, 240, 360, 480].map((at, index) => JSON.stringify({ timestamp: 1000 + at, input_length: 3 + index, output_length: 2 })).join('\n'));
    const server = await startTokenServer({ firstTokenMs: 1, intervalMs: 1, tokens: 2 });
    servers.push(server);
    const settings = settingsFor({ url: server.url, api: 'openai-chat', trace, traceSpeedup: '2', tool: 'wrk2', connections: '2', warmup: '0' });
    const result = await runBuiltin(settings);
    assert.equal(result.requests.total, 5);
    // The last entry is planned 480 ms after the first, 240 ms at twice the speed: the window runs
    // from the plan's start to the last answer, so it is at least 240 ms, and below the 480 ms an
    // unspeeded replay would take unless the generator itself stalled (its measured lag allows that).
    const lag = result.validity.checks.eventLoopLagMaxMs ?? 50;
    assert.ok(result.measuredSeconds >= 0.24, `window ${result.measuredSeconds} s`);
    assert.ok(result.measuredSeconds < 0.48 + lag / 1000, `window ${result.measuredSeconds} s: not twice as fast as the trace`);
    assert.equal(server.truths.length, 5);
    // The server's usage wins over the trace's planned input lengths.
    assert.equal(result.answers?.tokens.counts.inputFromUsage, 5);
    assert.equal(result.answers?.tokens.counts.outputTokens, 10);
  });
});

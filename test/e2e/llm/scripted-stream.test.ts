import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import type { AnswerReader } from '../../../src/target/apis/api.js';
import { apiAdapter } from '../../../src/target/apis/registry.js';
import { TokenRecorder } from '../../../src/record/token-recorder.js';
import { summarizeTokens } from '../../../src/record/token-summary.js';
import { startTokenServer, type TokenScript, type TokenServer } from '../../support/token-server.js';

const epochNow = (): number => performance.timeOrigin + performance.now();

interface Streamed {
  problem: string | undefined;
  sentAt: number;
  endedAt: number;
  times: number[];
  reader: AnswerReader;
}

/**
 * One request through Node's own HTTP client, its body bytes fed to the answer reader as they
 * arrive: the reader's and the scripted server's clocks are the same epoch clock.
 */
function stream(url: string, reader: AnswerReader): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const sentAt = epochNow();
    const request = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      reader.begin(epochNow());
      response.on('data', (chunk: Buffer) => reader.body(chunk, 0, chunk.length, epochNow()));
      response.on('end', () => {
        const endedAt = epochNow();
        const problem = reader.end(endedAt);
        resolve({ problem, sentAt, endedAt, times: Array.from(reader.tokenTimes.subarray(0, reader.tokenEvents)), reader });
      });
    });
    request.on('error', reject);
    request.end('{"messages":[{"role":"user","content":"hi"}]}');
  });
}

const servers: TokenServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));
async function run(script: TokenScript): Promise<{ result: Streamed; server: TokenServer }> {
  const server = await startTokenServer(script);
  servers.push(server);
  const result = await stream(server.url, apiAdapter(script.kind === 'completions' ? 'openai-completions' : 'openai-chat').answerReader()!);
  return { result, server };
}

/**
 * The client sees a token after the server wrote it, by loopback delivery plus its own parsing:
 * well under a millisecond on an idle machine, tens of ms on a loaded one. The bound is generous
 * on lateness and strict on earliness (a token can never be seen before it was sent).
 */
function seenAfterWrite(seen: number[], written: number[]): void {
  assert.equal(seen.length, written.length);
  for (let index = 0; index < seen.length; index++) {
    const late = seen[index]! - written[index]!;
    assert.ok(late >= -0.5 && late < 250, `token ${index + 1} seen ${late.toFixed(2)} ms after it was written`);
  }
}

describe('the scripted token server read by the answer reader', () => {
  it('follows its schedule, and the reader times every token after its write', async () => {
    const { result, server } = await run({ firstTokenMs: 40, intervalMs: 15, tokens: 6 });
    assert.equal(result.problem, undefined);
    const truth = server.truths[0]!;
    seenAfterWrite(result.times, truth.tokenAt);
    // The server kept its script to within timer jitter.
    assert.ok(truth.tokenAt[0]! - truth.arrivedAt >= 39, 'first token not before T');
    for (let k = 1; k < truth.tokenAt.length; k++) assert.ok(truth.tokenAt[k]! - truth.tokenAt[k - 1]! >= 14, 'gaps not below I');
    assert.equal(result.reader.completionTokens, 6);
    assert.equal(result.reader.promptTokens, 7);

    const recorder = new TokenRecorder(false);
    recorder.record({
      intendedMs: result.sentAt,
      sentMs: result.sentAt,
      endMs: result.endedAt,
      tokenTimes: result.reader.tokenTimes,
      tokenEvents: result.reader.tokenEvents,
      streamed: true,
      endedWithoutDone: false,
      completionTokens: result.reader.completionTokens,
      promptTokens: result.reader.promptTokens,
      plannedInputTokens: -1,
    });
    const llm = summarizeTokens(recorder.snapshot(), { api: 'openai-chat', measuredSeconds: 1, requests: 1 });
    assert.ok(llm.ttft!.min! >= 39, `ttft ${llm.ttft?.min}`);
    assert.equal(llm.outputTokens?.total, 6);
  });

  it('shows a stall as one long gap', async () => {
    const { result, server } = await run({ firstTokenMs: 5, intervalMs: 5, tokens: 5, stall: { afterToken: 2, ms: 120 } });
    assert.equal(result.problem, undefined);
    seenAfterWrite(result.times, server.truths[0]!.tokenAt);
    const gaps = result.times.slice(1).map((time, index) => time - result.times[index]!);
    const longest = gaps.indexOf(Math.max(...gaps));
    assert.equal(longest, 1, `the gap after token 2 is the longest: ${gaps.map((gap) => gap.toFixed(1)).join(', ')}`);
    assert.ok(gaps[1]! >= 120);
  });

  it('gives events written together the same time, and an event split across writes the time of its end', async () => {
    const grouped = await run({ firstTokenMs: 5, intervalMs: 10, tokens: 6, eventsPerWrite: 3 });
    assert.equal(grouped.result.problem, undefined);
    assert.equal(grouped.result.times[0], grouped.result.times[2]);
    assert.ok(grouped.result.times[3]! > grouped.result.times[2]!);
    const split = await run({ firstTokenMs: 5, intervalMs: 5, tokens: 3, splitGapMs: 30 });
    assert.equal(split.result.problem, undefined);
    seenAfterWrite(split.result.times, split.server.truths[0]!.tokenAt);
  });

  const faults: { name: string; script: TokenScript; problem?: RegExp; withoutDone?: boolean; completion?: number }[] = [
    { name: 'a malformed event', script: { firstTokenMs: 1, intervalMs: 1, tokens: 4, malformedAt: 3 }, problem: /event 3 is not a JSON object/ },
    { name: 'no [DONE] after a finish_reason', script: { firstTokenMs: 1, intervalMs: 1, tokens: 3, noDone: true }, withoutDone: true, completion: 3 },
    { name: 'no [DONE] and no finish_reason', script: { firstTokenMs: 1, intervalMs: 1, tokens: 3, noDone: true, noFinishReason: true }, problem: /neither data: \[DONE\] nor a finish_reason/ },
    { name: 'no usage', script: { firstTokenMs: 1, intervalMs: 1, tokens: 3, usage: 'never' }, completion: -1 },
    { name: 'completions chunks', script: { firstTokenMs: 1, intervalMs: 1, tokens: 3, kind: 'completions' }, completion: 3 },
    { name: 'a whole answer', script: { firstTokenMs: 1, intervalMs: 1, tokens: 4, whole: true }, completion: 4 },
  ];
  for (const { name, script, problem, withoutDone = false, completion } of faults) {
    it(`reads ${name}`, async () => {
      const { result } = await run(script);
      if (problem) return assert.match(result.problem ?? '', problem);
      assert.equal(result.problem, undefined);
      assert.equal(result.reader.endedWithoutDone, withoutDone);
      if (completion !== undefined) assert.equal(result.reader.completionTokens, completion);
    });
  }
});

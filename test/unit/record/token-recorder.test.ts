import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { decodeHistogram } from '../../../src/record/histogram.js';
import { formatGoodput, judgeRequest, parseGoodput } from '../../../src/record/goodput.js';
import { mergeTokenSnapshots, TokenRecorder, type AnswerTiming } from '../../../src/record/token-recorder.js';
import { mergeLlmSections, summarizeTokens } from '../../../src/record/token-summary.js';

/** An answer sent at `sentMs`, with output events at `times` and its last byte at `endMs`. */
function answer(times: number[], endMs: number, extra: Partial<AnswerTiming> = {}): AnswerTiming {
  return {
    intendedMs: 0,
    sentMs: 0,
    endMs,
    tokenTimes: Float64Array.from(times),
    tokenEvents: times.length,
    streamed: true,
    endedWithoutDone: false,
    completionTokens: -1,
    promptTokens: -1,
    plannedInputTokens: -1,
    ...extra,
  };
}

/** HdrHistogram keeps 3 significant digits: percentiles come back within 0.1%. */
function near(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= expected * 0.001 + 0.001, `${actual} is not ${expected} within 0.1%`);
}

const summary = (recorder: TokenRecorder, requests: number, objectives?: string) =>
  summarizeTokens(recorder.snapshot(), { api: 'openai-chat', measuredSeconds: 2, requests, ...(objectives ? { objectives } : {}) });

describe('TokenRecorder', () => {
  it('derives TTFT, pooled ITL, TPOT and e2e from one scripted answer', () => {
    const recorder = new TokenRecorder(false);
    recorder.record(answer([100, 110, 120, 130], 131, { completionTokens: 4, promptTokens: 10 }));
    const llm = summary(recorder, 1);
    near(llm.ttft?.p50, 100);
    near(llm.itl?.min, 10);
    near(llm.itl?.max, 10);
    assert.equal(llm.counts.answers, 1);
    near(llm.tpot?.p50, 31 / 3);
    near(llm.e2e?.max, 131);
    assert.equal(llm.ttftUncorrected, undefined);
    assert.deepEqual(llm.outputTokens, { total: 4, perRequest: 4, source: 'usage', answers: 1 });
    assert.deepEqual(llm.inputTokens, { total: 10, perRequest: 10, source: 'usage', answers: 1 });
    assert.equal(llm.outputTokensPerSec, 2);
    assert.ok(Math.abs(llm.requestTokensPerSec!.mean - 4 / 0.131) < 0.05, `tokens/s ${llm.requestTokensPerSec?.mean}`);
  });

  it('counts TTFT and e2e from the planned send on an open-loop plan, and keeps the actual-send figures beside', () => {
    const recorder = new TokenRecorder(true);
    recorder.record(answer([100, 150], 150, { intendedMs: -50 }));
    const llm = summary(recorder, 1);
    near(llm.ttft?.p50, 150);
    near(llm.ttftUncorrected?.p50, 100);
    near(llm.e2e?.p50, 200);
    near(llm.e2eUncorrected?.p50, 150);
    near(llm.tpot?.p50, 50);
  });

  it('counts output events when the server gives no usage, and takes planned input tokens', () => {
    const recorder = new TokenRecorder(false);
    recorder.record(answer([5, 6, 7], 8, { plannedInputTokens: 100 }));
    recorder.record(answer([5], 9, { completionTokens: 1, plannedInputTokens: 50, promptTokens: 52 }));
    const llm = summary(recorder, 2);
    assert.deepEqual(llm.outputTokens, { total: 4, perRequest: 2, source: 'mixed', answers: 2 });
    assert.deepEqual(llm.inputTokens, { total: 152, perRequest: 76, source: 'mixed', answers: 2 });
    // The one-token answer has neither gaps nor a TPOT.
    assert.equal(decodeCount(llm.histograms.itl), 2);
    assert.equal(decodeCount(llm.histograms.tpot), 1);
  });

  it('gives a whole (not streamed) answer an e2e and its usage, but no TTFT', () => {
    const recorder = new TokenRecorder(false);
    recorder.record(answer([], 40, { streamed: false, completionTokens: 8 }));
    const llm = summary(recorder, 1);
    assert.equal(llm.ttft, undefined);
    near(llm.e2e?.p50, 40);
    assert.equal(llm.outputTokens?.total, 8);
    assert.equal(llm.streamed, 0);
  });

  it('counts goodput over every request, errors included', () => {
    const objectives = parseGoodput('ttft<=120ms,tpot<=15ms');
    const recorder = new TokenRecorder(false, objectives);
    recorder.record(answer([100, 110, 120], 120)); // ttft 100, tpot 10: good
    recorder.record(answer([130, 140], 140)); // ttft 130: too slow
    recorder.record(answer([100, 140], 140)); // tpot 40: too slow
    recorder.record(answer([], 50, { streamed: false, completionTokens: 3 })); // no TTFT: undetermined
    // Five requests: the four answers and one error; the undetermined one is left out of the share.
    const llm = summary(recorder, 5, formatGoodput(objectives));
    assert.deepEqual(llm.goodput, { objectives: 'ttft<=120ms,tpot<=15ms', good: 1, undetermined: 1, share: 0.25, rps: 0.5 });
  });

  it('merges worker snapshots into the same figures as one recorder', () => {
    const whole = new TokenRecorder(true);
    const parts = [new TokenRecorder(true), new TokenRecorder(true)];
    for (let index = 0; index < 40; index++) {
      const sample = answer([10 + index, 20 + 2 * index, 31 + 3 * index], 40 + 3 * index, { intendedMs: -index, completionTokens: 3 });
      whole.record(sample);
      parts[index % 2]!.record(sample);
    }
    const merged = summarizeTokens(mergeTokenSnapshots(parts.map((part) => part.snapshot())), { api: 'x', measuredSeconds: 1, requests: 40 });
    const single = summarizeTokens(whole.snapshot(), { api: 'x', measuredSeconds: 1, requests: 40 });
    assert.deepEqual(merged, { ...single, histograms: merged.histograms });
    assert.deepEqual(Object.keys(merged.histograms).sort(), Object.keys(single.histograms).sort());
  });

  it('merges report sections of shards, derived figures computed again', () => {
    const objectives = parseGoodput('ttft<=30ms');
    const shards = [new TokenRecorder(false, objectives), new TokenRecorder(false, objectives)];
    shards[0]!.record(answer([10, 20], 20, { completionTokens: 2 }));
    shards[1]!.record(answer([40, 50, 60], 60, { completionTokens: 3 }));
    const sections = shards.map((shard) => summarizeTokens(shard.snapshot(), { api: 'openai-chat', measuredSeconds: 1, requests: 1, objectives: 'ttft<=30ms' }));
    const merged = mergeLlmSections(sections, { measuredSeconds: 2, requests: 3 });
    assert.equal(merged.outputTokens?.total, 5);
    assert.equal(merged.outputTokensPerSec, 2.5);
    assert.deepEqual(merged.goodput, { objectives: 'ttft<=30ms', good: 1, undetermined: 0, share: 0.333333, rps: 0.5 });
    near(merged.ttft?.max, 40);
  });
});

describe('goodput objectives', () => {
  it('parses objectives with units, a bare number being ms', () => {
    assert.deepEqual(parseGoodput(' ttft<=200ms, tpot<50 , e2e<=1.5s, itl<=500us'), [
      { metric: 'ttft', inclusive: true, limitMs: 200 },
      { metric: 'tpot', inclusive: false, limitMs: 50 },
      { metric: 'e2e', inclusive: true, limitMs: 1500 },
      { metric: 'itl', inclusive: true, limitMs: 0.5 },
    ]);
  });

  const rejected: [string, RegExp][] = [
    ['', /is empty/],
    ['ttft>=200ms', /is not an objective/],
    ['latency<=1s', /unknown metric "latency"/],
    ['ttft<=1s,ttft<=2s', /names ttft twice/],
    ['ttft<=fast', /is not an objective/],
  ];
  for (const [text, message] of rejected) {
    it(`rejects "${text}"`, () => {
      assert.throws(() => parseGoodput(text), (error: Error) => error instanceof SettingsError && message.test(error.message));
    });
  }

  it('holds a one-token answer to no TPOT, and leaves figures nobody measured undetermined', () => {
    const objectives = parseGoodput('tpot<=10,itl<=10');
    assert.equal(judgeRequest({ e2e: 5, ttft: 5 }, objectives, true), 'good');
    assert.equal(judgeRequest({ e2e: 5 }, objectives, false), 'undetermined');
    assert.equal(judgeRequest({ e2e: 5, ttft: 1 }, parseGoodput('ttft<1'), true), 'missed');
    assert.equal(judgeRequest({ e2e: 5 }, parseGoodput('ttft<=1s,e2e<=1'), false), 'missed');
    assert.equal(judgeRequest({ e2e: 5, tpot: 20 }, parseGoodput('ttft<=1s,tpot<=10'), false), 'missed');
  });
});

function decodeCount(encoded: string | undefined): number {
  return encoded === undefined ? 0 : decodeHistogram(encoded).totalCount;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmAnswers, MAX_SAMPLES } from '../../../src/load/llm-answers.js';
import { parseGoodput } from '../../../src/record/goodput.js';
import { apiAdapter } from '../../../src/target/apis/registry.js';

const event = (content: string, finish: string | null = null): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

function feed(answers: LlmAnswers, connection: number, text: string, atMs: number): void {
  const bytes = Buffer.from(text);
  answers.body(connection, bytes, 0, bytes.length, atMs);
}

describe('LlmAnswers', () => {
  it('records valid answers per connection and counts bad ones with samples', () => {
    const answers = new LlmAnswers(apiAdapter('openai-chat'), 2, true, parseGoodput('ttft<=50ms'));
    // Two answers interleaved on two connections.
    answers.begin(0, 0);
    answers.begin(1, 0);
    feed(answers, 0, event('a'), 20);
    feed(answers, 1, '{"error":{"message":"overloaded"}}', 25);
    feed(answers, 0, event('b', 'stop') + 'data: [DONE]\n\n', 30);
    assert.equal(answers.finish(0, 200, { intendedMs: -10, sentMs: 0, plannedInputTokens: 12, measured: true }, 31), undefined);
    assert.match(answers.finish(1, 200, { intendedMs: 0, sentMs: 0, plannedInputTokens: 12, measured: true }, 26) ?? '', /error object: overloaded/);

    const snapshot = answers.snapshot();
    assert.equal(snapshot.tokens.counts.answers, 1);
    assert.equal(snapshot.tokens.counts.good, 1);
    assert.equal(snapshot.tokens.counts.inputTokens, 12);
    assert.equal(snapshot.badAnswers, 1);
    assert.deepEqual(snapshot.samples, [{ problem: 'error object: overloaded', status: 200, sample: '{"error":{"message":"overloaded"}}' }]);
  });

  it('checks warm-up answers but records nothing of them', () => {
    const answers = new LlmAnswers(apiAdapter('kserve-v1'), 1, false, []);
    for (let index = 0; index < MAX_SAMPLES + 2; index++) {
      answers.begin(0, 0);
      feed(answers, 0, '{"nope":1}', 1);
      assert.ok(answers.finish(0, 200, { intendedMs: 0, sentMs: 0, plannedInputTokens: -1, measured: index > 0 }, 2));
    }
    const snapshot = answers.snapshot();
    assert.equal(snapshot.badAnswers, MAX_SAMPLES + 1);
    assert.equal(snapshot.samples.length, MAX_SAMPLES);
    assert.equal(snapshot.tokens.counts.answers, 0);
  });

  it('keeps valid warm-up answers out of the measured figures, before measuring starts and after', () => {
    const answers = new LlmAnswers(apiAdapter('openai-chat'), 1, true, [], true);
    const answer = (measured: boolean): string | undefined => {
      answers.begin(0, 0);
      feed(answers, 0, event('a', 'stop') + 'data: [DONE]\n\n', 10);
      return answers.finish(0, 200, { intendedMs: 0, sentMs: 0, plannedInputTokens: -1, measured }, 11);
    };
    assert.equal(answer(false), undefined);
    answers.endRehearsal();
    assert.equal(answer(false), undefined);
    assert.equal(answer(true), undefined);
    assert.equal(answers.snapshot().tokens.counts.answers, 1);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { readDataset } from '../../../src/target/workload/dataset.js';
import { publicText, publicVocabulary } from '../../../src/target/workload/public-text.js';
import { drawCount, parseTokenCount, SyntheticWorkload } from '../../../src/target/workload/synthetic.js';
import { readTrace, TraceWorkload } from '../../../src/target/workload/trace.js';
import { messagesOf, promptOf } from '../../../src/target/workload/workload.js';

const folder = mkdtempSync(join(tmpdir(), 'modelprof-workload-'));
after(() => rmSync(folder, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}
const settingsError = (message: RegExp) => (error: Error) => error instanceof SettingsError && message.test(error.message);

describe('synthetic workloads', () => {
  it('parses a token count with an optional spread', () => {
    assert.deepEqual(parseTokenCount('512', '--input-tokens'), { mean: 512, spread: 0 });
    assert.deepEqual(parseTokenCount(' 128:32 ', '--output-tokens'), { mean: 128, spread: 32 });
    assert.throws(() => parseTokenCount('0', '--input-tokens'), settingsError(/at least 1 token/));
    assert.throws(() => parseTokenCount('10:10', '--input-tokens'), settingsError(/spread \(10\) must be smaller than the mean/));
    assert.throws(() => parseTokenCount('lots', '--input-tokens'), settingsError(/--input-tokens must be a token count like 512/));
  });

  it('draws counts uniformly over mean ± spread', () => {
    let state = 0;
    const random = (): number => (state = (state + 0.137) % 1);
    const seen = new Set<number>();
    for (let index = 0; index < 2000; index++) seen.add(drawCount({ mean: 10, spread: 3 }, random));
    assert.deepEqual([...seen].sort((a, b) => a - b), [7, 8, 9, 10, 11, 12, 13]);
  });

  it('builds each item from the seed and its index: same item everywhere, a different prompt per item', () => {
    const workload = new SyntheticWorkload({ mean: 64, spread: 16 }, { mean: 20, spread: 0 }, 5);
    const again = new SyntheticWorkload({ mean: 64, spread: 16 }, { mean: 20, spread: 0 }, 5);
    assert.deepEqual(workload.item(3), again.item(3));
    assert.deepEqual(workload.item(3), workload.item(3 + workload.size));
    assert.notEqual(workload.item(3).prompt, workload.item(4).prompt);
    for (let index = 0; index < 50; index++) {
      const item = workload.item(index);
      assert.ok(item.inputTokens! >= 48 && item.inputTokens! <= 80);
      assert.equal(item.prompt!.split(' ').length, item.inputTokens);
      assert.equal(item.outputTokens, 20);
    }
    assert.equal(workload.description, 'synthetic: 64±16 input tokens, 20 output tokens');
    assert.equal(new SyntheticWorkload({ mean: 8, spread: 0 }, undefined).item(0).outputTokens, undefined);
  });

  it('draws words from the shipped public-domain text', () => {
    assert.ok(publicText().startsWith('Fellow-Citizens of the Senate'));
    const words = publicVocabulary();
    assert.equal(words.length, 1000);
    assert.equal(words[0], 'the');
    assert.ok(words.every((word) => /^[a-z]{1,7}$/.test(word)));
  });
});

describe('JSONL datasets', () => {
  it('reads chat messages and prompts with optional output lengths', () => {
    const path = file(
      'chat.jsonl',
      [
        '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"max_tokens":12}',
        '',
        '{"prompt":"Once upon a time","output_tokens":5}',
        '{"prompt":"x"}',
      ].join('\n'),
    );
    const workload = readDataset(path);
    assert.equal(workload.size, 3);
    assert.deepEqual(workload.item(0), { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], outputTokens: 12 });
    assert.deepEqual(workload.item(1), { prompt: 'Once upon a time', outputTokens: 5 });
    assert.deepEqual(workload.item(5), { prompt: 'x' });
    assert.equal(promptOf(workload.item(0)), 'Be brief.\n\nHi');
    assert.deepEqual(messagesOf(workload.item(1)), [{ role: 'user', content: 'Once upon a time' }]);
    assert.match(workload.description, /dataset: .*chat\.jsonl \(3 requests\)/);
  });

  const rejected: [string, RegExp][] = [
    ['{"prompt": 3}', /line 1 has neither "messages" nor a "prompt" string/],
    ['not json', /line 1 is not JSON/],
    ['{"messages": []}', /"messages" must be a non-empty array/],
    ['{"messages": [{"role": "user"}]}', /messages\[0\] must be/],
    ['{"prompt": "x", "max_tokens": 0}', /"max_tokens" must be a positive integer/],
    ['{"prompt": "x", "max_tokens": 100000000}', /line 1: "max_tokens" must be at most 1,000,000 tokens, got "100000000"/],
    ['\n\n', /is empty/],
  ];
  for (const [text, message] of rejected) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => readDataset(file('bad.jsonl', text)), settingsError(message));
    });
  }

  it('names a file it cannot read', () => {
    assert.throws(() => readDataset(join(folder, 'missing.jsonl')), settingsError(/--dataset ".*missing.jsonl" cannot be read \(ENOENT\)/));
  });
});

describe('Mooncake traces', () => {
  it('reads entries in time order with offsets from the first request', () => {
    const path = file(
      'trace.jsonl',
      [
        '{"timestamp": 2500, "input_length": 20, "output_length": 4, "hash_ids": [1, 2]}',
        '{"timestamp": 1000, "input_length": 700, "output_length": 9, "hash_ids": [1, 3]}',
        '{"offset_ms": 1200, "input_tokens": 5, "output_tokens": 2}',
      ].join('\n'),
    );
    const entries = readTrace(path);
    assert.deepEqual(
      entries.map((entry) => [entry.offsetMs, entry.inputTokens, entry.outputTokens]),
      [
        [0, 700, 9],
        [200, 5, 2],
        [1500, 20, 4],
      ],
    );
    const workload = new TraceWorkload(entries, 'trace.jsonl');
    const long = workload.item(0);
    const short = workload.item(2);
    assert.equal(long.prompt!.split(' ').length, 700);
    assert.equal(long.outputTokens, 9);
    // Both start with hash id 1: the shorter prompt is a prefix of the longer one.
    assert.ok(long.prompt!.startsWith(short.prompt!), 'shared hash ids share a prompt prefix');
    assert.equal(short.prompt!.split(' ').length, 20);
    assert.equal(workload.item(1).prompt!.split(' ').length, 5);
  });

  const rejected: [string, RegExp][] = [
    ['{"input_length": 3, "output_length": 2}', /"timestamp" must be a number of at least 0/],
    ['{"timestamp": 0, "input_length": 0, "output_length": 2}', /"input_length" must be a number of at least 1/],
    ['{"timestamp": 0, "input_length": 3, "output_length": 2, "hash_ids": "a"}', /"hash_ids" must be an array of integers/],
    ['[1]', /line 1 is not a JSON object/],
    ['{"timestamp": 0, "input_length": 100000000, "output_length": 2}', /line 1: "input_length" must be at most 1,000,000 tokens/],
    ['{"timestamp": 0, "input_length": 3, "output_length": 1e9}', /line 1: "output_length" must be at most 1,000,000 tokens/],
  ];
  for (const [text, message] of rejected) {
    it(`rejects ${text}`, () => {
      assert.throws(() => readTrace(file('bad-trace.jsonl', text)), settingsError(message));
    });
  }
});

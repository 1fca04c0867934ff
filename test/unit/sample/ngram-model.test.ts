import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../src/core/seeded-random.js';
import { buildNgramModel } from '../../../src/sample/llm/ngram-model.js';

describe('the sample n-gram model', () => {
  const text = 'the cat sat on the mat. the cat ate the rat. the dog sat on the log. ';
  const model = buildNgramModel(text.repeat(20), 4);

  it('writes only characters of its text, one word per token', () => {
    const random = seededRandom(9);
    let context = 'the ';
    for (let index = 0; index < 200; index++) {
      const token = model.nextToken(context, random);
      assert.match(token, /^ *[^ ]+$/, `token ${JSON.stringify(token)}`);
      for (const char of token) assert.ok(model.alphabet.includes(char));
      context += token;
    }
  });

  it('is deterministic for a seed and follows the text where the text is certain', () => {
    const tokens = (seed: number): string[] => {
      const random = seededRandom(seed);
      let context = 'the d';
      return Array.from({ length: 20 }, () => {
        const token = model.nextToken(context, random);
        context += token;
        return token;
      });
    };
    assert.deepEqual(tokens(3), tokens(3));
    // After "the d" the text always continues "og".
    assert.equal(tokens(3)[0], 'og');
  });

  it('counts tokens as words', () => {
    assert.equal(model.countTokens('  Fellow-Citizens of the\nSenate '), 4);
    assert.equal(model.countTokens(''), 0);
  });
});

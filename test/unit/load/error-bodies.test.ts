import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODIES_PER_STATUS, BODY_BYTES, ErrorBodySampler } from '../../../src/load/error-bodies.js';

describe('ErrorBodySampler', () => {
  it('keeps the first bodies of each error status, in pieces as they arrive, and nothing of answers below 400', () => {
    const sampler = new ErrorBodySampler();
    const answer = (id: number, status: number, parts: string[], line?: number): void => {
      for (const part of parts) sampler.body(id, status, Buffer.from(`xx${part}yy`), 2, 2 + part.length);
      sampler.finish(id, status, line);
    };
    answer(0, 200, ['{"ok": 1}']);
    for (let i = 0; i < 5; i++) answer(i % 2, 401, ['{"error": ', `"bad key ${i}"}`]);
    answer(1, 400, ['no'], 3);
    assert.deepEqual(
      sampler.samples.map((s) => [s.status, s.body, s.lineIndex]),
      [...[0, 1, 2].map((i) => [401, `{"error": "bad key ${i}"}`, undefined]), [400, 'no', 3]],
    );
    assert.equal(sampler.samples.filter((s) => s.status === 401).length, BODIES_PER_STATUS);
  });

  it(`cuts a body at ${BODY_BYTES} bytes and says so; a failure drops what was read`, () => {
    const sampler = new ErrorBodySampler();
    const big = Buffer.alloc(BODY_BYTES + 100, 'a');
    sampler.body(0, 500, big, 0, big.length);
    sampler.finish(0, 500, undefined);
    sampler.body(1, 503, Buffer.from('partial'), 0, 7);
    sampler.finish(1, undefined, undefined);
    assert.deepEqual(sampler.samples.map((s) => [s.status, s.body.length, s.truncated]), [[500, BODY_BYTES, true]]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRequests, requestHead } from '../../../src/target/http-request.js';
import { requestSource, type RequestSpec } from '../../../src/target/request-source.js';

const target = { url: new URL('http://127.0.0.1:8000/v1/chat/completions'), method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' } };

/** Splits an encoded request into its head and JSON body. */
function parts(bytes: Buffer): { head: string; body: Record<string, unknown> } {
  const text = bytes.toString('utf8');
  const cut = text.indexOf('\r\n\r\n');
  const head = text.slice(0, cut);
  const body = text.slice(cut + 4);
  assert.equal(Number(/Content-Length: (\d+)/.exec(head)?.[1]), Buffer.byteLength(body));
  return { head, body: JSON.parse(body) as Record<string, unknown> };
}

describe('request sources', () => {
  it('encode payload requests as before: one message per line, the head shared', () => {
    const payload = { bodies: ['{"a":1}', '{"b":2}'], origin: 'x' };
    const encoded = encodeRequests({ ...target, payload });
    assert.match(encoded[0]!.toString(), /^POST \/v1\/chat\/completions HTTP\/1\.1\r\nHost: 127\.0\.0\.1:8000\r\nUser-Agent: modelprof\/[^\r]+\r\nAccept: \*\/\*\r\ncontent-type: application\/json\r\nauthorization: Bearer k\r\nContent-Length: 7\r\n\r\n\{"a":1\}$/);
    const source = requestSource({ kind: 'encoded', requests: encoded.map((buffer) => new Uint8Array(buffer)) });
    assert.equal(source.size, 2);
    assert.deepEqual(source.request(3).bytes, encoded[1]);
    assert.equal(source.request(0).plannedInputTokens, -1);
  });

  it('build workload requests when asked, the same bytes for the same index', () => {
    const spec: RequestSpec = {
      kind: 'workload',
      head: requestHead(target),
      api: 'openai-chat',
      options: { model: 'm', ignoreEos: true },
      workload: { kind: 'synthetic', input: { mean: 32, spread: 8 }, output: { mean: 10, spread: 0 }, seed: 3 },
    };
    const source = requestSource(spec);
    const again = requestSource(spec);
    assert.equal(source.size, 1000);
    const first = source.request(5);
    assert.deepEqual(first.bytes, again.request(1005).bytes);
    const { head, body } = parts(first.bytes);
    assert.match(head, /^POST \/v1\/chat\/completions HTTP\/1\.1\r\n/);
    assert.equal(body['model'], 'm');
    assert.equal(body['max_tokens'], 10);
    assert.equal(body['ignore_eos'], true);
    assert.equal(body['stream'], true);
    const content = (body['messages'] as { content: string }[])[0]!.content;
    assert.equal(content.split(' ').length, first.plannedInputTokens);
  });

  it('replay a trace entry by entry', () => {
    const source = requestSource({
      kind: 'workload',
      head: requestHead(target),
      api: 'openai-completions',
      options: {},
      workload: {
        kind: 'trace',
        origin: 't',
        seed: 1,
        entries: [
          { offsetMs: 0, inputTokens: 3, outputTokens: 2 },
          { offsetMs: 10, inputTokens: 5, outputTokens: 7 },
        ],
      },
    });
    assert.equal(source.size, 2);
    const second = parts(source.request(1).bytes).body;
    assert.equal(second['max_tokens'], 7);
    assert.equal((second['prompt'] as string).split(' ').length, 5);
    assert.equal(source.request(1).plannedInputTokens, 5);
  });
});

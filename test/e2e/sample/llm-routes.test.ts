import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSampleServer, type SampleServer } from '../../../src/sample/server.js';
import { apiAdapter } from '../../../src/target/apis/registry.js';

let server: SampleServer;
let base: string;
before(async () => {
  server = await startSampleServer({ key: 'sample-key-123' });
  base = server.url.replace(/\/score$/, '');
});
after(() => server.close());

const headers = { 'content-type': 'application/json', authorization: 'Bearer sample-key-123' };
async function post(path: string, body: unknown, extra: Record<string, string> = headers): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(base + path, { method: 'POST', headers: extra, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

/** Checks an answer with modelprof's own reader for the API. */
function check(api: string, text: string): { problem: string | undefined; events: number; completion: number; prompt: number } {
  const reader = apiAdapter(api).answerReader()!;
  reader.begin(0);
  const bytes = Buffer.from(text);
  reader.body(bytes, 0, bytes.length, 1);
  return { problem: reader.end(2), events: reader.tokenEvents, completion: reader.completionTokens, prompt: reader.promptTokens };
}

describe('the sample endpoint speaks the OpenAI API', () => {
  it('streams chat completions with usage, as modelprof reads them', async () => {
    const answer = await post('/v1/chat/completions', {
      model: 'sample-ngram',
      messages: [{ role: 'user', content: 'Tell me of the Union' }],
      max_tokens: 12,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.type, 'text/event-stream');
    assert.deepEqual(check('openai-chat', answer.text), { problem: undefined, events: 12, completion: 12, prompt: 5 });
    assert.match(answer.text, /data: \[DONE\]\n\n$/);
  });

  it('answers whole completions, stopping at a sentence end unless told to ignore it', async () => {
    const whole = await post('/v1/completions', { prompt: 'Fellow citizens', max_tokens: 9, ignore_eos: true });
    assert.equal(whole.status, 200);
    const body = JSON.parse(whole.text);
    assert.equal(body.object, 'text_completion');
    assert.equal(body.usage.completion_tokens, 9);
    assert.equal(body.choices[0].finish_reason, 'length');
    assert.equal(check('openai-completions', whole.text).problem, undefined);
    const free = JSON.parse((await post('/v1/completions', { prompt: 'The war', max_tokens: 400 })).text);
    assert.ok(free.choices[0].finish_reason === 'stop' || free.usage.completion_tokens === 400);
  });

  it('streams completions without usage unless asked', async () => {
    const answer = await post('/v1/completions', { prompt: 'x', max_tokens: 3, ignore_eos: true, stream: true });
    const read = check('openai-completions', answer.text);
    assert.equal(read.problem, undefined);
    assert.equal(read.events, 3);
    assert.equal(read.completion, -1);
  });

  const refused: { name: string; path: string; body: unknown; status: number; message: RegExp; headers?: Record<string, string> }[] = [
    { name: 'an unknown model', path: '/v1/chat/completions', body: { model: 'gpt-4', messages: [{ role: 'user', content: 'x' }] }, status: 404, message: /The model `gpt-4` does not exist/ },
    { name: 'missing messages', path: '/v1/chat/completions', body: { prompt: 'x' }, status: 400, message: /messages must be a non-empty array/ },
    { name: 'a bad max_tokens', path: '/v1/completions', body: { prompt: 'x', max_tokens: 0 }, status: 400, message: /max_tokens must be an integer/ },
    { name: 'no key', path: '/v1/completions', body: { prompt: 'x' }, status: 401, message: /Bearer key/, headers: { 'content-type': 'application/json' } },
  ];
  for (const { name, path, body, status, message, headers: given } of refused) {
    it(`refuses ${name} with an error object`, async () => {
      const answer = await post(path, body, given);
      assert.equal(answer.status, status);
      assert.match(answer.text, message);
    });
  }

  it('lists its model', async () => {
    const response = await fetch(`${base}/v1/models`, { headers });
    const list = (await response.json()) as { data: { id: string }[] };
    assert.deepEqual(list.data.map((model) => model.id), ['sample-ngram']);
  });
});

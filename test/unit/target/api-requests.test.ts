import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { redactSample } from '../../../src/target/apis/answer-sample.js';
import { apiAdapter, withModelRoute } from '../../../src/target/apis/registry.js';

const item = { prompt: 'Tell me a story', inputTokens: 4, outputTokens: 16 };
const chat = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], outputTokens: 8 };

describe('request bodies from workload items', () => {
  const cases: { api: string; item: object; options?: object; body: unknown }[] = [
    {
      api: 'openai-chat',
      item,
      options: { model: 'llama', ignoreEos: true },
      body: { model: 'llama', messages: [{ role: 'user', content: 'Tell me a story' }], max_tokens: 16, ignore_eos: true, stream: true, stream_options: { include_usage: true } },
    },
    { api: 'openai-chat', item: chat, options: { stream: false }, body: { messages: chat.messages, max_tokens: 8, stream: false } },
    {
      api: 'openai-completions',
      item: chat,
      options: { model: 'm' },
      body: { model: 'm', prompt: 'Be brief.\n\nHi', max_tokens: 8, stream: true, stream_options: { include_usage: true } },
    },
    { api: 'openai-completions', item: { prompt: 'x' }, body: { prompt: 'x', stream: true, stream_options: { include_usage: true } } },
    { api: 'kserve-v1', item, body: { instances: ['Tell me a story'] } },
    {
      api: 'kserve-v2',
      item,
      body: {
        inputs: [
          { name: 'text_input', shape: [1], datatype: 'BYTES', data: ['Tell me a story'] },
          { name: 'max_tokens', shape: [1], datatype: 'INT32', data: [16] },
        ],
      },
    },
    { api: 'kserve-v2', item: { prompt: 'p' }, body: { inputs: [{ name: 'text_input', shape: [1], datatype: 'BYTES', data: ['p'] }] } },
    { api: 'torchserve', item, body: { prompt: 'Tell me a story', max_new_tokens: 16 } },
  ];
  for (const { api, item: given, options = {}, body } of cases) {
    it(`${api} ${JSON.stringify(options)}`, () => {
      assert.deepEqual(JSON.parse(apiAdapter(api).bodyFor(given, options)), body);
    });
  }

  it('raw cannot shape a workload', () => {
    assert.throws(() => apiAdapter('raw').bodyFor(item, {}), SettingsError);
  });
});

describe('request bodies from payload lines', () => {
  it('fills in model and stream for OpenAI, leaving what the line says', () => {
    const chatApi = apiAdapter('openai-chat');
    assert.deepEqual(JSON.parse(chatApi.fromPayload('{"messages":[{"role":"user","content":"x"}]}', { model: 'm' }, 'line 1')), {
      messages: [{ role: 'user', content: 'x' }],
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.deepEqual(JSON.parse(chatApi.fromPayload('{"model":"a","messages":[],"stream":false}', {}, 'line 1')), { model: 'a', messages: [], stream: false });
  });

  const rejected: { api: string; line: string; message: RegExp }[] = [
    { api: 'openai-chat', line: '{"prompt":"x"}', message: /line 3 has no "messages"/ },
    { api: 'openai-completions', line: '[1]', message: /line 3 is not a JSON object/ },
    { api: 'openai-chat', line: 'hello', message: /line 3 is not JSON: --api openai-chat expects an object with "messages"/ },
    { api: 'kserve-v1', line: '{"data":[[1]]}', message: /neither an "instances" array nor "inputs"/ },
    { api: 'kserve-v2', line: '{"instances":[1]}', message: /no "inputs" array/ },
  ];
  for (const { api, line, message } of rejected) {
    it(`${api} rejects ${line}`, () => {
      assert.throws(() => apiAdapter(api).fromPayload(line, {}, 'line 3'), (error: Error) => error instanceof SettingsError && message.test(error.message));
    });
  }

  it('KServe and TorchServe lines go as they are', () => {
    const line = '{"instances": [[1, 2]]}';
    assert.equal(apiAdapter('kserve-v1').fromPayload(line, {}, 'x'), line);
    assert.equal(apiAdapter('torchserve').fromPayload('raw text', {}, 'x'), 'raw text');
  });
});

describe('--model routes', () => {
  const cases: { api: string; url: string; model: string; expected: string }[] = [
    { api: 'openai-chat', url: 'http://127.0.0.1:8000', model: 'm', expected: 'http://127.0.0.1:8000/v1/chat/completions' },
    { api: 'openai-chat', url: 'http://127.0.0.1:8000/v1', model: 'm', expected: 'http://127.0.0.1:8000/v1/chat/completions' },
    { api: 'openai-chat', url: 'http://127.0.0.1:8000/v1/chat/completions', model: 'm', expected: 'http://127.0.0.1:8000/v1/chat/completions' },
    { api: 'openai-completions', url: 'https://h/openai/', model: 'm', expected: 'https://h/openai/v1/completions' },
    { api: 'kserve-v1', url: 'http://h:8080/', model: 'flowers', expected: 'http://h:8080/v1/models/flowers:predict' },
    { api: 'kserve-v2', url: 'http://h:8000', model: 'densenet onnx', expected: 'http://h:8000/v2/models/densenet%20onnx/infer' },
    { api: 'torchserve', url: 'http://h:8080?x=1', model: 'resnet', expected: 'http://h:8080/predictions/resnet?x=1' },
  ];
  for (const { api, url, model, expected } of cases) {
    it(`${api} ${url}`, () => {
      assert.equal(withModelRoute(new URL(url), apiAdapter(api), model).href, expected);
    });
  }

  it('raw has no route', () => {
    assert.throws(() => withModelRoute(new URL('http://h'), apiAdapter('raw'), 'm'), /--model needs an --api/);
  });

  it('names the accepted APIs for an unknown one', () => {
    assert.throws(() => apiAdapter('grpc'), /--api must be one of raw, openai-chat, openai-completions, kserve-v1, kserve-v2, torchserve, got "grpc"/);
  });
});

describe('bad answer samples', () => {
  it('redacts known secrets, credential keys, auth schemes and JWTs', () => {
    const body =
      '{"echo":{"headers":{"Authorization":"Bearer sk-abcdefghijkl1234","x-api-key":"k123456"}},"jwt":"eyJhbGciOi.eyJzdWIiOi.sig","note":"my-secret-value here"}';
    const safe = redactSample(body, ['my-secret-value', 'sk-abcdefghijkl1234']);
    assert.doesNotMatch(safe, /sk-abcdefghijkl1234|k123456|eyJhbGciOi|my-secret-value/);
    assert.match(safe, /"note":"<redacted> here"/);
  });
});

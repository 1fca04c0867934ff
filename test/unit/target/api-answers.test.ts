import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnswerReader } from '../../../src/target/apis/api.js';
import { apiAdapter } from '../../../src/target/apis/registry.js';

interface Read {
  problem: string | undefined;
  times: number[];
  promptTokens: number;
  completionTokens: number;
  streamed: boolean;
  endedWithoutDone: boolean;
  sample: string;
}

/** Feeds `chunks` to the reader, chunk k arriving at time 10 * (k + 1) ms, and ends the answer. */
function read(reader: AnswerReader, chunks: (string | Buffer)[]): Read {
  reader.begin(0);
  chunks.forEach((chunk, index) => {
    const bytes = Buffer.concat([Buffer.from('##'), Buffer.from(chunk), Buffer.from('##')]);
    reader.body(bytes, 2, bytes.length - 2, 10 * (index + 1));
    bytes.fill(0x3f); // reused read buffer
  });
  const problem = reader.end(10 * (chunks.length + 1));
  return {
    problem,
    times: Array.from(reader.tokenTimes.subarray(0, reader.tokenEvents)),
    promptTokens: reader.promptTokens,
    completionTokens: reader.completionTokens,
    streamed: reader.streamed,
    endedWithoutDone: reader.endedWithoutDone,
    sample: reader.sample(),
  };
}

const sse = (...events: unknown[]): string => events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`).join('');
const delta = (content: string | undefined, finish: string | null = null): unknown => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finish }],
});
const usage = { id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } };

describe('OpenAI chat answers', () => {
  const reader = apiAdapter('openai-chat').answerReader()!;

  it('reads a vLLM-style stream: token times per content event, usage from the last chunk', () => {
    const result = read(reader, [
      sse({ ...(delta('') as object), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
      sse(delta('Hel')),
      sse(delta('lo')),
      sse(delta('!'), delta(undefined, 'stop')),
      sse(usage, '[DONE]'),
    ]);
    assert.equal(result.problem, undefined);
    assert.deepEqual(result.times, [20, 30, 40]);
    assert.equal(result.promptTokens, 12);
    assert.equal(result.completionTokens, 3);
    assert.equal(result.streamed, true);
    assert.equal(result.endedWithoutDone, false);
  });

  it('gives events that arrive in one read the same time', () => {
    const result = read(reader, [sse(delta('a'), delta('b'), delta('c', 'stop'), '[DONE]')]);
    assert.deepEqual(result.times, [10, 10, 10]);
    assert.equal(result.completionTokens, -1);
  });

  it('times an event split across reads at the read that completes it', () => {
    const stream = sse(delta('a'), delta('b', 'length'), '[DONE]');
    const cut = stream.indexOf('"b"');
    const result = read(reader, [stream.slice(0, cut), stream.slice(cut)]);
    assert.equal(result.problem, undefined);
    assert.deepEqual(result.times, [10, 20]);
  });

  it('counts reasoning text and tool calls as output', () => {
    const result = read(reader, [
      sse({ choices: [{ index: 0, delta: { reasoning_content: 'think' } }] }),
      sse({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'f' } }] } }] }),
      sse(delta(undefined, 'tool_calls'), '[DONE]'),
    ]);
    assert.equal(result.problem, undefined);
    assert.deepEqual(result.times, [10, 20]);
  });

  it('accepts a stream that ends on a finish_reason without [DONE], and says so', () => {
    const result = read(reader, [sse(delta('a'), delta('b', 'stop'))]);
    assert.equal(result.problem, undefined);
    assert.equal(result.endedWithoutDone, true);
  });

  const bad: { name: string; chunks: string[]; problem: RegExp }[] = [
    { name: 'a stream with neither [DONE] nor a finish_reason', chunks: [sse(delta('a'), delta('b'))], problem: /neither data: \[DONE\] nor a finish_reason/ },
    { name: 'an event that is not JSON', chunks: [sse(delta('a'), '{"choices": [', '[DONE]')], problem: /event 2 is not a JSON object/ },
    { name: 'an error object in the stream', chunks: [sse(delta('a'), { error: { message: 'overloaded', type: 'server_error' } })], problem: /error event in the stream: overloaded/ },
    { name: 'an event of type error', chunks: ['event: error\ndata: {"detail":"boom"}\n\n'], problem: /error event in the stream/ },
    { name: 'a chunk with neither choices nor usage', chunks: [sse({ id: 'x' }, '[DONE]')], problem: /neither choices nor usage/ },
    { name: 'a stream cut inside an event', chunks: [sse(delta('a')) + 'data: {"choices":[{"delta":{"content":"b"'], problem: /cut inside an event/ },
    { name: 'an empty stream', chunks: [sse('[DONE]')], problem: /no JSON chunk/ },
    { name: 'a stream without output', chunks: [sse(delta(''), delta(undefined, 'stop'), '[DONE]')], problem: /no output token/ },
    { name: 'an empty body', chunks: [], problem: /empty answer/ },
    { name: 'a JSON error body', chunks: ['{"object":"error","message":"model not found","code":404}'], problem: /error object: model not found/ },
    { name: 'a whole answer without choices', chunks: ['{"id":"x","object":"chat.completion","choices":[]}'], problem: /no choices/ },
    { name: 'a whole answer without a message', chunks: ['{"choices":[{"index":0,"text":"hi"}]}'], problem: /message is not an object/ },
  ];
  for (const { name, chunks, problem } of bad) {
    it(`rejects ${name}`, () => {
      const result = read(reader, chunks);
      assert.match(result.problem ?? '', problem);
    });
  }

  it('reads a whole chat.completion answer and its usage', () => {
    const body = JSON.stringify({
      id: 'chatcmpl-2',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
    const result = read(reader, ['  ', body.slice(0, 20), body.slice(20)]);
    assert.equal(result.problem, undefined);
    assert.equal(result.streamed, false);
    assert.deepEqual(result.times, []);
    assert.equal(result.completionTokens, 2);
    assert.equal(result.promptTokens, 5);
  });

  it('keeps the first bytes of the body as a sample', () => {
    const result = read(reader, ['{"error":"x"}']);
    assert.equal(result.sample, '{"error":"x"}');
    const long = read(reader, ['{"error":"' + 'y'.repeat(2000) + '"}']);
    assert.equal(Buffer.byteLength(long.sample), 512);
  });

  it('forgets the last answer when the next begins', () => {
    read(reader, [sse(delta('a'), usage, '[DONE]')]);
    const next = read(reader, [sse(delta('b', 'stop'), '[DONE]')]);
    assert.equal(next.completionTokens, -1);
    assert.deepEqual(next.times, [10]);
  });
});

describe('OpenAI completions answers', () => {
  const reader = apiAdapter('openai-completions').answerReader()!;
  const text = (value: string, finish: string | null = null): unknown => ({ object: 'text_completion', choices: [{ index: 0, text: value, finish_reason: finish }] });

  it('reads text chunks as output', () => {
    const result = read(reader, [sse(text('a'), text(''), text('b', 'length'), { choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } }, '[DONE]')]);
    assert.equal(result.problem, undefined);
    assert.equal(result.times.length, 2);
    assert.equal(result.completionTokens, 2);
  });

  it('checks a whole text_completion', () => {
    assert.equal(read(reader, ['{"object":"text_completion","choices":[{"text":"x","index":0}]}']).problem, undefined);
    assert.match(read(reader, ['{"choices":[{"message":{"content":"x"}}]}']).problem ?? '', /text is not a string/);
  });
});

describe('KServe, Triton and TorchServe answers', () => {
  const cases: { api: string; name: string; body: string | Buffer; problem?: RegExp }[] = [
    { api: 'kserve-v1', name: 'predictions', body: '{"predictions": [[0.1, 0.9]]}' },
    { api: 'kserve-v1', name: 'columnar outputs', body: '{"outputs": {"scores": [1]}}' },
    { api: 'kserve-v1', name: 'an error object', body: '{"error": "Model with name m does not exist."}', problem: /error object: Model with name m/ },
    { api: 'kserve-v1', name: 'a wrong shape', body: '{"result": 1}', problem: /neither a "predictions" array/ },
    { api: 'kserve-v1', name: 'not JSON', body: 'OK', problem: /not a JSON object/ },
    {
      api: 'kserve-v2',
      name: 'the spec example',
      body: '{"model_name":"mymodel","id":"42","outputs":[{"name":"output0","shape":[3,2],"datatype":"FP32","data":[1.0,1.1,2.0,2.1,3.0,3.1]}]}',
    },
    { api: 'kserve-v2', name: 'nested data', body: '{"outputs":[{"name":"o","shape":[2,2],"datatype":"INT32","data":[[1,2],[3,4]]}]}' },
    { api: 'kserve-v2', name: 'BYTES output', body: '{"outputs":[{"name":"text_output","shape":[1],"datatype":"BYTES","data":["hello"]}]}' },
    { api: 'kserve-v2', name: 'too few values for the shape', body: '{"outputs":[{"name":"o","shape":[3],"datatype":"FP32","data":[1,2]}]}', problem: /output "o" holds 2 values for shape \[3\]/ },
    { api: 'kserve-v2', name: 'an unknown datatype', body: '{"outputs":[{"name":"o","shape":[1],"datatype":"FLOAT","data":[1]}]}', problem: /no valid datatype/ },
    { api: 'kserve-v2', name: 'no outputs', body: '{"model_name":"m","outputs":[]}', problem: /no "outputs"/ },
    { api: 'kserve-v2', name: 'Triton\'s error object', body: '{"error":"Request for unknown model: \'m\' is not found"}', problem: /error object: Request for unknown model/ },
    {
      api: 'kserve-v2',
      name: 'Triton binary outputs whose bytes add up',
      body: Buffer.concat([Buffer.from('{"outputs":[{"name":"o","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}'), Buffer.alloc(8, 1)]),
    },
    {
      api: 'kserve-v2',
      name: 'Triton binary outputs cut short',
      body: Buffer.concat([Buffer.from('{"outputs":[{"name":"o","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}'), Buffer.alloc(3)]),
      problem: /announce 8 bytes, 3 follow/,
    },
    { api: 'kserve-v2', name: 'bytes after a JSON answer', body: '{"outputs":[{"name":"o","shape":[1],"datatype":"FP32","data":[1]}]}xyz', problem: /bytes follow the JSON answer/ },
    { api: 'kserve-v2', name: 'a brace inside a string', body: '{"outputs":[{"name":"o}{","shape":[1],"datatype":"BYTES","data":["\\"}"]}]}\n' },
    { api: 'torchserve', name: 'a handler\'s JSON', body: '{"label": "cat", "score": 0.9}' },
    { api: 'torchserve', name: 'a handler\'s text', body: 'tabby cat' },
    { api: 'torchserve', name: 'the error object', body: '{"code": 503, "type": "ServiceUnavailableException", "message": "Model \\"m\\" has no worker to serve inference request."}', problem: /error object: 503 ServiceUnavailableException: Model "m" has no worker/ },
    { api: 'torchserve', name: 'an empty body', body: '', problem: /empty answer/ },
  ];
  for (const { api, name, body, problem } of cases) {
    it(`${api}: ${problem ? 'rejects' : 'accepts'} ${name}`, () => {
      const reader = apiAdapter(api).answerReader()!;
      const bytes = Buffer.from(body);
      const result = read(reader, bytes.length > 4 ? [bytes.subarray(0, 4), bytes.subarray(4)] : bytes.length ? [bytes] : []);
      if (problem) assert.match(result.problem ?? '', problem);
      else assert.equal(result.problem, undefined);
      assert.equal(result.streamed, false);
    });
  }

  it('raw answers are not read', () => {
    assert.equal(apiAdapter('raw').answerReader(), undefined);
  });
});

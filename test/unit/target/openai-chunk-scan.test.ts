import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../src/core/seeded-random.js';
import { ChunkScanner, FINISHED, OUTPUT, UNSURE } from '../../../src/target/apis/openai-chunk-scan.js';

/**
 * What the full reader (JSON.parse) makes of an event, as OpenAiAnswerReader defines it: undefined
 * where the scanner must not answer (not JSON, an error, a usage object to read, no choices array),
 * else the OUTPUT | FINISHED flags.
 */
function reference(text: string, completions: boolean): number | undefined {
  let chunk: unknown;
  try {
    chunk = JSON.parse(text);
  } catch {
    return undefined;
  }
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const nonEmpty = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
  if (!isObject(chunk)) return undefined;
  if ((chunk['error'] !== undefined && chunk['error'] !== null) || chunk['object'] === 'error') return undefined;
  if (isObject(chunk['usage']) || !Array.isArray(chunk['choices'])) return undefined;
  let flags = 0;
  for (const choice of chunk['choices'] as unknown[]) {
    if (!isObject(choice)) continue;
    if (typeof choice['finish_reason'] === 'string') flags |= FINISHED;
    if (completions) {
      if (nonEmpty(choice['text'])) flags |= OUTPUT;
      continue;
    }
    const delta = choice['delta'];
    if (!isObject(delta)) continue;
    const calls = delta['tool_calls'];
    if (nonEmpty(delta['content']) || nonEmpty(delta['reasoning_content']) || nonEmpty(delta['reasoning']) || (Array.isArray(calls) && calls.length > 0)) flags |= OUTPUT;
  }
  return flags;
}

/** Scans `text` placed inside stale bytes that look like JSON, so a scan past the end would show. */
function scan(text: string | Buffer, completions: boolean): number {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const bytes = Buffer.concat([Buffer.from('{"x":'), body, Buffer.from('}],"finish_reason":"stop"}')]);
  return new ChunkScanner().scan(bytes, 5, 5 + body.length, completions);
}

/** The scanner's contract: sure only where the full reader agrees, and then with its answer. */
function check(text: string, completions: boolean): void {
  const scanned = scan(text, completions);
  if (scanned === UNSURE) return;
  assert.equal(scanned, reference(text, completions), `scanner answered ${scanned} for ${JSON.stringify(text)}`);
}

const chat = (delta: unknown, finish: unknown = null, extra = ''): string =>
  `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m"${extra},"choices":[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}]}`;

const SHAPES: string[] = [
  chat({ content: ' t1' }),
  chat({ role: 'assistant', content: '' }),
  chat({ content: '' }, 'stop'),
  chat({}, 'length'),
  chat({ content: 'caf\u00e9 \ud83d\ude00' }),
  chat({ content: '\n' }),
  chat({ reasoning_content: 'hm' }),
  chat({ reasoning: 'hm', content: null }),
  chat({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }),
  chat({ tool_calls: [] }),
  chat({ content: 'x' }, null, ',"usage":null'),
  chat({ content: 'x' }, null, ',"system_fingerprint":"fp","service_tier":null,"n":-1.5e3,"ok":true,"no":false,"deep":[[{"a":[1,{"b":{}}]}]]'),
  '{"choices":[{"delta":{"content":"a"}},{"delta":{"content":""},"finish_reason":"stop"},7,null,[]]}',
  '{"choices":[]}',
  '{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}',
  '{"error":{"message":"boom"}}',
  '{"error":null,"choices":[{"delta":{"content":"a"}}]}',
  '{"choices":[{"delta":{"content":"a"}}],"error":"overloaded"}',
  '{"error":0,"choices":[]}',
  '{"object":"error","choices":[{"delta":{"content":"a"}}]}',
  '{"object":"error","message":"bad"}',
  '{"object":"err\\u006fr","choices":[]}',
  '{"ch\\u006fices":[{"delta":{"content":"a"}}]}',
  '{"choices":[{"delta":{"content":"a"}}],"choices":null}',
  '{"choices":[{"delta":{"content":""},"delta":{"content":"b"}}]}',
  '{"choices":[{"delta":{"content":"\\u0000"}}]}',
  '{"choices":[{"delta":{"content":"\\"q\\""}}],"text":"t"}',
  '{"choices":[{"text":"hello","finish_reason":null}]}',
  '{"choices":[{"text":"","finish_reason":"stop"}]}',
  '{"choices":{"0":{"delta":{"content":"a"}}}}',
  '{"choices":[{"delta":"content"}]}',
  '{"choices":[{"delta":{"content":"a"}}]} ',
  ' \n{"choices":[{"delta":{"content":"a"}}]}\r\n',
  '{"choices":[{"delta":{"content":"a"}}]}}',
  '{"choices":[{"delta":{"content":"a"}}],}',
  '{"choices":[{"delta":{"content":"a"},}]}',
  '{"choices":[{"delta":{"content":"a"}},]}',
  '{"choices":[{"delta":{"content":"a\u0001"}}]}',
  '{"choices":[{"delta":{"content":"a"}}],"n":01}',
  '{"choices":[{"delta":{"content":"a"}}],"n":1.}',
  '{"choices":[{"delta":{"content":"a"}}],"n":-}',
  '{"choices":[{"delta":{"content":"a"}}],"n":1e}',
  '{"choices":[{"delta":{"content":"a"}}],"n":tru}',
  '{"choices":[{"delta":{"content":"a\\x"}}]}',
  '{"choices":[{"delta":{"content":"a\\u12"}}]}',
  '\ufeff{"choices":[{"delta":{"content":"a"}}]}',
  '{}',
  '[]',
  '"text"',
  '[DONE]',
  '',
];

describe('ChunkScanner', () => {
  it('answers as the full reader does on every shape, or defers to it', () => {
    for (const text of SHAPES) for (const completions of [false, true]) check(text, completions);
  });

  it('is sure of the chunks servers stream (so the fast path is the one taken)', () => {
    assert.equal(scan(chat({ content: ' t1' }), false), OUTPUT);
    assert.equal(scan(chat({ content: '' }, 'stop'), false), FINISHED);
    assert.equal(scan(chat({ content: 'x' }, null, ',"usage":null'), false), OUTPUT);
    assert.equal(scan('{"id":"c","object":"text_completion","choices":[{"index":0,"text":" a","finish_reason":"length"}]}', true), OUTPUT | FINISHED);
  });

  it('defers to the full reader on errors, usage and escaped names', () => {
    for (const text of ['{"error":{"message":"boom"}}', '{"choices":[],"error":"overloaded"}', '{"object":"error","choices":[]}', '{"object":"err\\u006fr","choices":[]}', '{"choices":[],"usage":{"completion_tokens":2}}', '{"ch\\u006fices":[]}']) {
      assert.equal(scan(text, false), UNSURE, text);
    }
  });

  it('stops at the end it is given, whatever bytes follow', () => {
    assert.equal(scan('{"choices":[{"delta":{"content":"a"}}]', false), UNSURE);
    assert.equal(scan('{"choices":[{"delta":{"content":"a', false), UNSURE);
    assert.equal(scan(Buffer.from('{"choices":[{"delta":{"content":"a\\'), false), UNSURE);
  });

  it('agrees with the full reader on random mutations of real chunks', () => {
    const random = seededRandom(16);
    const pieces = ['{', '}', '[', ']', '"', ',', ':', '\\', 'u', '0', '-', '.', 'e', ' ', 'null', 'true', '"error"', '"usage"', '"choices"', '"content"', '"text"', '""', '\u00e9', '\u0001', '\n'];
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let round = 0; round < 20000; round++) {
      let text = pick(SHAPES.slice(0, 14));
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * (text.length + 1));
        const cut = Math.floor(random() * 4);
        const operation = random();
        if (operation < 0.4) text = text.slice(0, at) + pick(pieces) + text.slice(at);
        else if (operation < 0.7) text = text.slice(0, at) + text.slice(at + cut);
        else text = text.slice(0, at) + pick(pieces) + text.slice(at + 1);
      }
      check(text, random() < 0.3);
    }
  });
});

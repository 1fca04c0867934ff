import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { assembleRunRequest, jobSources } from '../../../src/settings/run-request.js';
import { settingsFor } from '../../support/settings.js';

const folder = mkdtempSync(join(tmpdir(), 'modelprof-api-settings-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};
const base = 'http://127.0.0.1:8000';

describe('--api and its workload', () => {
  it('leaves a plain run as the seed has it', () => {
    const settings = settingsFor({ url: `${base}/score`, payload: '{"data":[[1]]}' });
    assert.equal(settings.api, undefined);
    assert.equal(settings.arrival, undefined);
  });

  it('appends the route for --model and shapes payload lines for the API', () => {
    const settings = settingsFor({ url: base, api: 'openai-chat', model: 'llama', payload: '{"messages":[{"role":"user","content":"hi"}]}' });
    assert.equal(settings.url.href, `${base}/v1/chat/completions`);
    assert.deepEqual(JSON.parse(settings.payload.bodies[0]!), {
      messages: [{ role: 'user', content: 'hi' }],
      model: 'llama',
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(settings.method, 'POST');
    assert.deepEqual(settings.api, { name: 'openai-chat', model: 'llama', stream: true, ignoreEos: false });
  });

  it('builds a synthetic workload that asks to ignore end-of-sequence', () => {
    const settings = settingsFor({ url: `${base}/v1/completions`, api: 'openai-completions', inputTokens: '128:16', outputTokens: '32', stream: 'false', seed: '7' });
    assert.deepEqual(settings.api?.workload, { kind: 'synthetic', input: { mean: 128, spread: 16 }, output: { mean: 32, spread: 0 }, seed: 7 });
    assert.equal(settings.api?.workloadDescription, 'synthetic: 128±16 input tokens, 32 output tokens');
    assert.equal(settings.api?.ignoreEos, true);
    assert.equal(settings.api?.stream, false);
    assert.equal(settings.method, 'POST');
    assert.equal(settings.headers['Content-Type'], 'application/json');
  });

  it('reads a dataset, filling --output-tokens where a line has none', () => {
    const dataset = file('chat.jsonl', '{"prompt":"a"}\n{"prompt":"b","max_tokens":3}\n');
    const settings = settingsFor({ url: base, api: 'openai-chat', dataset, outputTokens: '9' });
    assert.deepEqual(settings.api?.workload, { kind: 'dataset', items: [{ prompt: 'a', outputTokens: 9 }, { prompt: 'b', outputTokens: 3 }], origin: dataset });
  });

  it('replays a trace for as long as it lasts at its speed-up', () => {
    const trace = file('trace.jsonl', '{"timestamp":1000,"input_length":5,"output_length":2}\n{"timestamp":5000,"input_length":5,"output_length":2}\n');
    const settings = settingsFor({ url: base, api: 'openai-chat', trace, traceSpeedup: '2', tool: 'wrk2' });
    assert.deepEqual(settings.arrival, { kind: 'trace', speedup: 2 });
    assert.equal(settings.durationSec, 2.001);
    // Its target rate is its own (2 requests over its 2 s), not the default -R; a given -R stands.
    assert.equal(settings.rate, 1);
    assert.equal(settingsFor({ url: base, api: 'openai-chat', trace, tool: 'wrk2', rate: '7' }).rate, 7);
    assert.equal(settings.api?.ignoreEos, true);
    const shorter = settingsFor({ url: base, api: 'openai-chat', trace, tool: 'labench', duration: '1s' });
    assert.equal(shorter.durationSec, 1);
  });

  it('plans Poisson arrivals for the open-loop tools', () => {
    assert.deepEqual(settingsFor({ url: base, tool: 'labench', arrival: 'poisson', seed: '3' }).arrival, { kind: 'poisson', seed: 3 });
    assert.equal(settingsFor({ url: base, tool: 'wrk2', arrival: 'even' }).arrival, undefined);
  });

  it('keeps goodput objectives in their canonical form', () => {
    const settings = settingsFor({ url: base, api: 'openai-chat', inputTokens: '8', goodput: 'ttft<=0.2s, tpot<50' });
    assert.equal(settings.api?.goodput, 'ttft<=200ms,tpot<50ms');
  });

  const refused: [string, Record<string, string>, RegExp][] = [
    ['an API without requests', { api: 'openai-chat' }, /--api openai-chat needs requests: a payload/],
    ['a workload without an API', { inputTokens: '8' }, /--inputTokens needs --api/],
    ['output tokens alone', { api: 'openai-chat', outputTokens: '8', payload: '{"messages":[]}' }, /--outputTokens shapes synthetic or dataset requests/],
    ['two workloads', { api: 'openai-chat', inputTokens: '8', dataset: 'x.jsonl' }, /--inputTokens and --dataset both give the requests/],
    ['a workload beside a payload', { api: 'openai-chat', inputTokens: '8', payload: '{"messages":[]}' }, /--inputTokens and the payload \(--payload\) both give the requests/],
    ['Poisson arrivals in a closed loop', { arrival: 'poisson' }, /needs an open-loop tool \(--tool wrk2 or labench\)/],
    ['an unknown arrival', { tool: 'wrk2', arrival: 'bursty' }, /--arrival must be one of even, poisson/],
    ['a speed-up without a trace', { tool: 'wrk2', traceSpeedup: '2' }, /--traceSpeedup speeds up a trace/],
    ['goodput on raw answers', { goodput: 'e2e<1s' }, /--goodput judges answers: it needs --api/],
    ['--model without an API', { model: 'm' }, /--model needs an --api/],
    ['an API on the external engine', { api: 'openai-chat', inputTokens: '8', engine: 'external' }, /needs the builtin engine/],
    ['a payload line of the wrong shape', { api: 'kserve-v2', payload: '{"instances":[1]}' }, /the payload \(--payload\) has no "inputs" array/],
  ];
  for (const [name, flags, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => settingsFor({ url: base, ...flags }), (error: Error) => error instanceof SettingsError && message.test(error.message));
    });
  }
});

describe('the workload in a job file', () => {
  it('reads target.api, target.model and the workload block, paths relative to the file', () => {
    file('prompts.jsonl', '{"prompt":"x"}\n');
    const job = file(
      'job.yml',
      ['target:', `  url: ${base}`, '  api: openai-completions', '  model: m', 'tool: labench', 'workload:', '  dataset: prompts.jsonl', '  output_tokens: 12', '  arrival: poisson', '  seed: 5', '  goodput: "e2e<=2s"', '  stream: false'].join('\n'),
    );
    const { settings } = assembleRunRequest({ jobs: jobSources(job), env: {} });
    assert.equal(settings.url.href, `${base}/v1/completions`);
    assert.deepEqual(settings.api?.workload, { kind: 'dataset', items: [{ prompt: 'x', outputTokens: 12 }], origin: join(folder, 'prompts.jsonl') });
    assert.equal(settings.api?.stream, false);
    assert.equal(settings.api?.goodput, 'e2e<=2000ms');
    assert.deepEqual(settings.arrival, { kind: 'poisson', seed: 5 });
  });

  it('names the key of a bad value', () => {
    const job = file('bad.yml', ['target:', `  url: ${base}`, '  api: openai-chat', 'workload:', '  input_tokens: "lots"'].join('\n'));
    assert.throws(() => assembleRunRequest({ jobs: jobSources(job), env: {} }), /workload\.input_tokens must be a token count/);
  });
});


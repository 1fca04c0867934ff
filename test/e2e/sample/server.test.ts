import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SAMPLE_SERVER_DEFAULTS } from '../../../src/sample/options.js';
import { createModel } from '../../../src/sample/model.js';
import { startSampleServer, type SampleServer } from '../../../src/sample/server.js';
import { SettingsError } from '../../../src/core/errors.js';

const ROW = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const SEED_PAYLOAD = JSON.stringify({ data: [ROW, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]] });

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

function rows(count: number): string {
  return JSON.stringify({ data: Array.from({ length: count }, (_, index) => ROW.map((value) => value + index)) });
}

async function withServer(options: Parameters<typeof startSampleServer>[0], body: (server: SampleServer) => Promise<void>): Promise<void> {
  const server = await startSampleServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

/** Waits until the server has seen `count` requests, so a test knows the first one is in flight. */
async function untilReceived(server: SampleServer, count: number): Promise<void> {
  for (let tries = 0; server.counters().received < count; tries++) {
    assert.ok(tries < 500, `server saw ${server.counters().received} requests, waited for ${count}`);
    await sleep(2);
  }
}

test('POST /score answers 200 with one probability vector per row, the same on every server', async () => {
  const expected = createModel(SAMPLE_SERVER_DEFAULTS.workFactor).predict(Float64Array.from([ROW, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]].flat()), 2);
  await withServer({ workers: 1 }, async (one) => {
    await withServer({ workers: 2 }, async (two) => {
      assert.match(one.url, /^http:\/\/127\.0\.0\.1:\d+\/score$/);
      assert.equal(one.url, `http://127.0.0.1:${one.port}/score`);
      const first = await post(one.url, SEED_PAYLOAD);
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(JSON.parse(first.text), { result: expected });
      assert.equal((await post(one.url, SEED_PAYLOAD)).text, first.text, 'same payload, same answer');
      assert.equal((await post(two.url, SEED_PAYLOAD)).text, first.text, 'any server, any worker, same answer');
    });
  });
});

test('bad bodies get 400 with a JSON error naming the problem', async () => {
  const cases: [name: string, body: string, message: RegExp][] = [
    ['not JSON', '{"data": [[1,2', /must be JSON/],
    ['empty body', '', /must be JSON/],
    ['JSON array', '[[1,2,3,4,5,6,7,8,9,10]]', /JSON object with a "data" field/],
    ['no data field', '{"rows": [[1,2,3,4,5,6,7,8,9,10]]}', /"data" must be an array/],
    ['data not an array', '{"data": "1,2,3"}', /"data" must be an array/],
    ['empty data', '{"data": []}', /at least one row/],
    ['row too short', '{"data": [[1,2,3,4,5,6,7,8,9]]}', /data\[0\] must be an array of 10 numbers, got 9 items/],
    ['row too long', '{"data": [[1,2,3,4,5,6,7,8,9,10,11]]}', /got 11 items/],
    ['row not an array', '{"data": [[1,2,3,4,5,6,7,8,9,10], 5]}', /data\[1\] must be an array/],
    ['string value', '{"data": [[1,2,3,4,5,6,7,8,9,"10"]]}', /data\[0\]\[9\] must be a finite number, got string/],
    ['null value', '{"data": [[null,2,3,4,5,6,7,8,9,10]]}', /data\[0\]\[0\] must be a finite number, got null/],
    ['overflowing number', '{"data": [[1e999,2,3,4,5,6,7,8,9,10]]}', /got Infinity/],
  ];
  await withServer({}, async (server) => {
    for (const [name, body, message] of cases) {
      const answer = await post(server.url, body);
      assert.equal(answer.status, 400, name);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, name);
      const parsed = JSON.parse(answer.text) as { error: string };
      assert.match(parsed.error, message, name);
    }
    assert.equal((await post(server.url, SEED_PAYLOAD)).status, 200, 'still serving after bad bodies');
    assert.deepEqual(server.counters(), { received: cases.length + 1, byStatus: { '400': cases.length, '200': 1 } });
  });
});

test('key and deployment: 401 without the bearer key, 404 for another deployment', async () => {
  const key = 'sample-secret-key';
  const cases: [name: string, headers: Record<string, string>, status: number][] = [
    ['no Authorization', {}, 401],
    ['wrong key', { authorization: 'Bearer not-the-key' }, 401],
    ['key without Bearer', { authorization: key }, 401],
    ['wrong key and wrong deployment: auth comes first', { authorization: 'Bearer x', 'azureml-model-deployment': 'green' }, 401],
    ['other deployment', { authorization: `Bearer ${key}`, 'azureml-model-deployment': 'green' }, 404],
    ['no deployment header', { authorization: `Bearer ${key}` }, 200],
    ['this deployment', { authorization: `Bearer ${key}`, 'azureml-model-deployment': 'blue' }, 200],
  ];
  await withServer({ key, deployment: 'blue' }, async (server) => {
    for (const [name, headers, status] of cases) {
      const answer = await post(server.url, SEED_PAYLOAD, headers);
      assert.equal(answer.status, status, name);
      assert.equal(answer.headers.get('azureml-model-deployment'), 'blue', name);
      assert.ok(!answer.text.includes(key), `${name}: the key must never be echoed`);
      if (status === 401) assert.equal(answer.headers.get('www-authenticate'), 'Bearer', name);
    }
  });
});

test('routes: liveness, unknown route 404, wrong method 405', async () => {
  await withServer({ key: 'k' }, async (server) => {
    const base = server.url.replace(/\/score$/, '');
    const cases: [name: string, path: string, method: string, status: number, allow?: string][] = [
      ['liveness /', '/', 'GET', 200],
      ['liveness /health', '/health', 'GET', 200],
      ['HEAD /health', '/health', 'HEAD', 200],
      ['metrics', '/metrics', 'GET', 200],
      ['unknown route', '/predict', 'POST', 404],
      ['GET /score', '/score', 'GET', 405, 'POST'],
      ['PUT /score', '/score', 'PUT', 405, 'POST'],
      ['POST /health', '/health', 'POST', 405, 'GET, HEAD'],
      ['DELETE /metrics', '/metrics', 'DELETE', 405, 'GET, HEAD'],
      ['query string on /score', '/score?verbose=true', 'POST', 200],
    ];
    for (const [name, path, method, status, allow] of cases) {
      const hasBody = method === 'POST' || method === 'PUT';
      const answer = await request(`${base}${path}`, {
        method,
        headers: { authorization: 'Bearer k' },
        ...(hasBody ? { body: SEED_PAYLOAD } : {}),
      });
      assert.equal(answer.status, status, name);
      if (allow !== undefined) assert.equal(answer.headers.get('allow'), allow, name);
    }
  });
});

test('maxConcurrentRequests: a request beyond the limit gets 429 at once, and the slot frees after', async () => {
  await withServer({ maxConcurrentRequests: 1, workFactor: 10 }, async (server) => {
    const slow = post(server.url, rows(30)); // about 30 x 10 x 0.45 ms = 135 ms of compute
    await untilReceived(server, 1);
    const started = performance.now();
    const rejected = await post(server.url, SEED_PAYLOAD);
    assert.equal(rejected.status, 429);
    assert.match((JSON.parse(rejected.text) as { error: string }).error, /max_concurrent_requests_per_instance is 1/);
    assert.ok(performance.now() - started < 100, 'a 429 must not wait for the busy request');
    assert.equal((await slow).status, 200);
    assert.equal((await post(server.url, SEED_PAYLOAD)).status, 200, 'the slot is free again');
    assert.deepEqual(server.counters(), { received: 3, byStatus: { '200': 2, '429': 1 } });
  });
});

test('requestTimeoutMs: a request not answered in time gets 408 and its result is dropped', async () => {
  // Two workers: the light request after the 408 must not wait for the abandoned compute.
  await withServer({ requestTimeoutMs: 100, workFactor: 10, workers: 2 }, async (server) => {
    const started = performance.now();
    const late = await post(server.url, rows(200)); // about 200 x 10 x 0.45 ms = 0.9 s of compute
    const waited = performance.now() - started;
    assert.equal(late.status, 408);
    assert.match((JSON.parse(late.text) as { error: string }).error, /request_timeout_ms 100/);
    assert.ok(waited >= 95 && waited < 600, `408 came after ${waited.toFixed(0)} ms`);
    assert.equal((await post(server.url, JSON.stringify({ data: [ROW] }))).status, 200);
    assert.deepEqual(server.counters(), { received: 2, byStatus: { '408': 1, '200': 1 } });
  });
});

test('a client that goes away frees its concurrency slot and gets no answer counted', async () => {
  await withServer({ maxConcurrentRequests: 1, workFactor: 10, workers: 2 }, async (server) => {
    const abandon = new AbortController();
    const abandoned = fetch(server.url, { method: 'POST', body: rows(100), signal: abandon.signal });
    await untilReceived(server, 1);
    abandon.abort();
    await assert.rejects(abandoned);
    const metricsUrl = server.url.replace(/\/score$/, '/metrics');
    for (let tries = 0; !(await request(metricsUrl)).text.includes('\nmodelprof_sample_requests_in_flight 0\n'); tries++) {
      assert.ok(tries < 100, 'the abandoned request still holds its slot');
      await sleep(5);
    }
    assert.equal((await post(server.url, SEED_PAYLOAD)).status, 200);
    assert.deepEqual(server.counters(), { received: 2, byStatus: { '200': 1 } });
  });
});

test('counters and /metrics count exactly what was sent', async () => {
  await withServer({ key: 'k' }, async (server) => {
    const auth = { authorization: 'Bearer k' };
    const sent = [
      ...Array.from({ length: 20 }, () => post(server.url, SEED_PAYLOAD, auth)),
      ...Array.from({ length: 5 }, () => post(server.url, '{"data": []}', auth)),
      ...Array.from({ length: 3 }, () => post(server.url, SEED_PAYLOAD)),
      request(server.url, { headers: auth }),
    ];
    const answers = await Promise.all(sent);
    assert.deepEqual(
      answers.map((answer) => answer.status).sort(),
      [...Array(20).fill(200), ...Array(3).fill(401), ...Array(5).fill(400), 405].sort(),
    );
    assert.deepEqual(server.counters(), { received: 29, byStatus: { '200': 20, '400': 5, '401': 3, '405': 1 } });

    const metrics = await request(server.url.replace(/\/score$/, '/metrics'));
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const samples = new Map(
      metrics.text
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'))
        .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
    );
    const expected: [sample: string, value: number][] = [
      ['modelprof_sample_requests_received_total', 29],
      ['modelprof_sample_requests_total{status="200"}', 20],
      ['modelprof_sample_requests_total{status="400"}', 5],
      ['modelprof_sample_requests_total{status="401"}', 3],
      ['modelprof_sample_requests_total{status="405"}', 1],
      ['modelprof_sample_request_duration_seconds_count', 29],
      ['modelprof_sample_request_duration_seconds_bucket{le="+Inf"}', 29],
      ['modelprof_sample_requests_in_flight', 0],
      ['modelprof_sample_requests_queued', 0],
    ];
    for (const [sample, value] of expected) assert.equal(samples.get(sample), value, sample);
    assert.ok(samples.get('process_cpu_seconds_total')! > 0);
    assert.ok(samples.get('process_resident_memory_bytes')! > 1e6);
    const startTime = samples.get('process_start_time_seconds')!;
    assert.ok(startTime > Date.now() / 1000 - 3600 && startTime <= Date.now() / 1000, `start time ${startTime}`);
  });
});

test('close answers requests still in flight with 503 and returns promptly', async () => {
  const server = await startSampleServer({ workFactor: 20 });
  const pending = post(server.url, rows(200)); // seconds of compute: still running at close
  await untilReceived(server, 1);
  const started = performance.now();
  await server.close();
  assert.ok(performance.now() - started < 1500, 'close must not wait for the compute');
  assert.equal((await pending).status, 503);
  await assert.rejects(fetch(server.url, { method: 'POST', body: SEED_PAYLOAD }), 'nothing listens after close');
});

test('bad options are rejected with a SettingsError naming the option', async () => {
  const cases: [options: Parameters<typeof startSampleServer>[0], message: RegExp][] = [
    [{ workers: 0 }, /^workers must be an integer from 1 to 64, got 0$/],
    [{ workers: 1.5 }, /^workers must be an integer/],
    [{ port: 70000 }, /^port must be an integer from 0 to 65535/],
    [{ maxConcurrentRequests: 0 }, /^maxConcurrentRequests must be/],
    [{ requestTimeoutMs: 0 }, /^requestTimeoutMs must be/],
    [{ workFactor: -1 }, /^workFactor must be a number from 0 to 1000/],
    [{ workFactor: Number.NaN }, /^workFactor must be/],
    [{ key: 'has space' }, /^key must be non-empty printable ASCII/],
    [{ key: '' }, /^key must be/],
    [{ deployment: 'bad\nname' }, /^deployment must be/],
    [{ host: '' }, /^host must be/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(startSampleServer(options), (error: unknown) => {
      assert.ok(error instanceof SettingsError, `${JSON.stringify(options)} gave ${String(error)}`);
      assert.match(error.message, message);
      assert.ok(!error.message.includes('has space'), 'a key is never echoed');
      return true;
    });
  }
});

test('a port already in use is a SettingsError, not a crash', async () => {
  await withServer({}, async (server) => {
    await assert.rejects(startSampleServer({ port: server.port }), (error: unknown) => {
      assert.ok(error instanceof SettingsError);
      assert.match(error.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${server.port}: the port is already in use`));
      return true;
    });
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TargetError } from '../../../src/core/errors.js';
import { trustedThrough, VALID_THROUGH } from '../../../src/judge/trust.js';
import { runBuiltin } from '../../../src/load/builtin-engine.js';
import { settingsFor } from '../../support/settings.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const servers: TestServer[] = [];
async function server(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const started = await startTestServer(options);
  servers.push(started);
  return started;
}
after(() => Promise.all(servers.map((s) => s.close())));

/** A signal that stops the run (as Ctrl-C does) once `target` has received `count` requests. */
function stopOnceReceived(target: TestServer, count: number): AbortSignal {
  const aborter = new AbortController();
  const poll = setInterval(() => {
    if (target.received() < count) return;
    clearInterval(poll);
    aborter.abort();
  }, 20);
  return aborter.signal;
}

describe('builtin engine against real servers on 127.0.0.1', () => {
  it('closed loop (wrk): the server received exactly what the report says was sent, warm-up included', async () => {
    const target = await server({ delayMs: 2 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk', connections: '4', threads: '2', duration: '2s', warmup: '1s' }));
    assert.ok(result.requests.total > 100, `only ${result.requests.total} requests`);
    assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
    assert.ok(result.warmup.requests > 0);
    assert.equal(target.received(), result.requests.total + result.warmup.requests);
    assert.equal(result.servedRps, undefined, 'the closed loop offers no rate to serve');
    assert.equal(result.latencyUncorrected, undefined);
    // The closed loop is valid exactly when the generator was not saturated (a busy machine may saturate it);
    // its figures are judged on its event-loop delay, and marked where that could have moved them.
    assert.equal(result.validity.valid, result.validity.checks.generatorCpu! <= 0.95, result.validity.reasons.join('; '));
    assert.ok(result.validity.trust!.length > 0);
  });

  it('constant rate (wrk2) on a 10 ms server: sends within 1% of the target rate, p50 within 1 ms of 10 ms', async () => {
    const target = await server({ delayMs: 10 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '200', connections: '8', duration: '5s' }));
    const { checks, sendLag } = result.validity;
    // Sent, or kept back only by a connection still waiting for the (busy test process's) answer.
    const offered = checks.sendRps! + checks.unsentPlanned! / 5;
    assert.ok(Math.abs(offered - 200) / 200 <= 0.01, `sent ${checks.sendRps} req/s, ${checks.unsentPlanned} kept back`);
    assert.ok(checks.planHeldShare! >= 0.99, `plan held ${checks.planHeldShare}`);
    assert.equal(target.received(), result.requests.total);
    // The offered rate times the share of the plan served (judge/served-rate.ts): never more than the answers per planned send.
    const plan = result.requests.total + checks.unsentPlanned! + checks.owedSends!;
    assert.ok(result.servedRps! > 0 && result.servedRps! <= (200 * result.requests.total) / plan + 1e-9, `served ${result.servedRps} req/s of a plan of ${plan}`);
    // The server answers on the test's own event loop: its delays, like the generator's, add to p50.
    assert.ok(Math.abs(result.latency.p50! - 10) <= 1 + 2 * sendLag!.p50, `p50 ${result.latency.p50} ms, send lag p50 ${sendLag!.p50} ms`);
    // Valid exactly when the load was held and p50 to p99 are all trusted (issue 9; judge/trust.ts).
    assert.equal(result.validity.valid, result.validity.loadHeld && trustedThrough(result.validity.trust!, VALID_THROUGH), JSON.stringify(result.validity.reasons));
    const p99 = result.validity.trust!.find((f) => f.figure === 'p99')!;
    if (p99.lagMs > p99.limitMs) assert.equal(result.validity.valid, false, 'a lag that reaches p99 voids the run');
  });

  it('constant rate (wrk2): a 500 ms stall shows in the corrected p99 but not in the uncorrected one', async () => {
    const target = await server({ delayMs: 10, stalls: [{ atMs: 1500, forMs: 500 }] });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '100', connections: '2', duration: '5s' }));
    assert.ok(result.latency.p99! >= 250, `corrected p99 ${result.latency.p99} ms should show the stall`);
    // Counted from the actual send, the stall hides; only the generator's own delays (on a busy machine) remain.
    const lag = result.validity.sendLag!;
    assert.ok(result.latencyUncorrected!.p99! < 50 + lag.p999, `uncorrected p99 ${result.latencyUncorrected!.p99} ms should hide it (send lag p99.9 ${lag.p999} ms)`);
    assert.ok(result.latency.max! >= 450 && result.latencyUncorrected!.max! >= 450, 'both see the stalled requests themselves');
  });

  it('labench: a tick with no free client is counted as missed and makes the run invalid', async () => {
    const target = await server({ delayMs: 50 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'labench', rate: '100', clients: '2', duration: '2s' }));
    const ticks = result.requests.total + result.requests.missed!;
    assert.ok(result.requests.missed! > 50, `missed ${result.requests.missed}`);
    assert.ok(Math.abs(ticks - 200) <= 2, `${ticks} ticks in 2 s at 100/s`);
    assert.equal(result.validity.valid, false);
    assert.match(result.validity.reasons.join(' '), /found every client busy/);
  });

  it('labench with enough clients keeps every tick and is valid', async () => {
    const target = await server({ delayMs: 5 });
    // 16 clients: a tick waits for a free one only if the server (on the test's busy event loop) takes 160 ms.
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'labench', rate: '100', clients: '16', duration: '2s' }));
    assert.equal(result.requests.missed, 0);
    assert.equal(result.requests.total, 200);
    // LaBench's timely share is reported; how many ticks were late is the machine's to say (the send lag shows it).
    assert.ok(result.validity.checks.timelyTicks! > 0 && result.validity.checks.timelyTicks! <= 1);
  });

  it('counts HTTP statuses, resets and timeouts each as such', async () => {
    const target = await server({ delayMs: 1, statusEvery: [{ every: 10, status: 503 }, { every: 7, status: 404 }], resetEvery: 13, hangEvery: 29 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk', connections: '4', duration: '2s', timeout: '300ms' }));
    const { byKind, byStatus } = result.errors;
    assert.ok(byStatus['503']! > 0 && byStatus['404']! > 0, JSON.stringify(byStatus));
    assert.equal(byKind.http_status, byStatus['503']! + byStatus['404']!);
    assert.ok(byKind.connection_reset > 0, 'resets');
    assert.ok(byKind.timeout > 0, 'timeouts');
    assert.equal(result.requests.errors, Object.values(byKind).reduce((a, b) => a + b, 0));
    assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
    assert.equal(target.received(), result.requests.total);
  });

  it('refuses to start against a closed port with a clear TargetError', async () => {
    const target = await server({});
    await target.close();
    await assert.rejects(runBuiltin(settingsFor({ url: target.url, duration: '1s' })), (error: unknown) => {
      assert.ok(error instanceof TargetError);
      assert.match(error.message, /^cannot connect to 127\.0\.0\.1:\d+: connection refused/);
      return true;
    });
  });

  it('stops early on abort and returns what it measured, marked partial', async () => {
    const target = await server({ delayMs: 5 });
    const aborter = new AbortController();
    setTimeout(() => aborter.abort(), 1200);
    const started = Date.now();
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '100', connections: '2', duration: '30s' }), { signal: aborter.signal });
    assert.ok(Date.now() - started < 5000, 'returned promptly');
    assert.match(result.partial ?? '', /interrupted/);
    assert.ok(result.measuredSeconds > 0.5 && result.measuredSeconds < 2, `${result.measuredSeconds} s`);
    // 100 req/s for as long as it measured (a busy machine starts the workers later, so the abort comes sooner).
    const expected = 100 * result.measuredSeconds;
    assert.ok(result.requests.total >= expected - 10 && result.requests.total <= expected + 2, `${result.requests.total} requests in ${result.measuredSeconds} s`);
  });

  it('publishes a per-second timeline', async () => {
    const target = await server({ delayMs: 2 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '50', connections: '2', duration: '3s' }));
    assert.ok(result.timeline.length >= 3);
    for (const point of result.timeline.slice(0, 3)) {
      assert.ok(Math.abs(point.requests - 50) <= 2, `second ${point.t}: ${point.requests}`);
      assert.ok(point.p50! > 1 && point.p99! >= point.p50!);
    }
    assert.equal(result.timeline.reduce((sum, point) => sum + point.requests, 0), result.requests.total);
  });
});

describe('builtin engine requests', () => {
  it('sends the method, headers and every payload line in rotation', async () => {
    const seen: { method: string; header: string | undefined; body: string }[] = [];
    const http = await import('node:http');
    const target = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method!, header: request.headers['x-model'] as string | undefined, body });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const { port } = target.address() as import('node:net').AddressInfo;
    try {
      const settings = settingsFor({ url: `http://127.0.0.1:${port}/score`, method: 'PUT', payload: '{"data": [[1]]}', tool: 'wrk2', rate: '60', duration: '1s' });
      const lines = ['{"data": [[1]]}', '{"data": [[2]]}', '{"data": [[3]]}'];
      const result = await runBuiltin({ ...settings, headers: { ...settings.headers, 'X-Model': 'blue' }, payload: { bodies: lines, origin: 'test' } });
      assert.equal(result.requests.ok, seen.length);
      assert.ok(seen.every((request) => request.method === 'PUT' && request.header === 'blue'));
      assert.deepEqual(seen.slice(0, 6).map((request) => request.body), [...lines, ...lines]);
    } finally {
      target.closeAllConnections();
      target.close();
    }
  });

  it('counts connections refused after the target goes down mid-run', async () => {
    const target = await server({ delayMs: 1 });
    // Down once it has answered 50 (a busy machine may start the workers late: a fixed time would not do).
    const watch = setInterval(() => {
      if (target.received() < 50) return;
      clearInterval(watch);
      void target.close();
    }, 5);
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '100', connections: '2', duration: '2s' }));
    clearInterval(watch);
    assert.ok(result.requests.ok > 40, `${result.requests.ok} ok`);
    assert.ok(result.errors.byKind.connect_refused > 50, JSON.stringify(result.errors.byKind));
    assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
  });
});

describe('builtin engine over https', () => {
  it('profiles a TLS endpoint with --insecure, and refuses its self-signed certificate without it', async () => {
    const { startTlsServer } = await import('../../support/tls-server.js');
    const target = await startTlsServer();
    try {
      const settings = settingsFor({ url: target.url, tool: 'wrk', connections: '2', duration: '1s' });
      await assert.rejects(runBuiltin(settings), /^TargetError: cannot connect to 127\.0\.0\.1:\d+: self[- ]signed certificate/);
      const result = await runBuiltin({ ...settings, insecure: true });
      assert.ok(result.requests.ok > 20, `${result.requests.ok} ok`);
      assert.equal(result.requests.errors, 0);
      assert.equal(target.received(), result.requests.total);
    } finally {
      await target.close();
    }
  });
});

describe('builtin engine at the edges of the window', () => {
  it('counts sends a busy connection owed at the end, and a hung request does not stretch the window', async () => {
    const target = await server({ delayMs: 1, hangEvery: 20 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '200', connections: '4', duration: '2s', timeout: '3s' }));
    assert.match(result.validity.warnings.join(' '), /planned sends inside the window were never sent/);
    assert.ok(result.measuredSeconds < 2.5, `window ${result.measuredSeconds} s`);
    assert.ok(result.errors.byKind.timeout > 0);
    assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
  });

  it("a target that never answers, with a warm-up: the warm-up's sends that held the window are counted, and the target is blamed", async () => {
    const target = await server({ hangEvery: 1 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '10', connections: '2', warmup: '0.5s', duration: '1s', timeout: '0.7s' }));
    assert.deepEqual(result.requests, { total: 0, ok: 0, errors: 0 });
    const carried = result.warmup.carried!;
    // The first sends time out inside the window; the sends after them may too, in the drain.
    assert.ok(carried.ok === 0 && carried.failed >= 2 && carried.timedOut === carried.failed, JSON.stringify(carried));
    assert.match(result.validity.reasons.join(' '), /^no send planned in the measured window was answered: its connections were busy all window with \d+ sends planned in the warm-up \(0 answered/);
  });

  it('stopped during the warm-up: the warm-up as it ran, and no rate to fall short of', async () => {
    const target = await server({ delayMs: 1 });
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk2', rate: '50', connections: '2', warmup: '30s', duration: '1s' }), { signal: stopOnceReceived(target, 5) });
    assert.ok(result.warmup.seconds > 0 && result.warmup.seconds < 30, `${result.warmup.seconds} s`);
    assert.equal(result.requests.total, 0);
    assert.equal(result.servedRps, undefined);
    assert.deepEqual(result.validity.reasons, ['the run was stopped during the warm-up: nothing was measured; run it again past its warm-up (or with a shorter --warmup)']);
    assert.doesNotMatch(result.validity.warnings.join(' '), /answered too slowly/);
  });

  it('counts a request cut off by Ctrl-C once, as interrupted', async () => {
    const target = await server({ delayMs: 3000 });
    // Once the three requests are in flight, however long the workers took to start on a busy machine.
    const result = await runBuiltin(settingsFor({ url: target.url, tool: 'wrk', connections: '3', duration: '10s' }), { signal: stopOnceReceived(target, 3) });
    assert.deepEqual(result.requests, { total: 3, ok: 0, errors: 3 });
    assert.equal(result.errors.byKind.interrupted, 3);
    assert.equal(target.received(), 3);
  });
});

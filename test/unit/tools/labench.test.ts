import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { SettingsError, ToolError } from '../../../src/core/errors.js';
import type { RunResult } from '../../../src/record/result.js';
import { buildReport } from '../../../src/report/build-report.js';
import { formatSummary } from '../../../src/report/console.js';
import { buildLabenchConfig, goDuration } from '../../../src/tools/labench-config.js';
import { labenchAdapter, labenchErrorKind, labenchRunResult, parseLabenchOutput, parsePercentileFile } from '../../../src/tools/labench.js';
import { parseToolOutput } from '../../../src/tools/tool-outcome.js';
import { judgeTarget } from '../../../src/judge/target-outcome.js';
import { EXIT, exitCodeForVerdict } from '../../../src/cli/exit-codes.js';
import { externalSettings } from '../../support/external-settings.js';
import { finishedFromFixture, fixtureCounts, fixtureText } from '../../support/tool-fixtures.js';
import { assertClearToolError, garbled, testDamagedOutputs, withoutLines, type Alteration } from '../../support/tool-mutations.js';
import type { ServerCounts } from '../../support/scoring-server.js';

/** The settings the fixtures were captured with (see test/fixtures/README.md). */
const captured = externalSettings({ tool: 'labench', rate: 100, clients: 4, durationSec: 5, timeoutSec: 1 });

function resultOf(folder: string): RunResult {
  const output = parseLabenchOutput(fixtureText(`labench/${folder}/stdout.txt`), fixtureText(`labench/${folder}/res.hgrm`));
  return labenchRunResult(output, { settings: captured, engineVersion: 'labench test', startTime: new Date(0), endTime: new Date(5000), artifacts: [] });
}

describe('LaBench config', () => {
  const outFile = '/tmp/run/labench-res.hgrm';

  test('durations are Go duration strings, the timeout is explicit, the request is complete', () => {
    const settings = externalSettings({
      tool: 'labench',
      url: new URL('http://127.0.0.1:8080/score?model=abc'),
      rate: 100,
      clients: 8,
      durationSec: 5,
      timeoutSec: 2,
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer k$y', 'X-Route': 'a$b' },
      payload: { bodies: ['{"data": "it\'s: a \\"body\\""}'], origin: '--payload' },
    });
    const text = buildLabenchConfig(settings, outFile);
    assert.match(text, /^Duration: 5s$/m, 'a bare integer would be read as nanoseconds');
    assert.match(text, /^RequestTimeout: 2s$/m);
    assert.deepEqual(parse(text), {
      RequestRatePerSec: 100,
      Clients: 8,
      Duration: '5s',
      RequestTimeout: '2s',
      ReuseConnections: true,
      OutputJSON: true,
      Protocol: 'HTTP/1.1',
      OutFile: outFile,
      Request: {
        URL: 'http://127.0.0.1:8080/score?model=abc',
        HTTPMethod: 'POST',
        ExpectedHTTPStatusCode: 200,
        // LaBench expands $VAR in headers: a secret is read from a variable the adapter sets, and a
        // literal $ goes through a variable the adapter sets to "$".
        Headers: { 'Content-Type': 'application/json', Authorization: '${MODELPROF_SECRET_0}', 'X-Route': 'a${MODELPROF_DOLLAR}b' },
        Body: '{"data": "it\'s: a \\"body\\""}',
      },
    });
  });

  const durations: [number, string][] = [
    [5, '5s'],
    [300, '300s'],
    [2.5, '2500ms'],
    [0.25, '250ms'],
    [0.0005, '0.5ms'],
  ];
  for (const [seconds, text] of durations) test(`goDuration(${seconds}) is "${text}"`, () => assert.equal(goDuration(seconds), text));

  const refusals: [string, Parameters<typeof externalSettings>[0]][] = [
    ['several payload lines (LaBench sends one body)', { payload: { bodies: ['a', 'b'], origin: 'payload.txt' } }],
    ['a Host header (LaBench fails every such request)', { headers: { host: 'example' } }],
    ['a fractional rate', { rate: 12.5 }],
    ['skipping TLS checks', { url: new URL('https://127.0.0.1:8443/score'), insecure: true }],
    ['a key in the URL\'s query (it would be written into the config)', { url: new URL('http://127.0.0.1:8080/score?code=abc') }],
  ];
  for (const [name, overrides] of refusals) {
    test(`refuses ${name}, before looking for LaBench`, async () => {
      const settings = externalSettings({ tool: 'labench', ...overrides });
      assert.throws(() => buildLabenchConfig(settings, outFile), SettingsError);
      await assert.rejects(labenchAdapter.run(settings, { runDir: settings.outputDir }), SettingsError);
    });
  }
});

describe('parseLabenchOutput on real LaBench output (test/fixtures/labench)', () => {
  const cases: [string, (result: RunResult, counts: ServerCounts) => void][] = [
    [
      'plain',
      (result, counts) => {
        assert.equal(result.requests.ok, counts.s200);
        // Bucket upper edges, from the .hgrm rows at 0.5 and at 0.990625 (the first listed at or above 0.99).
        assert.equal(result.latency.p50, 3.145727);
        assert.equal(result.latency.p99, 5.767167);
        assert.equal(result.latency.max, 13.631487);
        assert.equal(result.latency.mean, undefined);
        assert.equal(result.validity.valid, true);
        assert.equal(result.validity.checks.timelyTicks, 1);
        assert.equal(result.validity.checks.timelySends, 1);
      },
    ],
    [
      'errors',
      (result, counts) => {
        assert.deepEqual(result.errors.byStatus, { '400': counts.s400, '503': counts.s503 });
        assert.equal(result.errors.byKind.http_status, counts.s400 + counts.s503);
        assert.equal(result.requests.ok, counts.s200);
      },
    ],
    [
      'timeouts',
      (result, counts) => {
        assert.equal(result.errors.byKind.timeout, counts.slow);
        assert.equal(result.requests.ok, counts.s200);
      },
    ],
    [
      'resets',
      (result, counts) => {
        assert.equal(result.errors.byKind.connection_reset, counts.reset);
        assert.equal(result.requests.ok, counts.s200);
      },
    ],
  ];
  for (const [folder, check] of cases) {
    test(folder, () => {
      const result = resultOf(folder);
      const counts = fixtureCounts(`labench/${folder}`);
      assert.equal(result.requests.total, counts.received);
      assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
      assert.equal(result.requests.missed, 0);
      assert.equal(result.validity.checks.targetRps, 100);
      check(result, counts);
    });
  }

  test("LaBench's limits reach the console: bucket width (with the percentiles it makes equal), no warm-up, uncorrected latency", () => {
    const result = resultOf('plain');
    const limits = result.limits ?? [];
    assert.ok(limits.some((limit) => limit.startsWith('LaBench has no warm-up phase')));
    assert.ok(limits.some((limit) => limit.includes('from the actual send (not the tick): it is uncorrected')));
    const bucket = limits.find((limit) => limit.startsWith("LaBench's histogram has ~0.52 ms buckets"))!;
    const latency = result.latency;
    const equal = (['p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'p9999'] as const).filter((key, i, keys) => i > 0 && latency[key] === latency[keys[i - 1]!]);
    if (equal.length > 0) assert.match(bucket, /percentiles closer than that show one value \(p[\d.]+ = p/);
    const summary = formatSummary(buildReport(captured, result));
    for (const limit of limits) assert.ok(summary.includes(`  ~ ${limit}`), `the console lacks "${limit}"`);
  });

  test('refused: every request a connect_refused error, no latency; the target failed, not the generator (TARGET ERROR, never "did not deliver the load")', () => {
    const result = resultOf('refused');
    assert.equal(result.errors.byKind.connect_refused, 500);
    assert.equal(result.requests.ok, 0);
    assert.deepEqual(result.latency, {}, 'the all-zero percentile file is not a latency');
    // Every tick found a client and every send left on time: LaBench delivered the 100 req/s it was asked for.
    assert.equal(result.validity.loadHeld, true, result.validity.reasons.join('; '));
    assert.ok(Math.abs((result.validity.checks.achievedRps ?? 0) - 100) < 0.01, `sent ${result.validity.checks.achievedRps} req/s`);
    const report = buildReport(captured, result);
    assert.equal(judgeTarget(report).noSuccess, true);
    assert.equal(exitCodeForVerdict(report), EXIT.toolError);
    assert.match(formatSummary(report), /^TARGET ERROR: none of 500 requests succeeded: no HTTP answer at all: 500 refused/m);
    assert.doesNotMatch(formatSummary(report), /did not deliver the load/);
  });

  // LaBench prints its ticks line as its workers finish, and its ticker goroutine stores the counts
  // only after closing their channel: on a busy machine the line can read all zeros (seen in the
  // server-counts e2e). The JSON has the counts; the line is the fixture's, so only the race differs.
  for (const folder of ['plain', 'errors']) {
    test(`${folder}: a ticks line printed before LaBench's ticker stored its counts reads the ticks from the JSON`, () => {
      const stdout = fixtureText(`labench/${folder}/stdout.txt`);
      const raced = stdout.replace(/^Ticks=.*$/m, 'Ticks=0, TimelyTicks = 0, MissedTicks = 0, NaN% good');
      assert.notEqual(raced, stdout);
      const hgrm = fixtureText(`labench/${folder}/res.hgrm`);
      assert.deepEqual(parseLabenchOutput(raced, hgrm).ticks, parseLabenchOutput(stdout, hgrm).ticks);
    });
  }

  test('output without the JSON line (OutputJSON false) is refused', () => {
    assertClearToolError(() => parseLabenchOutput(fixtureText('labench/plain-text/stdout.txt'), fixtureText('labench/plain-text/res.hgrm')), 'labench');
  });

  test("LaBench's own failure (bad config) is a ToolError quoting its first line", () => {
    const finished = finishedFromFixture('labench', 'labench/bad-config', captured);
    assert.throws(
      () => parseToolOutput(finished, () => parseLabenchOutput(finished.outcome.stdout, '')),
      (error: unknown) => error instanceof ToolError && error.message.startsWith('labench exited with code 2: "2026/11/24 00:03:39 RequestRate must be positive"'),
    );
  });

  const kinds: [string, string][] = [
    ['Expected 200 got 503', 'http_status'],
    ['Post "http://h/score": dial tcp 127.0.0.1:27402: connect: connection refused', 'connect_refused'],
    ['Post "http://h/score": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', 'timeout'],
    ['Post "http://h/score": net/http: timeout awaiting response headers (Client.Timeout exceeded while awaiting headers)', 'timeout'],
    ['Post "http://h/score": EOF', 'connection_reset'],
    ['Post "http://h/score": read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer', 'connection_reset'],
    ['Post "http://h/score": dial tcp: lookup nowhere: no such host', 'connect_error'],
    ['Post "http://h/score": net/http: HTTP/1.x transport connection broken: malformed HTTP response "x"', 'protocol'],
    ['Post "http://h/score": net/http: HTTP/1.x transport connection broken: http: message cannot contain multiple Content-Length headers; got ["14" "20"]', 'protocol'],
    ['Post "http://h/score": net/http: HTTP/1.x transport connection broken: unsupported transfer encoding: "gzip"', 'protocol'],
    ['Post "http://h/score": http: server closed idle connection', 'reuse_race'],
    ['something new', 'other'],
  ];
  for (const [text, kind] of kinds) test(`"${text.slice(0, 50)}…" is ${kind}`, () => assert.equal(labenchErrorKind(text).kind, kind));
});

describe('truncated and altered LaBench output is a clear ToolError', () => {
  const stdoutAlterations: Alteration[] = [
    ['garbled Ticks line', (text) => garbled(text, /^Ticks=/)],
    ['garbled Sends line', (text) => garbled(text, /^Sends=/)],
    ['garbled JSON line', (text) => garbled(text, /^Json Output/)],
    ['garbled summary line', (text) => garbled(text, /^\{SuccessRate/)],
    ['garbled metrics row', (text) => garbled(text, /^\| Total Requests/)],
    ['success count changed in the JSON', (text) => text.replace(/"SuccessTotal":(\d+)/, (_, n: string) => `"SuccessTotal":${Number(n) - 1}`)],
    ['timely ticks changed', (text) => text.replace(/TimelyTicks = (\d+)/, (_, n: string) => `TimelyTicks = ${Number(n) - 1}`)],
    ['JSON line dropped', (text) => withoutLines(text, (line) => line.startsWith('Json Output'))],
    ['an extra line at the end', (text) => `${text}extra\n`],
  ];
  const errorAlterations: Alteration[] = [
    ['garbled Errors row', (text) => garbled(text, /^\d+ = /)],
    ['an error count changed in the list', (text) => text.replace(/^(\d+) = /m, (_, n: string) => `${Number(n) + 1} = `)],
    ['error table dropped', (text) => text.slice(0, text.lastIndexOf('\n\n+'))],
  ];
  for (const folder of ['plain', 'errors', 'timeouts', 'resets']) {
    const stdout = fixtureText(`labench/${folder}/stdout.txt`);
    const hgrm = fixtureText(`labench/${folder}/res.hgrm`);
    const alterations = [...stdoutAlterations, ...(folder === 'plain' ? [] : errorAlterations)];
    testDamagedOutputs(`${folder} stdout`, stdout, alterations, (text) => parseLabenchOutput(text, hgrm), 'labench');
    testDamagedOutputs(`${folder} res.hgrm`, hgrm, [], (text) => parseLabenchOutput(stdout, text), 'labench');
    test(`${folder} res.hgrm: garbled row, rows out of order, +Inf row dropped`, () => {
      assertClearToolError(() => parsePercentileFile(garbled(hgrm, /^\d+\.\d+\s+0\.500000/)), 'labench');
      assertClearToolError(() => parsePercentileFile(hgrm.replace(/^(\S+)(\s+0\.500000)/m, '99.000000$2')), 'labench');
      assertClearToolError(() => parsePercentileFile(withoutLines(hgrm, (line) => line.endsWith('+Inf'))), 'labench');
    });
  }
});

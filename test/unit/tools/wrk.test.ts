import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SettingsError, TargetError } from '../../../src/core/errors.js';
import { OutputLines } from '../../../src/tools/output-lines.js';
import { parseToolOutput } from '../../../src/tools/tool-outcome.js';
import { buildWrkScript, luaString } from '../../../src/tools/wrk-lua.js';
import { agreesWithShownTime, readWrkDistribution, readWrkHeader, readWrkThreadStats, readWrkTotals, wrkTimeMs } from '../../../src/tools/wrk-text.js';
import { parseWrkDoneOutput, wrkAdapter, wrkArguments, wrkRunResult } from '../../../src/tools/wrk.js';
import { externalSettings, runFolder } from '../../support/external-settings.js';
import { finishedFromFixture, fixtureCounts, fixtureText } from '../../support/tool-fixtures.js';
import { assertClearToolError, garbled, testDamagedOutputs, type Alteration } from '../../support/tool-mutations.js';

const CONNECTIONS = 4;
const facts = { settings: externalSettings(), engineVersion: 'wrk test', startTime: new Date(0), endTime: new Date(5000), artifacts: [] };

describe('parseWrkDoneOutput on real wrk 4.1.0 output (test/fixtures/wrk/modelprof-*)', () => {
  // Server counts include requests wrk sent but stopped waiting for at the end: at most one per connection.
  const cases = [
    {
      mode: 'plain',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        assert.equal(result.requests.errors, 0);
        assert.ok(counts.s200 - result.requests.ok >= 0 && counts.s200 - result.requests.ok <= CONNECTIONS);
      },
    },
    {
      mode: 'errors',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        assert.equal(result.errors.byStatus['400'], counts.s400);
        assert.equal(result.errors.byStatus['503'], counts.s503);
        assert.equal(result.errors.byKind.http_status, counts.s400 + counts.s503);
        assert.ok(counts.s200 - result.requests.ok <= CONNECTIONS);
      },
    },
    {
      mode: 'timeouts',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        // Four answers came after the 1 s timeout: wrk counts them as requests and as timeouts.
        assert.equal(result.errors.byKind.timeout, 4);
        assert.equal(result.requests.ok, counts.s200);
        assert.ok(result.latency.max! < 1000, 'no latency recorded for late answers');
      },
    },
    {
      mode: 'resets',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        assert.equal(result.errors.byKind.connection_reset, counts.reset);
        assert.equal(result.requests.total, result.requests.ok + counts.reset);
      },
    },
    {
      // A server answering after 1 s: wrk prints "1.02s " (a one-letter unit padded to two).
      mode: 'slow',
      check: (result: ReturnType<typeof wrkRunResult>, counts: ReturnType<typeof fixtureCounts>) => {
        assert.equal(result.requests.ok, 20);
        assert.ok(result.latency.p50! >= 1000 && result.latency.p50! < 1100, `p50 ${result.latency.p50}`);
        // The ten requests in flight when wrk stopped reached the server; wrk leaves them out, and says so.
        assert.equal(counts.received - result.requests.total, 10);
        assert.ok(result.limits?.includes('10 requests were still in flight when wrk stopped; wrk does not wait for them, so they are not counted.'));
      },
    },
  ];
  for (const { mode, check } of cases) {
    test(mode, () => {
      const folder = `wrk/modelprof-${mode}`;
      const output = parseWrkDoneOutput(fixtureText(`${folder}/stdout.txt`));
      const result = wrkRunResult(output, facts);
      const counts = fixtureCounts(folder);
      assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
      // The server also counts what was in flight when wrk stopped: at most one request per connection.
      const unanswered = counts.received - result.requests.total;
      assert.ok(unanswered >= 0 && unanswered <= output.connections, `server ${counts.received}, wrk ${result.requests.total}`);
      assert.ok(result.latency.p50! > 0 && result.latency.p50! <= result.latency.p99!);
      assert.deepEqual(result.timeline, []);
      check(result, counts);
    });
  }

  test('wrk output without modelprof\'s done() line (the shared post.lua captures) is refused', () => {
    for (const mode of ['plain', 'errors', 'done-hook']) assertClearToolError(() => parseWrkDoneOutput(fixtureText(`wrk/${mode}/stdout.txt`)), 'wrk');
  });

  test('a refused target (exit 1, "unable to connect") is a TargetError quoting wrk', () => {
    for (const folder of ['wrk/refused', 'wrk/modelprof-refused']) {
      const finished = finishedFromFixture('wrk', folder, facts.settings);
      assert.throws(
        () => parseToolOutput(finished, () => parseWrkDoneOutput(finished.outcome.stdout)),
        (error: unknown) => error instanceof TargetError && error.message.startsWith('wrk exited with code 1: "unable to connect to 127.0.0.1:9 Connection refused"'),
      );
    }
  });

  test('the text summary reader agrees with the server on the shared captures', () => {
    const read = (mode: string) => {
      const lines = new OutputLines('wrk', 'stdout', fixtureText(`wrk/${mode}/stdout.txt`));
      readWrkHeader(lines);
      readWrkThreadStats(lines);
      readWrkDistribution(lines);
      return readWrkTotals(lines);
    };
    const errors = fixtureCounts('wrk/errors');
    assert.equal(read('errors').statusErrors, errors.s503 + errors.s400);
    assert.equal(read('resets').socketErrors.read, fixtureCounts('wrk/resets').reset);
    assert.equal(read('timeouts').socketErrors.timeout, 4);
    assert.equal(read('plain').requests, 8519);
  });
});

/**
 * A time as wrk prints it in a table cell: format_time_us (units.c: us, ms below a second, then s,
 * m; a unit moves up at 0.85 of the next) in print_units, which pads the unit to two letters.
 */
function wrkCell(us: number, width: number): string {
  let amount = us;
  let units = ['us', 'ms'];
  if (us >= 1e6) {
    amount = us / 1e6;
    units = ['s', 'm'];
  }
  const scale = units[0] === 'us' ? 1000 : 60;
  let unit = units[0]!;
  if (amount >= scale * 0.85) {
    amount /= scale;
    unit = units[1]!;
  }
  const text = `${amount.toFixed(2)}${unit}`;
  const pad = 2 - (unit.length);
  return `${text.padStart(width - pad)}${' '.repeat(pad)}`;
}

describe("every unit and width wrk prints in its Latency Distribution (us, ms, s, m; h is read too)", () => {
  const rows: [number, string, number][] = [
    [420, '420.00us', 0.42],
    [849, '849.00us', 0.849],
    [850, '0.85ms', 0.85],
    [2440, '2.44ms', 2.44],
    [999_990, '999.99ms', 999.99],
    [1_020_000, '1.02s', 1020],
    [50_000_000, '50.00s', 50_000],
    [51_000_000, '0.85m', 51_000],
    [90_000_000, '1.50m', 90_000],
    [7_200_000_000, '120.00m', 7_200_000],
  ];
  for (const [us, shown, ms] of rows) {
    test(`${shown} (${us} us)`, () => {
      const cell = wrkCell(us, 10);
      assert.equal(cell.trim(), shown);
      const lines = new OutputLines('wrk', 'stdout', ['  Latency Distribution', ...['50', '75', '90', '99'].map((p) => `${p.padStart(7)}%${cell}`), ''].join('\n'));
      const read = readWrkDistribution(lines);
      assert.deepEqual(read.map((row) => row.shown), [shown, shown, shown, shown]);
      assert.ok(Math.abs(wrkTimeMs(shown)! - ms) < 1e-9);
      assert.ok(agreesWithShownTime(us / 1000, shown));
    });
  }
  test('h, listed in units.c though never reached, reads as hours', () => assert.equal(wrkTimeMs('2.00h '), 7_200_000));
  test('a row that is not a time is refused', () => {
    const lines = new OutputLines('wrk', 'stdout', ['  Latency Distribution', '     50%    1.00x ', '     75%    1.00s ', '     90%    1.00s ', '     99%    1.00s '].join('\n'));
    assertClearToolError(() => readWrkDistribution(lines), 'wrk');
  });
});

describe('truncated and altered wrk output is a clear ToolError', () => {
  const alterations: Alteration[] = [
    ['garbled request count', (text) => garbled(text, /requests in/)],
    ['garbled JSON line', (text) => garbled(text, /^MODELPROF_WRK_RESULT/)],
    ['garbled 50% row', (text) => garbled(text, /^\s+50%/)],
    ['garbled Thread Stats', (text) => garbled(text, /^\s+Latency\s/)],
    ['garbled Requests/sec', (text) => garbled(text, /^Requests\/sec/)],
    ['request count changed in the JSON', (text) => text.replace(/"requests":(\d+)/, (_, n: string) => `"requests":${Number(n) + 1}`)],
    ['a status count raised', (text) => text.replace(/"200":(\d+)/, (_, n: string) => `"200":${Number(n) + 1}`)],
    ['no request() call counted', (text) => text.replace(/"sent":(\d+)/, '"sent":0')],
    ['more close-delimited answers than answers', (text) => text.replace(/"endsAtClose":(\d+)/, '"endsAtClose":99999')],
    ['p50 changed in the JSON', (text) => text.replace(/"p50":(\d+)/, (_, n: string) => `"p50":${Number(n) + 500}`)],
    ['max changed in the JSON', (text) => text.replace(/"max":(\d+)/, (_, n: string) => `"max":${Number(n) * 2}`)],
    ['a socket error count changed', (text) => text.replace(/"read":(\d+)/, (_, n: string) => `"read":${Number(n) + 3}`)],
  ];
  for (const mode of ['plain', 'errors', 'resets']) {
    testDamagedOutputs(mode, fixtureText(`wrk/modelprof-${mode}/stdout.txt`), alterations, parseWrkDoneOutput, 'wrk');
  }
  test('an extra line after the JSON', () => assertClearToolError(() => parseWrkDoneOutput(`${fixtureText('wrk/modelprof-plain/stdout.txt')}oops\n`), 'wrk'));
});

describe('the generated Lua script', () => {
  const literals: [string, string][] = [
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['two\nlines\r\n', '"two\\010lines\\013\\010"'],
    ['tab\tend', '"tab\\009end"'],
    ['café', '"caf\\195\\169"'],
    [']]--[[', '"]]--[["'],
    ['\u0000', '"\\000"'],
  ];
  for (const [text, literal] of literals) test(`luaString(${JSON.stringify(text)})`, () => assert.equal(luaString(text), literal));

  test('one body is formatted once; several rotate in request(), which counts every send; the query stays off the command line', () => {
    const single = externalSettings({ url: new URL('http://127.0.0.1:8080/score?code=SECRETCODE') });
    const script = buildWrkScript(single, 'summary');
    assert.match(script, /^wrk\.body = /m);
    assert.match(script, /^ {2}modelprof_requests\[1\] = wrk\.format\(\)$/m);
    assert.match(script, /^function request\(\)\n {2}modelprof_sent = modelprof_sent \+ 1$/m);
    // wrk2 (wrk 4.0.0) copies tables between threads with keys and values swapped: none crosses.
    assert.doesNotMatch(script, /thread:get\("modelprof_statuses"\)/);
    // A query with a key is read from the environment, so the script holds no key.
    assert.match(script, /^wrk\.path = os\.getenv\("MODELPROF_REQUEST_TARGET"\)$/m);
    assert.ok(!script.includes('SECRETCODE'));
    assert.match(buildWrkScript(externalSettings({ url: new URL('http://127.0.0.1:8080/score?model=a') }), 'summary'), /^wrk\.path = "\/score\?model=a"$/m);
    const args = wrkArguments(single, '/tmp/script.lua');
    assert.equal(args.at(-1), 'http://127.0.0.1:8080/score');
    assert.ok(!args.join(' ').includes('SECRETCODE'));

    const several = buildWrkScript(externalSettings({ payload: { bodies: ['a', 'b', 'c'], origin: 'file' } }), 'statuses');
    assert.match(several, /^function request\(\)/m);
    assert.doesNotMatch(several, /"latencyUs"/);
  });

  test('host and content-length headers take the names wrk.format checks', () => {
    const script = buildWrkScript(externalSettings({ headers: { host: 'example', 'content-length': '3' } }), 'summary');
    assert.match(script, /wrk\.headers\["Host"\] = "example"/);
    assert.match(script, /wrk\.headers\["Content-Length"\] = "3"/);
  });
});

describe('settings wrk cannot express are refused before anything runs', () => {
  const cases: [string, Parameters<typeof externalSettings>[0]][] = [
    ['a fractional duration', { durationSec: 2.5 }],
    ['a sub-second timeout', { timeoutSec: 0.5 }],
    ['connections not a multiple of threads', { connections: 5, threads: 2 }],
    ['a URL with a password', { url: new URL('http://user:pw@127.0.0.1:9/score') }],
    ['HEAD, whose answers wrk reads as if a body followed', { method: 'HEAD', payload: { bodies: [], origin: 'none' } }],
  ];
  for (const [name, overrides] of cases) {
    test(name, async () => {
      const settings = externalSettings(overrides);
      assert.throws(() => wrkArguments(settings, 'script.lua'), SettingsError);
      await assert.rejects(wrkAdapter.run(settings, { runDir: runFolder() }), SettingsError);
    });
  }
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SettingsError, TargetError, ToolError } from '../../../src/core/errors.js';
import type { RunResult } from '../../../src/record/result.js';
import { parseToolOutput } from '../../../src/tools/tool-outcome.js';
import { parseWrk2Output, parseWrk2Text, wrk2Arguments, wrk2DurationWarning, wrk2Latency, wrk2RunResult } from '../../../src/tools/wrk2.js';
import { externalSettings } from '../../support/external-settings.js';
import { finishedFromFixture, fixtureCounts, fixtureText } from '../../support/tool-fixtures.js';
import { assertClearToolError, garbled, testDamagedOutputs, withoutLines, type Alteration } from '../../support/tool-mutations.js';
import type { ServerCounts } from '../../support/scoring-server.js';

/** The settings the fixtures were captured with (see test/fixtures/README.md). */
function capturedSettings(folder: string) {
  const twoThreads = folder.endsWith('two-threads');
  return externalSettings({
    tool: 'wrk2',
    durationSec: 15,
    rate: twoThreads ? 400 : 200,
    threads: twoThreads ? 2 : 1,
    connections: twoThreads ? 8 : 4,
    timeoutSec: folder.endsWith('timeouts') ? 1 : 10,
  });
}

function resultOf(mode: string): RunResult {
  const output = parseWrk2Output(fixtureText(`wrk2/modelprof-${mode}/stdout.txt`));
  return wrk2RunResult(output, { settings: capturedSettings(mode), engineVersion: 'wrk2 test', startTime: new Date(0), endTime: new Date(15_000), artifacts: [] });
}

describe("wrk2's own text (the shared captures, run with post.lua): latency from both spectra", () => {
  test('plain: corrected from the spectrum\'s 0.500000 row, p99 from wrk2\'s own 99.000% row, uncorrected likewise', () => {
    const text = parseWrk2Text(fixtureText('wrk2/plain/stdout.txt'));
    const latency = wrk2Latency(text.corrected);
    assert.equal(latency.p50, 3.053);
    assert.equal(latency.p99, 4.911);
    assert.equal(latency.max, 8.216);
    assert.equal(wrk2Latency(text.uncorrected).p50, 2.227);
    assert.equal(text.requests, fixtureCounts('wrk2/plain').received);
  });
  test('timeouts: late answers are in the spectra', () => {
    const text = parseWrk2Text(fixtureText('wrk2/timeouts/stdout.txt'));
    assert.equal(wrk2Latency(text.corrected).p50, 5140.479);
    assert.equal(wrk2Latency(text.uncorrected).max, 3002.368);
  });
  test('two threads print two calibration lines', () => {
    assert.equal(parseWrk2Text(fixtureText('wrk2/two-threads/stdout.txt')).calibrations.length, 2);
  });
  test("without modelprof's done() line the output is refused: the counts would be guesses", () => {
    for (const folder of ['plain', 'errors', 'resets']) assertClearToolError(() => parseWrk2Output(fixtureText(`wrk2/${folder}/stdout.txt`)), 'wrk2');
  });
  test("wrk2's own failures: no -R is a ToolError quoting it, a refused target a TargetError", () => {
    const noRate = finishedFromFixture('wrk2', 'wrk2/no-rate', capturedSettings('no-rate'));
    assert.throws(
      () => parseToolOutput(noRate, () => parseWrk2Output(noRate.outcome.stdout)),
      (error: unknown) => error instanceof ToolError && /^wrk2 exited with code 1: "Throughput MUST be specified with the --rate or -R option"/.test(error.message),
    );
    const refused = finishedFromFixture('wrk2', 'wrk2/refused', capturedSettings('refused'));
    assert.throws(() => parseToolOutput(refused, () => parseWrk2Output(refused.outcome.stdout)), TargetError);
  });
});

describe("parseWrk2Output on real wrk2 runs of modelprof's script (test/fixtures/wrk2/modelprof-*): counts agree with the server", () => {
  const cases: [string, (result: RunResult, counts: ServerCounts) => void][] = [
    [
      'plain',
      (result, counts) => {
        assert.equal(result.requests.ok, counts.s200);
        assert.equal(result.validity.valid, true);
        assert.deepEqual(result.validity.warnings, [wrk2DurationWarning(15)]);
        assert.ok(result.warmup.requests > 1900 && result.warmup.seconds === 10.02);
      },
    ],
    [
      'errors',
      (result, counts) => {
        assert.deepEqual(result.errors.byStatus, { '400': counts.s400, '503': counts.s503 });
        assert.equal(result.errors.byKind.http_status, counts.s503 + counts.s400);
        assert.equal(result.requests.ok, counts.s200);
      },
    ],
    [
      'two-threads',
      (result, counts) => {
        assert.deepEqual(result.errors.byStatus, { '400': counts.s400, '503': counts.s503 });
        assert.equal(result.requests.ok, counts.s200);
        assert.equal(result.validity.checks.targetRps, 400);
      },
    ],
    [
      'timeouts',
      (result, counts) => {
        // wrk2's "timeout 15" counts connections at its 2 s checks; the late answers themselves are answers, with their latency.
        assert.equal(result.errors.byKind.timeout, 0);
        assert.ok(result.notes.some((note) => note.startsWith('wrk2 reported 15 timeouts: connections found waiting')));
        assert.equal(result.requests.ok, counts.s200 + counts.slow);
        assert.ok(result.validity.warnings.some((warning) => warning.startsWith('wrk2 achieved 125.8 req/s of the 200 req/s target')));
      },
    ],
    [
      'resets',
      (result, counts) => {
        // wrk2 (wrk 4.0.0) ignores a close before any byte of an answer: the four dropped requests hung their
        // connections to the end, where wrk2 leaves them out. Every answer came during calibration.
        assert.equal(result.requests.total, counts.s200);
        assert.equal(counts.received - result.requests.total, counts.reset);
        assert.ok(result.limits?.includes('4 requests were still in flight when wrk2 stopped; wrk2 does not wait for them, so they are not counted.'));
        assert.deepEqual(result.latency, {});
        assert.equal(result.validity.valid, false);
      },
    ],
  ];
  for (const [mode, check] of cases) {
    test(mode, () => {
      const result = resultOf(mode);
      const counts = fixtureCounts(`wrk2/modelprof-${mode}`);
      assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
      const unanswered = counts.received - result.requests.total;
      assert.ok(unanswered >= 0 && unanswered <= capturedSettings(mode).connections, `server ${counts.received}, wrk2 ${result.requests.total}`);
      assert.deepEqual(result.timeline, []);
      assert.ok(result.limits?.some((limit) => limit.startsWith('wrk2 calibrates for its first ~10 s')));
      check(result, counts);
    });
  }
});

describe('truncated and altered wrk2 output is a clear ToolError', () => {
  const alterations: Alteration[] = [
    ['garbled request count', (text) => garbled(text, /requests in/)],
    ['garbled calibration line', (text) => garbled(text, /Thread calibration/)],
    ['garbled spectrum row', (text) => garbled(text, /^\s+\d+\.\d{3}\s+0\.500000/)],
    ['garbled 99% row', (text) => garbled(text, /^ 99\.000%/)],
    ['garbled Max line', (text) => garbled(text, /^#\[Max/)],
    ['garbled Mean line', (text) => garbled(text, /^#\[Mean/)],
    ['garbled Requests/sec', (text) => garbled(text, /^Requests\/sec/)],
    ['request count changed', (text) => text.replace(/^ {2}(\d+) requests in/m, (_, n: string) => `  ${Number(n) + 100} requests in`)],
    ['spectrum total changed', (text) => text.replace(/Total count\s+=\s+(\d+)/, (match, n: string) => match.replace(n, String(Number(n) + 1)))],
    [
      'corrected spectrum dropped',
      (text) => {
        let inSpectrum = false;
        let done = false;
        return withoutLines(text, (line) => {
          if (!done && /^\s+Value\s+Percentile/.test(line)) inSpectrum = true;
          if (inSpectrum && /^#\[Mean/.test(line)) {
            inSpectrum = false;
            done = true;
          }
          return inSpectrum && /^\s+\d/.test(line);
        });
      },
    ],
    ['99% row moved out of its spectrum range', (text) => text.replace(/^ 99\.000%\s+(\S+)/m, ' 99.000%    0.01ms')],
    ['an extra line at the end', (text) => `${text}extra\n`],
    ['the done() line dropped', (text) => withoutLines(text, (line) => line.startsWith('MODELPROF_WRK_RESULT'))],
  ];
  for (const folder of ['plain', 'errors', 'two-threads', 'timeouts']) {
    testDamagedOutputs(folder, fixtureText(`wrk2/modelprof-${folder}/stdout.txt`), alterations, parseWrk2Output, 'wrk2');
  }
  test('a status count changed in the done() line', () => {
    const original = fixtureText('wrk2/modelprof-errors/stdout.txt');
    assert.deepEqual(parseWrk2Output(original).script.statuses, { '400': 60, '200': 2790, '503': 150 });
    assertClearToolError(() => parseWrk2Output(original.replace('"503":150', '"503":151')), 'wrk2');
    assertClearToolError(() => parseWrk2Output(original.replace('"threads":1', '"threads":2')), 'wrk2');
  });
});

describe('wrk2 arguments', () => {
  test('rate, corrected and uncorrected latency; whole seconds and a whole rate only', () => {
    const args = wrk2Arguments(externalSettings({ tool: 'wrk2', rate: 250, durationSec: 30 }), 'script.lua');
    assert.deepEqual(args.slice(8, 13), ['--rate', '250', '--latency', '--u_latency', '--script']);
    assert.throws(() => wrk2Arguments(externalSettings({ tool: 'wrk2', rate: 12.5 }), 'script.lua'), SettingsError);
    assert.throws(() => wrk2Arguments(externalSettings({ tool: 'wrk2', durationSec: 20.5 }), 'script.lua'), SettingsError);
  });
  test('a DURATION too short for calibration is warned about', () => {
    assert.equal(wrk2DurationWarning(30), undefined);
    assert.match(wrk2DurationWarning(15)!, /only about 5 s of latency/);
    assert.match(wrk2DurationWarning(8)!, /ends before its ~10 s calibration/);
  });
});

import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SettingsError, TargetError, ToolError } from '../../src/errors.js';
import type { RunResult } from '../../src/record/result.js';
import { discoverWrkFamily } from '../../src/tools/discovery.js';
import { parseToolOutput } from '../../src/tools/tool-outcome.js';
import { parseWrk2Output, wrk2Adapter, wrk2Arguments, wrk2DurationWarning, wrk2RunResult } from '../../src/tools/wrk2.js';
import { externalSettings, runFolder } from './external-settings.js';
import { finishedFromFixture, fixtureCounts, fixtureText, programAvailable } from './fixtures.js';
import { assertClearToolError, garbled, testDamagedOutputs, withoutLines, type Alteration } from './mutations.js';
import { startScoringServer, type ServerCounts } from './scoring-server.js';

/** The settings the fixtures were captured with (see test/fixtures/README.md). */
function capturedSettings(folder: string) {
  const twoThreads = folder === 'two-threads';
  return externalSettings({
    tool: 'wrk2',
    durationSec: 15,
    rate: twoThreads ? 400 : 200,
    threads: twoThreads ? 2 : 1,
    connections: twoThreads ? 8 : 4,
    timeoutSec: folder === 'timeouts' ? 1 : 10,
  });
}

function resultOf(folder: string): RunResult {
  const output = parseWrk2Output(fixtureText(`wrk2/${folder}/stdout.txt`));
  return wrk2RunResult(output, { settings: capturedSettings(folder), engineVersion: 'wrk2 test', startTime: new Date(0), endTime: new Date(15_000), artifacts: [] });
}

describe('parseWrk2Output on real wrk2 output (test/fixtures/wrk2)', () => {
  const cases: [string, (result: RunResult, counts: ServerCounts) => void][] = [
    [
      'plain',
      (result, counts) => {
        assert.equal(result.requests.total, counts.received);
        assert.equal(result.requests.ok, counts.s200);
        // Corrected from the spectrum's 0.500000 row, uncorrected likewise; p99 is wrk2's own 99.000% row.
        assert.equal(result.latency.p50, 3.053);
        assert.equal(result.latency.p99, 4.911);
        assert.equal(result.latency.max, 8.216);
        assert.equal(result.latencyUncorrected?.p50, 2.227);
        assert.deepEqual(result.warmup, { seconds: 10.02, requests: 3000 - 995 });
        assert.equal(result.validity.valid, true);
        assert.deepEqual(result.validity.warnings, [wrk2DurationWarning(15)]);
      },
    ],
    [
      'errors',
      (result, counts) => {
        assert.equal(result.requests.total, counts.received);
        assert.equal(result.errors.byKind.http_status, counts.s503 + counts.s400);
        assert.equal(result.requests.ok, counts.s200);
        // The captured script printed no per-status counts, so none are invented.
        assert.deepEqual(result.errors.byStatus, {});
        assert.ok(result.notes.some((note) => note.includes('no per-status counts')));
      },
    ],
    [
      'two-threads',
      (result, counts) => {
        assert.equal(result.requests.total, counts.received);
        assert.equal(result.errors.byKind.http_status, counts.s503 + counts.s400);
        assert.equal(result.requests.ok, counts.s200);
        assert.equal(result.validity.checks.targetRps, 400);
      },
    ],
    [
      'timeouts',
      (result, counts) => {
        // 3 requests were still unanswered when wrk2 stopped; 15 late answers are counted as answers.
        assert.equal(result.requests.total, counts.received - 3);
        assert.equal(result.errors.byKind.timeout, 15);
        assert.equal(result.requests.ok, counts.s200);
        assert.equal(result.validity.valid, true);
        assert.ok(result.validity.warnings.some((warning) => warning.startsWith('wrk2 achieved 123.7 req/s of the 200 req/s target')));
        assert.equal(result.latency.p50, 5140.479);
        assert.equal(result.latencyUncorrected?.max, 3002.368);
      },
    ],
    [
      'resets',
      (result, counts) => {
        // The reset connections never recovered: every answer came during calibration, none after.
        assert.equal(result.requests.total, counts.s200);
        assert.deepEqual(result.latency, {});
        assert.equal(result.validity.valid, false);
        // wrk2's 11 "timeouts" count stuck connections at its 2 s checks, not requests (see the README).
        assert.equal(result.errors.byKind.timeout, 11);
        assert.equal(result.requests.ok, counts.s200 - 11);
      },
    ],
  ];
  for (const [folder, check] of cases) {
    test(folder, () => {
      const result = resultOf(folder);
      assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
      assert.deepEqual(result.timeline, []);
      assert.ok(result.notes.some((note) => note.startsWith('wrk2 calibrates for its first ~10 s')));
      check(result, fixtureCounts(`wrk2/${folder}`));
    });
  }

  test('two threads print two calibration lines', () => {
    assert.equal(parseWrk2Output(fixtureText('wrk2/two-threads/stdout.txt')).calibrations.length, 2);
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
  ];
  for (const folder of ['plain', 'errors', 'two-threads', 'timeouts']) {
    testDamagedOutputs(folder, fixtureText(`wrk2/${folder}/stdout.txt`), alterations, parseWrk2Output, 'wrk2');
  }
  test('non-2xx count changed in the done() line', () => {
    const original = fixtureText('wrk2/errors/stdout.txt');
    const withStatuses = `${original}MODELPROF_WRK_RESULT {"threads":1,"requests":3001,"statuses":{"200":2790,"503":150,"400":61}}\n`;
    assert.deepEqual(parseWrk2Output(withStatuses).statuses, { '200': 2790, '503': 150, '400': 61 });
    assertClearToolError(() => parseWrk2Output(withStatuses.replace('"503":150', '"503":151')), 'wrk2');
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

describe('the wrk2 adapter', () => {
  test('writes a private script, passes the rate, keeps the output and reads it (stand-in wrk2 replaying a capture)', async () => {
    // wrk2 cannot be built here: this stand-in answers wrk2's argument checks and prints a real capture.
    const folder = runFolder();
    const capture = fileURLToPath(new URL('../../../test/fixtures/wrk2/errors/stdout.txt', import.meta.url));
    const script = [
      '#!/bin/sh',
      'case " $* " in *" -v "*) echo "wrk 4.0.0 [epoll] Copyright (C) 2012 Will Glozer"; exit 1 ;; esac',
      `case " $* " in *" --rate "*) printf '%s\\n' "$@" > "${join(folder, 'args.txt')}"; cat "${capture}"; exit 0 ;; esac`,
      'echo "Throughput MUST be specified with the --rate or -R option" >&2',
      'exit 1',
      '',
    ].join('\n');
    writeFileSync(join(folder, 'wrk'), script, { mode: 0o755 });
    const settings = externalSettings({
      ...capturedSettings('errors'),
      url: new URL('http://127.0.0.1:27401/score?code=k3y'),
      headers: { Authorization: 'Bearer s3cr3t' },
      toolPath: folder,
    });
    const result = await wrk2Adapter.run(settings, { runDir: settings.outputDir });
    assert.equal(result.engineVersion, 'wrk2 4.0.0');
    assert.equal(result.requests.total, 3001);
    assert.deepEqual(result.artifacts.sort(), ['wrk2-command.txt', 'wrk2-script.lua', 'wrk2-stderr.txt', 'wrk2-stdout.txt']);
    const args = readFileSync(join(folder, 'args.txt'), 'utf8').split('\n');
    assert.deepEqual(args.slice(8, 12), ['--rate', '200', '--latency', '--u_latency']);
    assert.equal(args[14], 'http://127.0.0.1:27401/score');
    assert.ok(!args.join(' ').includes('s3cr3t') && !args.join(' ').includes('k3y'));
    const scriptPath = join(settings.outputDir, 'wrk2-script.lua');
    assert.equal(statSync(scriptPath).mode & 0o777, 0o600);
    assert.match(readFileSync(scriptPath, 'utf8'), /wrk\.headers\["Authorization"\] = "Bearer s3cr3t"/);
  });
});

describe('wrk2, run for real when it is on PATH', () => {
  test('counts agree with the server', async (t) => {
    // CI cannot build wrk2, so a missing wrk2 is a skip there too.
    if (!programAvailable(t, await discoverWrkFamily('wrk2'), false)) return;
    const server = await startScoringServer({ mode: 'errors' });
    try {
      const settings = externalSettings({ tool: 'wrk2', url: new URL(server.url), durationSec: 12, rate: 100, connections: 4 });
      const result = await wrk2Adapter.run(settings, { runDir: settings.outputDir });
      assert.ok(server.counts.received - result.requests.total <= 4);
      assert.ok(result.latency.p50! > 0);
      assert.ok(result.warmup.seconds >= 10);
      assert.equal(result.errors.byStatus['503'], server.counts.s503);
    } finally {
      await server.close();
    }
  });
});

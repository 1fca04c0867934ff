import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  checkSla,
  compare,
  ERROR_CODES,
  findMax,
  mergeReports,
  ModelprofError,
  profile,
  readReport,
  renderHtml,
  SettingsError,
  sweep,
  type ProfileOptions,
} from '../../../src/index.js';
import { syntheticReport } from '../../support/sample-reports.js';

/** A port nothing listens on: these calls must fail on their options before any connection. */
const NOWHERE = 'http://127.0.0.1:9/score';

/** Runs `call` with the console and process.exit replaced, and says what it tried to do with them. */
async function quietly(call: () => Promise<unknown>): Promise<{ printed: string[]; exited: boolean; error: unknown }> {
  const printed: string[] = [];
  let exited = false;
  const saved = { out: process.stdout.write, err: process.stderr.write, exit: process.exit };
  process.stdout.write = ((chunk: string) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => printed.push(String(chunk)) > 0) as typeof process.stderr.write;
  process.exit = ((): never => {
    exited = true;
    throw new Error('process.exit called');
  }) as typeof process.exit;
  try {
    await call();
    return { printed, exited, error: undefined };
  } catch (error) {
    return { printed, exited, error };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.exit = saved.exit;
  }
}

describe('library: bad options are typed errors with a stable code, thrown before anything is sent', () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['no target', () => profile({ rate: 10 }), /^no target: set --url/],
    ['a negative rate', () => profile({ url: NOWHERE, rate: -1 }), /^options\.rate must be a number greater than 0, got "-1"$/],
    ['an unknown tool', () => profile({ url: NOWHERE, tool: 'ab' as ProfileOptions['tool'] }), /^options\.tool must be one of wrk, wrk2, labench, got "ab"$/],
    ['a bad duration', () => profile({ url: NOWHERE, duration: 'soon' }), /^options\.duration must be a duration like 30, 30s/],
    ['a bad SLA', () => profile({ url: NOWHERE, sla: 'p99 fast' }), /^options\.sla clause "p99 fast"/],
    ['find-max without an SLA', () => findMax({ url: NOWHERE } as Parameters<typeof findMax>[0]), /^options\.sla is required/],
    ['find-max with a fixed rate', () => findMax({ url: NOWHERE, sla: 'p99<=1s', rate: 5 } as Parameters<typeof findMax>[0]), /^options\.rate: find-max searches the rate itself/],
    ['find-max on a closed loop', () => findMax({ url: NOWHERE, sla: 'p99<=1s', tool: 'wrk' }), /^options\.tool wrk is a closed loop/],
    ['find-max with a factor of 1', () => findMax({ url: NOWHERE, sla: 'p99<=1s', factor: 1 }), /^options\.factor must be greater than 1/],
    ['a sweep without a file', () => sweep({} as Parameters<typeof sweep>[0]), /^options\.file must name a sweep file/],
  ];
  for (const [name, call, message] of cases) {
    test(name, async () => {
      const { printed, exited, error } = await quietly(call);
      assert.ok(error instanceof SettingsError, String(error));
      assert.ok(error instanceof ModelprofError);
      assert.equal(error.code, ERROR_CODES.settings);
      assert.equal(error.code, 'MODELPROF_ERR_SETTINGS');
      assert.match(error.message, message);
      assert.deepEqual(printed, [], 'a library call prints nothing');
      assert.equal(exited, false, 'a library call never exits the process');
    });
  }
});

describe('library: reports in, judgements out', () => {
  const baseline = syntheticReport({ seed: 1, medianMs: 10 });
  const slower = syntheticReport({ seed: 2, medianMs: 15 });

  test('compare takes tolerances as the CLI writes them, and finds a 50% slower p50', () => {
    const comparison = compare(baseline, slower, 'p50=10%');
    assert.equal(comparison.regression, true);
    assert.equal(comparison.metrics.find((metric) => metric.metric === 'p50')?.verdict, 'regression');
    assert.equal(compare(baseline, baseline).regression, false);
  });

  test('checkSla and renderHtml judge a report without printing', () => {
    assert.equal(checkSla(baseline, 'p50<=100ms').pass, true);
    assert.equal(checkSla(slower, 'p50<=1ms').pass, false);
    const page = renderHtml(baseline, 'p50<=100ms');
    assert.match(page, /^<!doctype html>/i);
    assert.match(page, /p50/);
  });

  test('readReport reads a report.json and refuses a file that is not one, with the settings code', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'modelprof-library-'));
    writeFileSync(join(folder, 'report.json'), JSON.stringify(baseline));
    writeFileSync(join(folder, 'other.json'), '{"hello": 1}');
    assert.deepEqual(await readReport(join(folder, 'report.json')), JSON.parse(JSON.stringify(baseline)));
    await assert.rejects(readReport(join(folder, 'other.json')), (error: unknown) => error instanceof SettingsError && error.code === ERROR_CODES.settings && /not a modelprof report: no schemaVersion/.test(error.message));
  });

  test('mergeReports refuses reports that are not shards of one run', () => {
    assert.throws(() => mergeReports([baseline, slower]), (error: unknown) => error instanceof SettingsError && error.code === ERROR_CODES.settings);
  });
});

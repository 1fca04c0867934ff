import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, exitCodeForComparison } from '../../../src/cli/exit-codes.js';
import { SettingsError } from '../../../src/core/errors.js';
import { compareReports } from '../../../src/judge/compare.js';
import { type Comparison, type MetricComparison } from '../../../src/judge/comparison.js';
import { parseTolerances } from '../../../src/judge/tolerances.js';
import { comparisonOutcome, formatComparison } from '../../../src/report/comparison-format.js';
import { renderComparisonJunit } from '../../../src/report/junit.js';
import type { Report } from '../../../src/report/report.js';
import { sampleResources, syntheticReport } from '../../support/sample-reports.js';

function metric(comparison: Comparison, name: string): MetricComparison {
  const found = comparison.metrics.find((m) => m.metric === name);
  assert.ok(found, `${name} in the comparison`);
  return found;
}

const names = { baseline: 'baseline.json', current: 'current.json' };

describe('parseTolerances', () => {
  const valid: [string, Record<string, unknown>][] = [
    ['p99=10%', { p99: { kind: 'relative', value: 0.1, text: '10%' } }],
    ['p99=5ms, p50=0.5s', { p99: { kind: 'absolute', value: 5, text: '5ms' }, p50: { kind: 'absolute', value: 500, text: '0.5s' } }],
    ['p99.9=25%', { p999: { kind: 'relative', value: 0.25, text: '25%' } }],
    ['error_rate=0.5%', { error_rate: { kind: 'absolute', value: 0.005, text: '0.5%' } }],
    ['rps=50', { rps: { kind: 'absolute', value: 50, text: '50' } }],
    ['max=off, cpu.max=5%', { max: 'off', 'cpu.max': { kind: 'relative', value: 0.05, text: '5%' } }],
    ['query.q{a="1,2"}.max=5%', { 'query.q{a="1,2"}.max': { kind: 'relative', value: 0.05, text: '5%' } }],
  ];
  for (const [text, expected] of valid) {
    it(`parses "${text}"`, () => assert.deepEqual(parseTolerances(text), expected));
  }

  const invalid: [string, RegExp][] = [
    ['p99', /--max-regression "p99": expected <metric>=<tolerance>/],
    ['p99=ten', /expected a non-negative number with %, ms, s, us or rps, or "off"/],
    ['p99=5', /a latency tolerance is a % or a time \(ms, s, us\)/],
    ['error_rate=0.001', /error_rate's tolerance is in percentage points/],
    ['bogus=5%', /unknown metric "bogus"/],
    ['rps=5ms', /unit "ms" does not fit rps/],
  ];
  for (const [text, message] of invalid) {
    it(`rejects "${text}"`, () => {
      assert.throws(() => parseTolerances(text), (error: unknown) => error instanceof SettingsError && message.test(error.message));
    });
  }
});

describe('compareReports on histograms', () => {
  const baseline = syntheticReport({ seed: 1, medianMs: 10, seconds: 20, rps: 200 });

  it('two runs of the same service are not a regression', () => {
    const again = syntheticReport({ seed: 2, medianMs: 10, seconds: 20, rps: 200 });
    const comparison = compareReports(baseline, again);
    assert.equal(comparison.regression, false);
    assert.equal(exitCodeForComparison(comparison), EXIT.ok);
    for (const name of ['p50', 'p90', 'p99', 'mean']) {
      const row = metric(comparison, name);
      assert.equal(row.verdict, 'ok', row.message);
      assert.ok(row.noise && row.noise.low < 0 && row.noise.high > 0, `${name}: the noise interval holds no change (${row.message})`);
    }
  });

  it('10 ms -> 15 ms is a regression beyond noise on every latency metric', () => {
    const slower = syntheticReport({ seed: 2, medianMs: 15, seconds: 20, rps: 200 });
    const comparison = compareReports(baseline, slower);
    assert.equal(comparison.regression, true);
    assert.equal(exitCodeForComparison(comparison), EXIT.slaFailed);
    for (const name of ['p50', 'p90', 'p99', 'mean']) {
      const row = metric(comparison, name);
      assert.equal(row.verdict, 'regression', row.message);
      assert.ok(row.relative! > 0.4 && row.relative! < 0.6, `${name} +${row.relative}`);
      assert.equal(row.noise?.method, 'histogram-bootstrap');
      assert.ok(row.noise!.low > 0.3, `${name}: the interval excludes no change (${row.message})`);
    }
    assert.equal(metric(comparison, 'rps').verdict, 'ok', 'constant rate: throughput unchanged');
    assert.match(metric(comparison, 'p99').message, /^p99 [\d.]+ ms -> [\d.]+ ms \(\+[\d.]+ ms, \+[\d.]+%\), over the 10% tolerance \(99% CI \+[\d.]+%\.\.\+[\d.]+%\)$/);
  });

  it('15 ms -> 10 ms is an improvement and passes', () => {
    const slow = syntheticReport({ seed: 3, medianMs: 15, seconds: 20, rps: 200 });
    const comparison = compareReports(slow, baseline);
    assert.equal(comparison.regression, false);
    assert.equal(metric(comparison, 'p50').verdict, 'improvement');
  });

  it('a change over the tolerance but inside the noise of a small sample is not a regression', () => {
    // 60 requests a run: the p50s differ by 20% by chance, the bootstrap interval spans zero.
    const small = (seed: number) => syntheticReport({ seed, medianMs: 10, sigma: 0.5, seconds: 5, rps: 12 });
    const comparison = compareReports(small(4), small(104));
    const p50 = metric(comparison, 'p50');
    assert.ok(p50.relative! > 0.1, `p50 changed ${p50.relative}`);
    assert.equal(p50.verdict, 'within-noise', p50.message);
    assert.match(p50.message, /is over the 10% tolerance but within noise/);
    assert.equal(comparison.regression, false);
  });

  it('gives the same answer every time (fixed bootstrap seed)', () => {
    const other = syntheticReport({ seed: 9, medianMs: 11, seconds: 5, rps: 50 });
    assert.deepEqual(compareReports(baseline, other), compareReports(baseline, other));
  });

  it('judges absolute tolerances and turns gating off on request', () => {
    const slower = syntheticReport({ seed: 2, medianMs: 15, seconds: 20, rps: 200 });
    const loose = compareReports(baseline, slower, parseTolerances('p50=20ms,p90=20ms,p99=20ms,mean=off'));
    assert.equal(loose.regression, false);
    assert.equal(metric(loose, 'p99').verdict, 'ok');
    assert.equal(metric(loose, 'mean').verdict, 'info');
    const tight = compareReports(baseline, slower, parseTolerances('p50=1ms'));
    assert.equal(metric(tight, 'p50').verdict, 'regression');
  });

  it('gates p999 and uncorrected percentiles only when asked', () => {
    const a = syntheticReport({ seed: 1, medianMs: 10, seconds: 10, uncorrected: true });
    const b = syntheticReport({ seed: 2, medianMs: 14, seconds: 10, uncorrected: true });
    assert.equal(metric(compareReports(a, b), 'p999').verdict, 'info');
    const asked = compareReports(a, b, parseTolerances('p999=10%,uncorrected.p99=10%'));
    assert.equal(metric(asked, 'p999').verdict, 'regression');
    assert.equal(metric(asked, 'uncorrected.p99').verdict, 'regression');
  });
});

describe('compareReports on throughput, errors, resources and validity', () => {
  it('a throughput drop is a regression (lower is worse)', () => {
    const a = syntheticReport({ seed: 1, rps: 200, seconds: 10 });
    const b = syntheticReport({ seed: 2, rps: 150, seconds: 10 });
    const row = metric(compareReports(a, b), 'rps');
    assert.equal(row.direction, 'lower-is-worse');
    assert.equal(row.verdict, 'regression', row.message);
  });

  it('a rise in the error rate beyond 0.1 percentage point is a regression', () => {
    const a = syntheticReport({ seed: 1, seconds: 10 });
    const b = syntheticReport({ seed: 2, seconds: 10, errorEvery: 50 });
    const row = metric(compareReports(a, b), 'error_rate');
    assert.equal(row.verdict, 'regression', row.message);
    assert.equal(row.noise?.method, 'timeline-bootstrap');
    assert.match(formatComparison(compareReports(a, b), names), /error_rate\s+0%\s+2%\s+\+2 pp/);
  });

  it('reports a requested metric that a report lacks as a failure, and leaves out defaults neither has', () => {
    const a = syntheticReport({ seed: 1, seconds: 5 });
    const b = syntheticReport({ seed: 2, seconds: 5, resources: sampleResources(5) });
    const comparison = compareReports(a, b, parseTolerances('cpu.max=10%'));
    const cpu = metric(comparison, 'cpu.max');
    assert.equal(cpu.verdict, 'missing');
    assert.equal(cpu.failed, true);
    assert.match(cpu.message, /not comparable \(baseline: no monitor metric "cpu"/);
    assert.equal(exitCodeForComparison(comparison), EXIT.slaFailed);
    assert.ok(!comparison.metrics.some((m) => m.metric.startsWith('uncorrected')));
  });

  it('compares monitor metrics when both reports have them', () => {
    const a = syntheticReport({ seed: 1, seconds: 5, resources: sampleResources(5) });
    const b = syntheticReport({ seed: 2, seconds: 5, resources: sampleResources(5) });
    const row = metric(compareReports(a, b, parseTolerances('process.rss_bytes.max=5%')), 'process.rss_bytes.max');
    assert.equal(row.verdict, 'ok');
    assert.equal(row.resourceUnit, 'bytes');
  });

  it("gives no verdict (exit 3) when either run's generator did not deliver the load, and judges no row", () => {
    const valid = syntheticReport({ seed: 1, seconds: 5 });
    const invalid = syntheticReport({ seed: 2, seconds: 5, medianMs: 30, valid: false });
    for (const [a, b, which] of [
      [valid, invalid, 'current'],
      [invalid, valid, 'baseline'],
    ] as const) {
      const comparison = compareReports(a, b);
      assert.equal(exitCodeForComparison(comparison), EXIT.runInvalid);
      assert.match(comparison.invalid[0]!, new RegExp(`^${which} run: the generator did not deliver the load: only 62% of sends`));
      assert.equal(comparison.verdict, 'no-verdict');
      assert.ok(comparison.metrics.every((m) => !m.failed && m.verdict !== 'regression'), 'no row says REGRESSION when the result gives no verdict');
      assert.match(formatComparison(comparison, names), new RegExp(`result: no verdict: ${which} run: the generator did not deliver the load`));
    }
  });

  it('names every setting that differs, and gives raw deltas without histograms', () => {
    const a = syntheticReport({ seed: 1, seconds: 5 });
    const b = { ...syntheticReport({ seed: 2, seconds: 6 }) };
    b.settings = { ...b.settings, warmupSec: 5, timeoutSec: 2, headers: { 'x-api-version': '2' }, payload: { origin: 'other.txt', lines: 5 } };
    delete b.histogram;
    const comparison = compareReports(a, b);
    assert.equal(
      comparison.notes[0],
      `settings differ: headers: authorization: <redacted>; content-type: application/json -> x-api-version: 2, payload: payload.jsonl -> other.txt, payload lines: 3 -> 5, duration: 5s -> 6s, warmup: 2s -> 5s, timeout: 10s -> 2s`,
    );
    assert.match(comparison.notes[1]!, /latency noise not estimated/);
    assert.equal(metric(comparison, 'p50').noise, undefined);
    assert.deepEqual(comparison.unlike, [], 'the same load: judged');
  });

  const unlike: [name: string, change: (r: Report) => void, reason: RegExp][] = [
    ['a different target rate (open loop)', (r) => (r.settings.rate = 200), /^not like with like: the offered load differs \(rate 50 -> 200\)/],
    ['a different load model', (r) => (r.tool = 'wrk'), /^not like with like: the load models differ \(tool wrk2 -> wrk\)/],
  ];
  for (const [name, change, reason] of unlike) {
    it(`gives no verdict, and flags no regression, for ${name}`, () => {
      const a = syntheticReport({ seed: 1, seconds: 5, rps: 50 });
      const b = structuredClone(syntheticReport({ seed: 2, seconds: 5, rps: 200, medianMs: 30 }));
      change(b);
      const comparison = compareReports(a, b);
      assert.match(comparison.unlike[0]!, reason);
      assert.equal(comparison.regression, false);
      assert.equal(metric(comparison, 'rps').verdict, 'not-comparable');
      assert.equal(metric(comparison, 'p99').verdict, 'not-comparable');
      assert.ok(comparison.metrics.every((m) => !m.failed));
      assert.equal(comparison.verdict, 'not-comparable');
      assert.match(comparisonOutcome(comparison), /^not comparable: the (offered load|load models) differ/);
    });
  }
});

describe('compareReports on figures a run does not trust: the SLA\'s rule', () => {
  // Every other send `lagMs` late: the generator's part in p50 (the lag's p75) is `lagMs`, untrusted beyond 5% of p50.
  const lagging = (seed: number, medianMs: number, lagMs: number): Report =>
    syntheticReport({ seed, seconds: 10, rps: 200, medianMs, sigma: 0.05, targetRps: 200, sendLag: (i) => (i % 2 === 0 ? lagMs : 0.02) });
  const quiet = (seed: number, medianMs: number): Report => syntheticReport({ seed, seconds: 10, rps: 200, medianMs, sigma: 0.05, targetRps: 200, sendLag: () => 0.02 });
  const cases: [name: string, baseline: () => Report, current: () => Report, verdict: string, exit: number, p50: string, says: RegExp][] = [
    ['10 ms -> 20 ms, the current run lagging 2 ms: a regression the lag cannot change (exit 1)', () => quiet(1, 10), () => lagging(2, 19, 2), 'regression', EXIT.slaFailed, 'regression', /over the 10% tolerance.*; the generator's own lag \(current's send lag \(p75 2 ms\)\) cannot change that$/],
    ['10.5 ms (1 ms of it lag) -> 11.2 ms: the lag could flip it, not judged (exit 3)', () => lagging(1, 10, 1), () => quiet(2, 11.2), 'not-judged', EXIT.runInvalid, 'not-judged', /within the 10% tolerance .*, but the generator's own lag \(baseline's send lag \(p75 1 ms\)\) could flip it: not judged$/],
    ['10 ms -> 10.3 ms (1 ms of it lag): no regression either way (exit 0)', () => quiet(1, 10), () => lagging(2, 9.7, 1), 'no-regression', EXIT.ok, 'ok', /within the 10% tolerance .*; the generator's own lag \(current's send lag \(p75 1 ms\)\) cannot change that$/],
  ];
  for (const [name, baseline, current, verdict, exit, p50, says] of cases) {
    it(name, () => {
      const comparison = compareReports(baseline(), current());
      const row = metric(comparison, 'p50');
      assert.equal(row.verdict, p50, row.message);
      assert.match(row.message, says);
      assert.equal(comparison.verdict, verdict, comparisonOutcome(comparison));
      assert.equal(exitCodeForComparison(comparison), exit);
      if (verdict === 'not-judged') {
        assert.match(comparisonOutcome(comparison), /^not judged: no regression on the figures the generator's lag cannot change, but p50: the generator's own lag \(baseline's send lag \(p75 1 ms\)\) could flip it/);
        assert.match(renderComparisonJunit(comparison), /<testcase classname="modelprof.compare" name="p50 within 10%" time="0">\n {6}<skipped type="NotTrusted"/);
        assert.match(renderComparisonJunit(comparison), /name="compare verdict" time="0">\n {6}<error type="NotJudged"/);
      }
      // The rows and the result line agree: REGRESSION rows exactly when the result is a regression.
      assert.equal(comparison.metrics.some((m) => m.verdict === 'regression'), verdict === 'regression');
    });
  }
});

describe('formatComparison', () => {
  const a = syntheticReport({ seed: 1, medianMs: 10, seconds: 10 });
  const b = syntheticReport({ seed: 2, medianMs: 15, seconds: 10 });
  const comparison = compareReports(a, b);

  it('prints an aligned table with the outcome', () => {
    const text = formatComparison(comparison, names);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'modelprof compare: baseline.json -> current.json');
    assert.match(lines[1]!, /^metric\s+baseline\s+current\s+change\s+noise \(99% CI\)\s+tolerance\s+verdict$/);
    assert.match(text, /\np50\s+[\d.]+ ms\s+[\d.]+ ms\s+\+[\d.]+ ms, \+[\d.]+%\s+\+[\d.]+%\.\.\+[\d.]+%\s+10%\s+REGRESSION\n/);
    assert.match(lines.at(-1)!, /^result: regression in p50, p90, p99, mean$/);
    const header = lines[1]!;
    assert.equal(lines[2]!.indexOf(' ', header.indexOf('baseline')) > header.indexOf('baseline'), true);
  });

  it('renders a Markdown table for job summaries', () => {
    const markdown = formatComparison(comparison, names, 'markdown');
    assert.match(markdown, /^### modelprof compare: regression in p50, p90, p99, mean\n/);
    assert.match(markdown, /\n\| metric \| baseline \| current \| change \| noise \(99% CI\) \| tolerance \| verdict \|\n\| --- \|( ---: \|){6}\n/);
    assert.match(markdown, /\n\| p99 \| [\d.]+ ms \| [\d.]+ ms \| .* \| REGRESSION \|\n/);
  });
});

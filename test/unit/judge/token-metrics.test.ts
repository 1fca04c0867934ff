import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { seededRandom } from '../../../src/core/seeded-random.js';
import { compareReports } from '../../../src/judge/compare.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import { parseTolerances } from '../../../src/judge/tolerances.js';
import { parseGoodput, formatGoodput } from '../../../src/record/goodput.js';
import { TokenRecorder } from '../../../src/record/token-recorder.js';
import { summarizeTokens } from '../../../src/record/token-summary.js';
import { formatSummary } from '../../../src/report/console.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/report.js';
import { syntheticReport } from '../../support/sample-reports.js';
import { assertValidReport } from '../../support/report-schema.js';

/** A report whose llm section holds 400 streamed answers: TTFT around `ttftMs`, 20 tokens each `gapMs` apart. */
function llmReport(ttftMs: number, gapMs: number, seed = 1): Report {
  const report = syntheticReport({ seed, uncorrected: true });
  const objectives = parseGoodput('ttft<=150ms');
  const recorder = new TokenRecorder(true, objectives);
  const random = seededRandom(seed);
  for (let index = 0; index < 400; index++) {
    const first = ttftMs * (0.5 + random());
    const times = Float64Array.from({ length: 20 }, (_, k) => first + k * gapMs * (0.9 + 0.2 * random()));
    recorder.record({ intendedMs: -2, sentMs: 0, endMs: times[19]!, tokenTimes: times, tokenEvents: 20, streamed: true, endedWithoutDone: false, completionTokens: 20, promptTokens: 8, plannedInputTokens: -1 });
  }
  report.llm = summarizeTokens(recorder.snapshot(), { api: 'openai-chat', measuredSeconds: report.measuredSeconds, requests: 400, objectives: formatGoodput(objectives) });
  return report;
}

describe('SLA clauses on token metrics', () => {
  const report = llmReport(100, 10);

  it('is a report.json the schema accepts', () => assertValidReport(report));

  it('prints the token figures in the console summary', () => {
    const text = formatSummary(report);
    assert.match(text, /LLM \(openai-chat\)  400 valid answers, 400 streamed/);
    assert.match(text, /tokens   out 8,000 \(20\/request, usage\), in 3,200 \(8\/request, usage\)/);
    assert.match(text, /\n  ttft uncorrected +\d/);
    assert.match(text, /goodput  ttft<=150ms: \d+(\.\d+)?% of requests met every objective/);
  });

  it('draws the token figures in the HTML report, with the bad answers kept', () => {
    const withSamples: Report = { ...report, errors: { ...report.errors, samples: [{ problem: 'error object: <overloaded>', status: 200, sample: '{"error":"<overloaded>"}' }] } };
    const page = renderHtmlReport(withSamples);
    assert.match(page, /<section id="llm"><h2>Tokens<\/h2>/);
    assert.match(page, /Token latency by percentile/);
    assert.match(page, /<th>ttft uncorrected<\/th>/);
    assert.match(page, /error object: &lt;overloaded&gt;/);
    assert.doesNotMatch(page, /<overloaded>/);
  });

  it('reads token percentiles, statistics, throughput and goodput', () => {
    const verdict = evaluateSla(parseSla('ttft.p99<=500ms, itl.p99<50ms, tpot.mean<=20ms, uncorrected.ttft.max<1s, e2e.p99.5<2s, output_tps>=1, goodput>=50%, goodput_rps>0'), report);
    assert.equal(verdict.pass, true, verdict.results.map((r) => r.message).join('\n'));
    const ttft = verdict.results[0]!;
    // TTFT counts from the planned send, 2 ms before the actual one: up to 150 + 2 ms.
    assert.ok(ttft.actual! > 140 && ttft.actual! <= 153, `ttft.p99 ${ttft.actual}`);
    assert.equal(verdict.results[6]!.actual, report.llm!.goodput!.share);
  });

  it('fails a clause the figures break, with the value in the message', () => {
    const [result] = evaluateSla(parseSla('ttft.p50<=10ms'), report).results;
    assert.equal(result!.pass, false);
    assert.match(result!.message, /ttft\.p50/);
  });

  it('names what is missing when the report has no token figures', () => {
    const plain = syntheticReport();
    const [result] = evaluateSla(parseSla('ttft.p99<=500ms'), plain).results;
    assert.equal(result!.pass, false);
    assert.match(result!.message, /--api openai-chat/);
  });

  const rejected: [string, RegExp][] = [
    ['uncorrected.itl.p99<1ms', /itl has no uncorrected figure/],
    ['ttft.p99<=500', /needs a time unit/],
    ['goodput>=0.9', /goodput needs a % unit/],
    ['ttft.p0<1ms', /unknown statistic "ttft.p0"/],
    ['output_tps>=100rps', /output tokens per second/],
  ];
  for (const [text, message] of rejected) {
    it(`rejects "${text}"`, () => {
      assert.throws(() => parseSla(text), (error: Error) => error instanceof SettingsError && message.test(error.message));
    });
  }
});

describe('compare on token metrics', () => {
  it('shows token metrics when both runs have them, and gates those given a tolerance', () => {
    const baseline = llmReport(100, 10, 1);
    const current = llmReport(160, 10, 2);
    const comparison = compareReports(baseline, current, parseTolerances('ttft.p99=10%, itl.p99=50%'));
    const ttft = comparison.metrics.find((m) => m.metric === 'ttft.p99')!;
    assert.equal(ttft.verdict, 'regression');
    assert.equal(comparison.metrics.find((m) => m.metric === 'itl.p99')!.failed, false);
    assert.equal(comparison.metrics.find((m) => m.metric === 'output_tps')!.verdict, 'info');
    assert.ok(ttft.noise, 'a bootstrap interval from the TTFT histograms');
    assert.equal(comparison.regression, true);
  });

  it('leaves token metrics out between runs without them', () => {
    const comparison = compareReports(syntheticReport({ seed: 1 }), syntheticReport({ seed: 2 }));
    assert.equal(comparison.metrics.some((m) => m.metric.startsWith('ttft')), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHistogram, encodeHistogram, summarizeHistogram } from '../../../src/record/histogram.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/report.js';
import { emptyTokenCounts } from '../../../src/record/token-recorder.js';
import { summarizeTokens, type LlmSection } from '../../../src/record/token-summary.js';
import { mergeReports, type SourcedReport } from '../../../src/scale/merge.js';
import { assertValidReport } from '../../support/report-schema.js';
import { histogramOf, RUN_SETTINGS, samples, shardReport, type Sample } from './shard-reports.js';

const START = Date.parse('2025-06-01T12:00:00.000Z');
const ALL = samples(20_000, 10, 7);

/** Deals `all` over `count` shards unevenly (shard k gets k+1 parts), as real shards never split evenly. */
function split(all: readonly Sample[], count: number): Sample[][] {
  const parts: Sample[][] = Array.from({ length: count }, () => []);
  const weights = parts.map((_, k) => k + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  all.forEach((sample, i) => {
    let slot = (i * 7919) % total;
    let k = 0;
    while (slot >= weights[k]!) slot -= weights[k++]!;
    parts[k]!.push(sample);
  });
  return parts;
}

/** Built once per count (recording and encoding 20,000 latencies is the slow part), then copied for each test to change. */
const built = new Map<number, Report[]>();

function shardsOf(count: number, change: (report: Report, index: number) => void = () => {}): SourcedReport[] {
  if (!built.has(count)) built.set(count, split(ALL, count).map((part, index) => shardReport({ index, count, samples: part, startMs: START + index * 3, errors: index })));
  return built.get(count)!.map((pristine, index) => {
    const report = structuredClone(pristine);
    change(report, index);
    return { source: `shard-${index}/report.json`, report };
  });
}

describe('mergeReports: exactness', () => {
  it('the merge of split histograms equals the histogram of all values, at every percentile', () => {
    const merged = mergeReports(shardsOf(4));
    const whole = histogramOf(ALL.map((s) => s.ms));
    const sum = decodeHistogram(merged.histogram!);
    assert.equal(sum.totalCount, whole.totalCount);
    for (let percent = 0; percent <= 100; percent += 0.25) {
      assert.equal(sum.getValueAtPercentile(percent), whole.getValueAtPercentile(percent), `p${percent}`);
    }
    for (const p of [99.9, 99.99, 99.999]) assert.equal(sum.getValueAtPercentile(p), whole.getValueAtPercentile(p));
    assert.deepEqual(merged.latency, summarizeHistogram(whole));
    assert.deepEqual(merged.latencyUncorrected, summarizeHistogram(histogramOf(ALL.map((s) => s.uncorrectedMs))));
    assertValidReport(merged);
  });

  it('sums counts and errors exactly, and rates count over the union of the windows', () => {
    const merged = mergeReports(shardsOf(3));
    assert.deepEqual(merged.requests, { total: ALL.length + 0 + 1 + 2, ok: ALL.length, errors: 3 });
    assert.equal(merged.errors.byKind.timeout, 3);
    assert.equal(merged.warmup.requests, 30);
    assert.equal(merged.warmup.carried, undefined);
    const carried = [{ ok: 0, failed: 2, timedOut: 2 }, undefined, { ok: 5, failed: 1, timedOut: 0, byStatus: { '503': 1 } }];
    const shards = shardsOf(3, (report, index) => {
      if (carried[index]) report.warmup.carried = carried[index];
    });
    assert.deepEqual(mergeReports(shards).warmup.carried, { ok: 5, failed: 3, timedOut: 2, byStatus: { '503': 1 } });
    assert.equal(merged.startTime, new Date(START).toISOString());
    assert.equal(merged.endTime, new Date(START + 6 + 10_000).toISOString());
    assert.equal(merged.measuredSeconds, 10.006);
    assert.equal(merged.throughput.rps, Math.round(((ALL.length + 3) / 10.006) * 1000) / 1000);
    assert.equal(merged.throughput.targetRps, RUN_SETTINGS.rate);
    assert.deepEqual(merged.settings, RUN_SETTINGS);
    assert.equal(merged.shard, undefined);
    assert.deepEqual(merged.merge!.missing, []);
    assert.deepEqual(merged.merge!.shards.map((s) => [s.index, s.source]), [[0, 'shard-0/report.json'], [1, 'shard-1/report.json'], [2, 'shard-2/report.json']]);
    assert.equal(merged.validity.valid, true);
    assert.equal(merged.validity.checks.maxSendLagMs, 0.4);
  });

  it('aligns timelines on wall-clock seconds and gives exact per-second percentiles', () => {
    const shards = shardsOf(2);
    // Shard 1 began two seconds after shard 0: its second t is the merge's second t + 2.
    const late = shardReport({ index: 1, count: 2, samples: split(ALL, 2)[1]!, startMs: START + 2000 });
    shards[1] = { source: 'late', report: late };
    const merged = mergeReports(shards);
    assert.equal(merged.timeline.length, 12);
    const first = shards[0]!.report.timeline;
    for (const point of merged.timeline) {
      const expected = (first[point.t]?.requests ?? 0) + (late.timeline[point.t - 2]?.requests ?? 0);
      assert.equal(point.requests, expected, `second ${point.t}`);
      assert.equal(point.histogram, undefined);
    }
    const [part0, part1] = split(ALL, 2) as [Sample[], Sample[]];
    const second5 = [...part0.filter((s) => s.second === 5), ...part1.filter((s) => s.second === 3)];
    assert.equal(merged.timeline[5]!.p99, histogramOf(second5.map((s) => s.ms)).getValueAtPercentile(99) / 1000);
    assert.match(merged.validity.warnings.join('\n'), /began measuring up to 2\.0 s apart/);
  });
});

describe('mergeReports: validity, missing and partial shards', () => {
  it('one invalid shard makes the merge invalid, naming it', () => {
    const merged = mergeReports(
      shardsOf(3, (report, index) => {
        if (index === 1) report.validity = { ...report.validity, valid: false, loadHeld: false, reasons: ['the generator\'s event loop stalled (p99 25.0 ms)'] };
      }),
    );
    assert.equal(merged.validity.valid, false);
    assert.deepEqual(merged.validity.reasons, ["shard 1: the generator's event loop stalled (p99 25.0 ms)"]);
    assert.equal(merged.merge!.shards[1]!.valid, false);
  });

  it('a shard that died leaves a merge that says what is missing', () => {
    const merged = mergeReports(shardsOf(4).filter((_, index) => index !== 2), { allowMissing: true });
    assert.deepEqual(merged.merge!.missing, [2]);
    assert.equal(merged.validity.valid, false);
    assert.match(merged.validity.reasons[0]!, /^shard 2 of 4 sent no report .*cover 3 of 4 shards/);
    assert.equal(merged.partial, 'shard 2 of 4 missing');
    assertValidReport(merged);
    const html = renderHtmlReport(merged);
    assert.match(html, /<h2>Shards<\/h2><p class="meta">Merged from 3 of 4 shards; missing: 2\./);
    assert.match(html, /<td class="num">2<\/td><td colspan="7"><strong>missing<\/strong>/);
  });

  it('names a partial shard and keeps its figures', () => {
    const merged = mergeReports(shardsOf(2, (report, index) => (index === 0 ? (report.partial = 'interrupted before the planned end') : undefined)));
    assert.equal(merged.partial, 'shard 0: interrupted before the planned end');
    assert.equal(merged.requests.ok, ALL.length);
  });

  it('merges any histogram* field by the same path, and the summary beside it', () => {
    const merged = mergeReports(
      shardsOf(2, (report, index) => {
        const lag = histogramOf(index === 0 ? [1, 2, 3] : [40]);
        const { p50, max } = summarizeHistogram(lag);
        Object.assign(report, { extra: { sendLag: { p50, max, histogram: encodeHistogram(lag) } } });
      }),
    );
    const extra = (merged as unknown as { extra: { sendLag: { p50: number; max: number; histogram: string } } }).extra;
    assert.deepEqual({ p50: extra.sendLag.p50, max: extra.sendLag.max }, { p50: 2, max: 40 });
    assert.equal(decodeHistogram(extra.sendLag.histogram).totalCount, 4);
  });

  it('merges a named set of histograms ({ ttft: {...}, histograms: { ttft } }), and the summary of the same name', () => {
    const ttft = [[120, 130, 500], [90, 4000]];
    const merged = mergeReports(
      shardsOf(2, (report, index) => {
        const h = histogramOf(ttft[index]!);
        const { p50, p99, max } = summarizeHistogram(h);
        Object.assign(report, { tokens: { ttft: { p50, p99, max }, histograms: { ttft: encodeHistogram(h) } } });
      }),
    );
    const tokens = (merged as unknown as { tokens: { ttft: Record<string, number>; histograms: { ttft: string } } }).tokens;
    const whole = summarizeHistogram(histogramOf(ttft.flat()));
    assert.deepEqual(tokens.ttft, { p50: whole.p50, p99: whole.p99, max: 4000 });
    assert.equal(decodeHistogram(tokens.histograms.ttft).totalCount, 5);
  });
});

describe('mergeReports: trust judged on the merged send lag', () => {
  /** Shards that held their load, with send lags (ms) of their own; shard 1 judged its own p99 untrusted. */
  function withLag(lagMs: (index: number) => number[]): SourcedReport[] {
    return shardsOf(2, (report, index) => {
      report.histogramSendLag = encodeHistogram(histogramOf(lagMs(index)));
      report.validity = index === 1
        ? { ...report.validity, valid: false, loadHeld: true, reasons: ['p99 is not trusted: the generator\'s own send lag could have moved it'] }
        : { ...report.validity, loadHeld: true };
    });
  }

  it('a shard\'s own untrusted figure does not void a merge whose merged figures are trusted', () => {
    const merged = mergeReports(withLag(() => Array.from({ length: 1000 }, (_, i) => 0.01 + (i % 10) / 100)));
    assert.equal(merged.validity.loadHeld, true);
    assert.equal(merged.validity.valid, true, merged.validity.reasons.join('; '));
    assert.equal(merged.validity.trustedUpTo, 'max');
    assert.ok(merged.validity.sendLag!.max < 0.2);
    assertValidReport(merged);
  });

  it('a lag that could move the merged p50 voids the merge, saying so', () => {
    const merged = mergeReports(withLag(() => Array.from({ length: 1000 }, () => 30)));
    assert.equal(merged.validity.loadHeld, true);
    assert.equal(merged.validity.valid, false);
    assert.match(merged.validity.reasons.join('\n'), /^on the merged send lag, p50, .* not trusted/m);
    assert.equal(merged.validity.trustedUpTo, null);
  });

  it('a shard that did not hold its load keeps its reason and leaves nothing judged', () => {
    const merged = mergeReports(
      shardsOf(2, (report, index) => (report.validity = { ...report.validity, valid: index === 0, loadHeld: index === 0, reasons: index === 0 ? [] : ['the generator was saturated'] })),
    );
    assert.equal(merged.validity.loadHeld, false);
    assert.deepEqual(merged.validity.reasons, ['shard 1: the generator was saturated']);
  });
});

describe('mergeReports: the LLM section', () => {
  it('is merged by its own merge: counts add and tokens/s are computed again over the merged window', () => {
    const section = (answers: number, ttft: number[]): LlmSection =>
      summarizeTokens(
        { counts: { ...emptyTokenCounts(), answers, streamed: answers, outputTokens: answers * 100, outputCounted: answers }, histograms: { ttft: encodeHistogram(histogramOf(ttft)) } },
        { api: 'openai-chat', measuredSeconds: 10, requests: answers },
      );
    const sections = [section(3, [100, 120, 140]), section(2, [90, 3000])];
    const merged = mergeReports(shardsOf(2, (report, index) => Object.assign(report, { llm: sections[index] })));
    const llm = (merged as unknown as { llm: LlmSection }).llm;
    assert.equal(llm.counts.answers, 5);
    assert.equal(llm.counts.outputTokens, 500);
    assert.equal(decodeHistogram(llm.histograms.ttft!).totalCount, 5);
    assert.equal(llm.outputTokensPerSec, Math.round((500 / merged.measuredSeconds) * 1000) / 1000);
  });
});

describe('mergeReports: refusals', () => {
  const cases: [name: string, reports: () => SourcedReport[], options: Parameters<typeof mergeReports>[1], says: RegExp][] = [
    ['nothing to merge', () => [], {}, /^no reports to merge/],
    ['a report run without --shard', () => shardsOf(2, (r, i) => (i === 1 ? delete r.shard : undefined)), {}, /^shard-1\/report.json is not a shard report/],
    ['different shard counts', () => [...shardsOf(2).slice(0, 1), shardsOf(3)[1]!], {}, /is shard 0 of 2 but shard-1\/report.json is shard 1 of 3/],
    ['a count other than --shards', () => shardsOf(2), { expectedCount: 3 }, /is shard 0 of 2, but the run has 3 shards/],
    ['different targets', () => shardsOf(2, (r, i) => (i === 1 ? (r.target.url = 'http://127.0.0.1:5002/score') : undefined)), {}, /targets POST http:\/\/127.0.0.1:5001\/score but .* targets POST http:\/\/127.0.0.1:5002\/score/],
    ['different settings', () => shardsOf(2, (r, i) => (i === 1 ? (r.shard!.run = { ...r.shard!.run, rate: 100 }) : undefined)), {}, /different settings \(settings.rate 400 vs 100\)/],
    ['different start times', () => shardsOf(2, (r, i) => (r.shard!.startAt = i === 0 ? '2025-06-01T12:00:00Z' : '2025-06-01T13:00:00Z')), {}, /started at 2025-06-01T12:00:00Z but .* at 2025-06-01T13:00:00Z/],
    ['windows that never overlap', () => shardsOf(2, (r, i) => (i === 1 ? Object.assign(r, { startTime: '2025-06-02T12:00:00.000Z', endTime: '2025-06-02T12:00:10.000Z' }) : undefined)), {}, /windows that never overlap/],
    ['a duplicate shard', () => [...shardsOf(2), { ...shardsOf(2)[1]!, source: 'copy.json' }], {}, /^shard-1\/report.json and copy.json are both shard 1 of 2/],
    ['missing shards', () => shardsOf(4).filter((_, i) => i % 2 === 0), {}, /^shards 1 and 3 of 4 are missing: .*--allow-missing/],
    ['no shard at all with --allow-missing', () => [], { allowMissing: true, expectedCount: 3 }, /none of the 3 shards sent a report/],
  ];
  for (const [name, reports, options, says] of cases) {
    it(`refuses ${name} with one clear line`, () => {
      assert.throws(
        () => mergeReports(reports(), options),
        (error: Error) => error.name === 'SettingsError' && says.test(error.message) && !error.message.includes('\n'),
      );
    });
  }
});

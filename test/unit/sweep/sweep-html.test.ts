import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSweep } from '../../../src/sweep/sweep-console.js';
import { renderSweepHtml } from '../../../src/sweep/sweep-html.js';
import { settleRecord, type SweepPointRecord, type SweepRecord } from '../../../src/sweep/sweep-record.js';

/** A finished sweep of two deployments at three rates, one point of which was invalid. */
function sampleRecord(): SweepRecord {
  const point = (deployment: string, rate: number, figures: Partial<SweepPointRecord>): SweepPointRecord => ({
    id: `r${rate}`,
    deployment,
    grid: { rate },
    tool: 'wrk2',
    connections: 16,
    clients: 1,
    status: 'measured',
    reasons: [],
    fingerprint: 'f',
    offeredRps: rate,
    servedRps: rate,
    okRps: rate,
    p50Ms: 5,
    p99Ms: 20,
    errorRate: 0,
    valid: true,
    report: `${deployment}/r${rate}/report.json`,
    ...figures,
  });
  const record: SweepRecord = {
    schemaVersion: '1.0',
    name: 'c1 <vs> c4',
    file: 'sweep.yml',
    sla: 'p99<=100ms, error_rate<1%',
    currency: 'USD',
    loadAxis: 'rate',
    startTime: '2026-01-02T03:04:05.000Z',
    updateTime: '2026-01-02T03:05:05.000Z',
    complete: false,
    deployments: [
      { name: 'c1', url: 'http://127.0.0.1:5101/score?code=redacted', instances: 1, pricePerHour: 1, coresPerInstance: 2, maxConcurrentRequestsPerInstance: 1, served: true, description: '<b>one</b>' },
      { name: 'c4', url: 'http://127.0.0.1:5102/score', instances: 1, pricePerHour: 1, coresPerInstance: 2, maxConcurrentRequestsPerInstance: 4, served: true },
    ],
    points: [
      point('c1', 50, {}),
      point('c1', 100, { verdict: 'fail', errorRate: 0.2, okRps: 80, reasons: ['error_rate = 20%, breaks < 1%'] }),
      point('c1', 200, { status: 'invalid', verdict: undefined, reasons: ['the generator stalled'] }),
      point('c4', 50, {}),
      point('c4', 100, { p99Ms: 30 }),
      point('c4', 200, { p99Ms: 400, verdict: 'fail', reasons: ['p99 = 400 ms, breaks <= 100 ms'] }),
    ],
    ranking: [],
    rankingBasis: 'throughput',
  };
  for (const p of record.points) if (p.status === 'measured' && p.verdict === undefined) p.verdict = 'pass';
  return settleRecord(record, new Date('2026-01-02T03:06:00Z'));
}

describe('settleRecord', () => {
  it('ranks by cost at each deployment’s best passing point, ignoring failed and invalid points', () => {
    const record = sampleRecord();
    assert.equal(record.rankingBasis, 'cost');
    assert.deepEqual(
      record.ranking.map((r) => [r.deployment, r.rank, r.slaRps, r.pointId]),
      [
        ['c4', 1, 100, 'r100'],
        ['c1', 2, 50, 'r50'],
      ],
    );
    // 1/hour at 100 req/s: 1e6 requests take 2.78 hours.
    assert.equal(record.ranking[0]!.costPerMillion, 2.77778);
    assert.equal(record.ranking[0]!.coreHoursPerMillion, 5.55556);
    assert.equal(record.complete, true);
  });
});

describe('renderSweepHtml', () => {
  const html = renderSweepHtml(sampleRecord());

  it('is one self-contained page: nothing is fetched', () => {
    assert.doesNotMatch(html, /<(script|img|link|iframe)[^>]+(src|href)=/i);
    assert.doesNotMatch(html, /url\(/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('answers first: the cheapest deployment that meets the SLA, and the invalid point it does not rest on', () => {
    assert.match(html, /<span class="verdict-badge">BEST<\/span><div><h2>Cheapest that meets the SLA<\/h2><p>c4, 100\.0 ok req\/s \(point r100\)/);
    assert.match(html, /<li>1 of 6 points without a verdict \(the generator did not deliver the load, or its own lag could flip a clause\): not ranked, not drawn \(c1 r200: the generator stalled\)<\/li>/);
    assert.ok(html.indexOf('id="verdict"') < html.indexOf('id="curves"'));
  });

  it('draws the three curves, with valid measured points only, and the SLA limits as markers', () => {
    for (const id of ['chart-throughput-latency', 'chart-load-p99', 'chart-load-errors']) assert.match(html, new RegExp(`id="${id}"`));
    // c1's invalid point at 200 req/s is listed, but drawn nowhere.
    assert.equal([...html.matchAll(/data-series="c1" data-points="(\d+)"/g)].map((m) => m[1]).join(), '2,2,2');
    assert.equal([...html.matchAll(/data-series="c4" data-points="(\d+)"/g)].map((m) => m[1]).join(), '3,3,3');
    assert.match(html, /SLA p99&lt;=100ms/);
    assert.match(html, /SLA error_rate&lt;1%/);
  });

  it('escapes what the user wrote and links every point to its report', () => {
    assert.match(html, /c1 &lt;vs&gt; c4/);
    assert.match(html, /&lt;b&gt;one&lt;\/b&gt;/);
    assert.doesNotMatch(html, /<b>one<\/b>/);
    assert.match(html, /<a href="c4\/r200\/report\.html">page<\/a>/);
    assert.match(html, /the generator stalled/);
  });
});

describe('formatSweep', () => {
  it('prints every point, the ranking and the answer', () => {
    const text = formatSweep(sampleRecord());
    assert.match(text, /^modelprof sweep: c1 <vs> c4 \(sweep\.yml\), SLA "p99<=100ms, error_rate<1%"/);
    assert.match(text, /c1\s+r200\s+200\.0\s+200\.0\s+5\.0\s+20\.0\s+0\.00%\s+invalid/);
    assert.match(text, /ranking, by cost per million requests:/);
    assert.match(text, /\n\s+1\s+c4\s+100\.0\s+r100\s+2\.778\s+5\.556\n\s+2\s+c1/);
    assert.match(text, /\nCHEAPEST THAT MEETS THE SLA: c4, 100\.0 ok req\/s \(point r100\) at 2\.778 USD per million requests\n {2}! 1 of 6 points without a verdict .*\(c1 r200: the generator stalled\)$/);
  });

  it('ranks and draws a point judged on an invalid run, as run --sla judges it, and says why the run is invalid', () => {
    const record = sampleRecord();
    // c4 r100 (the best) met the SLA on a run whose p99 the generator's lag could have moved: its clauses
    // were judged only where that lag cannot change them, so its verdict stands; c4 r50's tail is marked.
    const why = "p99, p99.9, max are not trusted: the generator's own send lag (p99.5 3 ms) could have moved p99 (30 ms)";
    const points = record.points.map((p) =>
      p.deployment === 'c4' && p.id === 'r100'
        ? { ...p, valid: false, invalidBecause: [why], untrusted: ['p99', 'p999', 'max'] }
        : p.deployment === 'c4' && p.id === 'r50'
          ? { ...p, untrusted: ['p999', 'max'] }
          : p,
    );
    const settled = settleRecord({ ...record, points }, new Date());
    assert.equal(settled.ranking.find((r) => r.deployment === 'c4')!.pointId, 'r100');
    const text = formatSweep(settled);
    assert.match(text, /c4\s+r100\s+100\.0\s+100\.0\s+5\.0\s+30\.0 \*\s+0\.00%\s+meets SLA \(run invalid\)/);
    assert.match(text, /c4\s+r50\s+50\.0\s+50\.0\s+5\.0\s+20\.0\s+0\.00%\s+meets SLA\n/);
    assert.match(text, /\n\* not trusted: the generator's own send lag could have moved it/);
    assert.ok(text.includes(`\n(run invalid) c4 r100: run invalid (${why}); its verdict was judged clause by clause, only where the generator's own lag cannot change it`), text);
    assert.equal(text.match(/^\(run invalid\)/gm)?.length, 1, 'only the point whose run was invalid');
    assert.match(text, /CHEAPEST THAT MEETS THE SLA: c4, 100\.0/);
    // A point without a verdict (c1 r200) is still neither ranked nor called "meets SLA".
    assert.match(text, /c1\s+r200\s+200\.0\s+200\.0\s+5\.0\s+20\.0\s+0\.00%\s+invalid/);
    const html = renderSweepHtml(settled);
    assert.match(html, /<td class="num">30 ms \*<\/td>/);
    assert.match(html, /meets SLA \(run invalid\)<\/span><\/td><td class="detail">r100: run invalid \(p99, p99\.9, max are not trusted: the generator&#39;s own send lag/);
  });

  it('names every deployment tied for first', () => {
    const record = sampleRecord();
    // c4 at 100 req/s breaks the SLA too: both deployments now hold 50 req/s at the same price.
    const broken = record.points.map((p) => (p.deployment === 'c4' && p.id === 'r100' ? { ...p, verdict: 'fail' as const } : p));
    const tied = settleRecord({ ...record, points: broken }, new Date());
    assert.deepEqual(tied.ranking.map((r) => r.rank), [1, 1]);
    const text = formatSweep(tied);
    assert.match(text, /\nTIED, CHEAPEST THAT MEETS THE SLA: c1, 50\.0 ok req\/s \(point r50\) .*; c4, 50\.0 ok req\/s/);
    assert.match(text, /\n {2}! c1 and c4 are within 5% of each other on cost per million requests: a tie within a sweep point's noise, not a win\n/);
    assert.match(renderSweepHtml(tied), /<span class="verdict-badge">TIED<\/span><div><h2>Tied, cheapest that meets the SLA<\/h2><p>c1, 50\.0 ok req\/s/);
  });

  it('labels an answer at the top of the grid a lower bound', () => {
    const record = sampleRecord();
    const holds = record.points.map((p) => (p.deployment === 'c4' && p.id === 'r200' ? { ...p, verdict: 'pass' as const, reasons: [] } : p));
    assert.match(formatSweep(settleRecord({ ...record, points: holds }, new Date())), /\n {2}! c4 met the SLA at the grid's highest rate \(200\): its limit was not reached, so 200\.0 ok req\/s is a lower bound; extend the grid/);
  });

  it('says no deployment could be started when none started, not that none meets the SLA', () => {
    const record = sampleRecord();
    const reason = 'the --serve command exited with code 127 before 127.0.0.1:5101 accepted connections; last stderr line: /bin/sh: 1: modelprof: not found';
    const failed = settleRecord(
      {
        ...record,
        deployments: record.deployments.map((d) => ({ ...d, notStarted: reason })),
        points: record.points.map((p) => ({ ...p, status: 'failed' as const, verdict: undefined, reasons: [reason] })),
      },
      new Date(),
    );
    const text = formatSweep(failed);
    assert.match(text, new RegExp(`\\nNO DEPLOYMENT COULD BE STARTED: c1: ${reason.replace(/[.*()]/g, '\\$&')}; c4: `));
    assert.doesNotMatch(text, /MEETS THE SLA/);
    assert.match(renderSweepHtml(failed), /<span class="verdict-badge">FAILED<\/span><div><h2>No deployment could be started<\/h2>/);
  });
});

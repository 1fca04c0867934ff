import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeTrust, trustedUpTo } from '../../../src/judge/trust.js';
import { formatSummary } from '../../../src/report/console.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderMarkdownSummary } from '../../../src/report/markdown.js';
import type { Report } from '../../../src/report/report.js';
import { syntheticReport } from '../../support/sample-reports.js';

/** The figures a surface marks: console rows ending in " *", HTML cells of class untrusted, Markdown cells with a warning sign. */
function consoleMarked(report: Report): string[] {
  return formatSummary(report)
    .split('\n')
    .filter((line) => /^ {2}\S+\s+[\d.]+ \*/.test(line))
    .map((line) => line.trim().split(/\s+/)[0]!);
}

function htmlMarked(report: Report): number {
  return (renderHtmlReport(report).match(/<td class="num untrusted"/g) ?? []).length;
}

/** A closed-loop (wrk model) report whose event loop stalled 3 ms at p99.9 and beyond, against a target that once took 80 ms. */
function closedLoopReport(): Report {
  const report = syntheticReport({ tool: 'wrk', seconds: 5, rps: 1000, medianMs: 10, sigma: 0.02, spike: { from: 2, to: 2.0005, factor: 8 } });
  const loopDelay = { p50: 0.05, p75: 0.05, p90: 0.06, p95: 0.06, p99: 0.1, p999: 3, p9999: 3, max: 3 };
  report.validity.trust = judgeTrust(report.latency, loopDelay);
  report.validity.trustedUpTo = trustedUpTo(report.validity.trust);
  return report;
}

describe('trust marks: every surface marks exactly the figures above trustedUpTo', () => {
  it('an open loop whose lag reaches p99.9: p99.9, p99.99 and max are marked on the console, the page, the job summary and JUnit', () => {
    // 1 send in 500 is 1.5 ms late: the lag's p99.95 is 1.5 ms, beyond 5% of an 11 ms p99.9; the max, one 40 ms answer, is the target's.
    const report = syntheticReport({ seconds: 5, rps: 1000, medianMs: 10, sigma: 0.02, targetRps: 1000, sendLag: (i) => (i % 500 === 7 ? 1.5 : 0.02), spike: { from: 3, to: 3.0005, factor: 4 } });
    const max = report.validity.trust!.find((f) => f.figure === 'max')!;
    assert.ok(max.lagMs <= max.limitMs, `the max's own part is within its tolerance (${max.lagMs} <= ${max.limitMs}), so only the rule above marks it`);
    assert.equal(report.validity.trustedUpTo, 'p99');
    assert.deepEqual(consoleMarked(report), ['p99.9', 'p99.99', 'max']);
    assert.equal(htmlMarked(report), 3);
    assert.match(renderMarkdownSummary(report), /\| [\d.]+ ms ⚠️ \| [\d.]+ ms ⚠️ \|$/m, 'p99.9 and max marked in the job summary');
    assert.match(renderJunit(undefined, report), /not trusted: p99\.9 [\d.]+ ms \(generator&apos;s part [\d.]+ ms &gt; [\d.]+ ms\), p99\.99 [\d.]+ ms \(p99\.9 below it not trusted\), max [\d.]+ ms \(p99\.9 below it not trusted\)/);
  });

  it('a closed loop names the event-loop delay it was judged on, never a send lag it does not have', () => {
    const report = closedLoopReport();
    assert.equal(report.validity.trustedUpTo, 'p99');
    const console = formatSummary(report);
    assert.deepEqual(consoleMarked(report), ['p99.9', 'p99.99', 'max']);
    assert.match(console, /\* not trusted: the generator's own event-loop delay could have moved it/);
    assert.doesNotMatch(console, /send lag/);
    const html = renderHtmlReport(report);
    assert.equal(htmlMarked(report), 3);
    assert.match(html, /event-loop delay could have moved it/);
    assert.match(html, /Closed loop: no plan to be late against/, 'the trust table says what it was judged on');
    assert.doesNotMatch(html, /own send lag/);
    assert.match(renderMarkdownSummary(report), /⚠️ not trusted: the generator's own event-loop delay/);
  });
});

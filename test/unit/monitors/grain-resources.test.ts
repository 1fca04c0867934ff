import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildResourceReport } from '../../../src/monitors/resource-report.js';
import { formatResourceSummary } from '../../../src/monitors/resource-summary.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import { serverClientLatency } from '../../../src/report/server-latency.js';
import { assertValidReport } from '../../support/report-schema.js';
import { syntheticReport } from '../../support/sample-reports.js';

// Azure Monitor's figures each cover a whole minute: they join the report as grain metrics.
const MINUTE = 60_000;
const window = { startMs: 10 * MINUTE + 30_000, endMs: 12 * MINUTE + 10_000 };
const minute = (n: number, cpu: number, peak: number, p99: number, requests: number) => ({
  timeMs: n * MINUTE,
  readings: [
    { metric: 'azure.cpu', unit: '%', value: cpu, peak },
    { metric: 'azure.latency_p99', unit: 'ms', value: p99 },
    { metric: 'azure.requests_per_minute', unit: 'requests/min', value: requests },
  ],
});
const resources = buildResourceReport(
  [{ name: 'azure-monitor:e/blue', grainMs: MINUTE, samples: [minute(9, 99, 99, 1, 1), minute(10, 40, 55, 10, 1000), minute(11, 60, 81, 20, 3000), minute(12, 50, 52, 30, 1000), minute(13, 99, 99, 1, 1)] }],
  window,
  1000,
);

describe('grain metrics (Azure Monitor) in the report', () => {
  it('keeps every minute the window touches, says the grain, and takes the peak from the grains\' maxima', () => {
    const cpu = resources.metrics['azure.cpu']!;
    assert.equal(cpu.grainSeconds, 60);
    assert.deepEqual(cpu.timeline.map((p) => p.t), [-30, 30, 90]);
    assert.equal(cpu.avg, 50);
    assert.equal(cpu.max, 81);
    assert.equal(cpu.min, 40);
  });

  it('judges azure.cpu.max on the peak and says the grain in the verdict', () => {
    const report = { ...syntheticReport(), resources };
    const verdict = evaluateSla(parseSla('azure.cpu.max<80%'), report);
    assert.equal(verdict.pass, false);
    assert.equal(verdict.results[0]!.message, 'azure.cpu.max = 81% (1-minute grain; from azure-monitor:e/blue), breaks < 80%');
  });

  it('puts server-side latency beside client-side, weighting minutes by their requests', () => {
    const report = { ...syntheticReport(), resources };
    const p99 = serverClientLatency(report)!.find((r) => r.percentile === 'p99')!;
    assert.equal(p99.serverMs, 20);
    assert.equal(p99.clientMs, report.latency.p99);
    assert.equal(serverClientLatency(syntheticReport()), undefined);
  });

  it('shows the grain on the console and in the HTML, with step charts on the load\'s axis, in a valid report', () => {
    const report = { ...syntheticReport({ seconds: 100 }), resources };
    assertValidReport(report);
    const console = formatResourceSummary(resources).join('\n');
    assert.match(console, /^Server resources \(Azure Monitor at a 1-minute grain\):/);
    assert.match(console, /Azure CPU \(per minute\)\s+avg 50\.0%\s+max 81\.0%/);
    const html = renderHtmlReport(report);
    assert.match(html, /Azure Monitor figures have a 1-minute grain/);
    assert.match(html, /id="server-latency"/);
    assert.match(html, /azure-monitor:e\/blue per minute: avg 50%/);
  });
});

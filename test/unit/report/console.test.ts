import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSummary } from '../../../src/report/console.js';
import type { Report } from '../../../src/report/report.js';
import { syntheticReport } from '../../support/sample-reports.js';

describe('formatSummary: the valid headline says what it rests on, and the latency table what it measures', () => {
  const cases: [name: string, change: (report: Report) => void, headline: string][] = [
    ['an open loop held its plan', () => {}, 'RUN VALID: the generator held its plan'],
    ['a closed loop has no plan to hold', (r) => (r.tool = 'wrk'), 'RUN VALID: the generator kept up (closed loop: not saturated, no stalls)'],
    ['a real program is judged by its own figures', (r) => (r.engine = { name: 'external', version: 'wrk2 4.0.0' }), 'RUN VALID: wrk2 sent at its planned rate and recorded latency after its calibration (it reports no send lag'],
    [
      'closed-loop wrk has no schedule: validity says what it rests on instead',
      (r) => {
        r.engine = { name: 'external', version: 'wrk 4.2.0' };
        r.tool = 'wrk';
      },
      'RUN VALID: wrk sent requests and recorded answers (closed loop: each connection waits for its answer, so there is no schedule to fall behind',
    ],
    [
      "LaBench is judged on its own ticks and sends",
      (r) => {
        r.engine = { name: 'external', version: 'labench' };
        r.tool = 'labench';
      },
      "RUN VALID by LaBench's own measure of its schedule: at least 99.9% of its ticks",
    ],
  ];
  for (const [name, change, headline] of cases) {
    it(name, () => {
      const report = structuredClone(syntheticReport({ seconds: 2, uncorrected: true }));
      report.tool = 'wrk2';
      change(report);
      assert.ok(formatSummary(report).split('\n').some((line) => line.startsWith(headline)), formatSummary(report));
    });
  }

  it('explains corrected and uncorrected in one line, where both are shown', () => {
    const both = formatSummary(syntheticReport({ seconds: 2, uncorrected: true }));
    assert.match(both, /latency \(ms\) {3}corrected {2}uncorrected\n[\s\S]*\n {2}corrected: from each request's planned send time, so a stall shows \(coordinated omission\); uncorrected: from the actual send(\n|$)/);
    assert.doesNotMatch(formatSummary(syntheticReport({ seconds: 2 })), /corrected:/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAvailability } from '../../../src/judge/availability.js';
import { livenessRecord, PROBE_INTERVAL_MS, type ProbeOutcome } from '../../../src/tools/liveness-probe.js';
import { stoppedRunResult } from '../../../src/tools/external-result.js';
import { buildReport } from '../../../src/report/build-report.js';
import { externalSettings } from '../../support/external-settings.js';
import { assertValidReport } from '../../support/report-schema.js';

/** Probes every PROBE_INTERVAL_MS from `startMs` for `seconds`: connected while `up(atSec)`, else refused. */
function probes(startMs: number, seconds: number, up: (atSec: number) => boolean): ProbeOutcome[] {
  return Array.from({ length: (seconds * 1000) / PROBE_INTERVAL_MS }, (_, i) => {
    const atSec = (i * PROBE_INTERVAL_MS) / 1000;
    const ok = up(atSec);
    return { atMs: startMs + atSec * 1000, ok, refused: !ok };
  });
}

describe("the liveness probe's seconds go through the builtin's outage rule", () => {
  it('a target that stops listening 1.2 s into a 2 s run: an outage from its last accepted probe to the end', () => {
    const record = livenessRecord(probes(50_000, 2, (atSec) => atSec < 1.2), 50_000);
    assert.deepEqual([record.probes, record.failed, record.refused], [10, 4, 4]);
    const availability = findAvailability(record.seconds, 2, undefined, 'probe');
    assert.equal(availability.basis, 'probe');
    assert.equal(availability.outages.length, 1);
    const [outage] = availability.outages;
    assert.equal(outage!.startSec, 1);
    assert.equal(outage!.seconds, 1);
    assert.equal(outage!.failed, 4);
    assert.match(outage!.cause!, /port took no connection: 4 of modelprof's probes failed/);
    assert.equal(availability.share, 0.5);
  });

  it('a healthy target, and one refused probe between accepted ones: no outage', () => {
    for (const up of [() => true, (atSec: number) => atSec !== 1]) {
      const record = livenessRecord(probes(0, 3, up), 0);
      assert.deepEqual(findAvailability(record.seconds, 3, undefined, 'probe').outages, []);
    }
  });

  it('a restart: down from the last accepted probe to the first one after', () => {
    const record = livenessRecord(probes(0, 5, (atSec) => atSec < 1 || atSec >= 2.6), 0);
    const { outages } = findAvailability(record.seconds, 5, undefined, 'probe');
    assert.deepEqual(outages.map((o) => [o.startSec, o.seconds]), [[0.8, 1.8]]);
  });
});

describe('a program stopped before it printed anything (LaBench on a signal)', () => {
  it('still gives a report, marked partial, with the settings and the probe: never a lost result', () => {
    const settings = externalSettings({ tool: 'labench', rate: 100, clients: 4, durationSec: 5 });
    const liveness = livenessRecord(probes(0, 2, () => true), 0);
    const result = stoppedRunResult({
      settings,
      engineVersion: 'labench test',
      startTime: new Date(0),
      endTime: new Date(2_000),
      artifacts: ['labench-stdout.txt'],
      liveness,
      service: { seconds: liveness.seconds, windowSec: 2, basis: 'probe' },
      partial: 'interrupted (Ctrl-C) after 2.0 s; labench prints no results when stopped, so no request count or latency is known',
    });
    const report = buildReport(settings, result);
    assertValidReport(report);
    assert.match(report.partial!, /labench prints no results when stopped/);
    assert.deepEqual(report.requests, { total: 0, ok: 0, errors: 0 });
    assert.equal(report.availability!.basis, 'probe');
    assert.match(report.notes.join('\n'), /10 probes, all connected/);
    assert.match(report.validity.reasons[0]!, /labench printed no results when it was stopped/);
  });
});

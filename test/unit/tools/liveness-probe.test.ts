import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAvailability } from '../../../src/judge/availability.js';
import { livenessRecord, PROBE_INTERVAL_MS, type ProbeOutcome } from '../../../src/tools/liveness-probe.js';

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

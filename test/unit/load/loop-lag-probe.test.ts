import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopLagProbe, type ProbeWake } from '../../../src/load/loop-lag-probe.js';

/**
 * A simulated event loop on a fake clock: busy for `stallMs` at the start of every `periodMs`, idle
 * otherwise; a wake runs `answerMs` after its due time, or when the stall it falls in ends.
 */
function simulate(options: { seconds: number; periodMs: number; stallMs: number; answerMs: number }): LoopLagProbe {
  let clock = 0;
  let upcoming: () => number = () => Infinity;
  let armed = Infinity;
  let fire: () => void = () => {};
  const wake = (callback: () => void): ProbeWake => {
    fire = callback;
    return {
      start: (times) => {
        upcoming = times;
        armed = times();
      },
      close: () => void (armed = Infinity),
    };
  };
  const probe = new LoopLagProbe(() => clock, { wake });
  probe.start();
  const end = options.seconds * 1000;
  while (armed < end) {
    const due = armed;
    const inPeriod = due % options.periodMs;
    clock = inPeriod < options.stallMs ? due - inPeriod + options.stallMs : due + options.answerMs;
    fire();
    // Due times that fell due while the loop was busy get no wake of their own (the ticker passes over them).
    while (armed <= clock) armed = upcoming();
  }
  probe.stop();
  return probe;
}

describe('LoopLagProbe', () => {
  it('measures a quiet loop to the microsecond', () => {
    const probe = simulate({ seconds: 10, periodMs: 100, stallMs: 0, answerMs: 0.004 });
    assert.ok(probe.histogram.totalCount > 4500 && probe.histogram.totalCount < 5500, `${probe.histogram.totalCount} probes in 10 s`);
    assert.equal(probe.lagMs(50), 0.004);
    assert.equal(probe.lagMs(100), 0.004);
  });

  it('weighs stalls by their length, as arriving tokens meet them (a 10 ms timer would see one sample per stall)', () => {
    // Busy 20 ms in every 100: a token arriving then waits out the rest of the stall, uniform over 0-20 ms.
    // P(lag > x) = 0.2 (1 - x / 20): p90 is 10 ms, p99 19 ms, the median is the quiet loop's.
    const probe = simulate({ seconds: 60, periodMs: 100, stallMs: 20, answerMs: 0.004 });
    assert.equal(probe.lagMs(50), 0.004);
    assert.ok(Math.abs(probe.lagMs(90) - 10) < 1, `p90 ${probe.lagMs(90)} ms`);
    assert.ok(Math.abs(probe.lagMs(99) - 19) < 0.5, `p99 ${probe.lagMs(99)} ms`);
    assert.ok(probe.lagMs(100) <= 20 && probe.lagMs(100) > 19.5, `max ${probe.lagMs(100)} ms`);
  });

  it('sees sub-millisecond stalls that a millisecond clock cannot', () => {
    // Busy 0.3 ms in every 1 ms: 30% of arrivals wait, up to 0.3 ms.
    const probe = simulate({ seconds: 10, periodMs: 1, stallMs: 0.3, answerMs: 0.002 });
    assert.ok(Math.abs(probe.lagMs(90) - 0.2) < 0.03, `p90 ${probe.lagMs(90)} ms`);
    assert.ok(probe.lagMs(99) > 0.25 && probe.lagMs(99) <= 0.3, `p99 ${probe.lagMs(99)} ms`);
  });

  it('clears what it recorded and goes on probing, keeping no probe due before the clear', () => {
    let clock = 0;
    let upcoming: () => number = () => Infinity;
    let fire: () => void = () => {};
    const wake = (callback: () => void): ProbeWake => {
      fire = callback;
      return { start: (times) => void (upcoming = times), close: () => {} };
    };
    const probe = new LoopLagProbe(() => clock, { wake });
    probe.start();
    // A stall of 50 ms holds probes of up to 50 ms lag; after the clear, only the next one's counts.
    clock = 50;
    fire();
    assert.ok(probe.lagMs(100) > 40, `max ${probe.lagMs(100)} ms before the clear`);
    // The window opens at 60 ms, but its clear runs at 70 ms: probes due from 50 to 60 ms are run late, and not kept.
    clock = 70;
    probe.clear(60);
    assert.equal(probe.histogram.totalCount, 0);
    fire();
    const kept = probe.histogram.totalCount;
    assert.ok(probe.lagMs(100) <= 10, `max ${probe.lagMs(100)} ms: a probe due before 60 ms was kept`);
    let due = upcoming();
    while (due <= 70) due = upcoming();
    clock = due + 0.005;
    fire();
    assert.equal(probe.histogram.totalCount, kept + 1);
  });
});

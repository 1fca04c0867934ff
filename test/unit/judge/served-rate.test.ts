import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLatencyHistogram, recordLatencyMs } from '../../../src/record/histogram.js';
import { servedShare } from '../../../src/judge/served-rate.js';
import { HELD_SHARE, judgePoint } from '../../../src/judge/point-verdict.js';
import { syntheticReport } from '../../support/sample-reports.js';
import { pointFigures } from '../../../src/report/point-figures.js';

/** An open-loop window built without a clock: the plan's due times and the answers' arrival times, ms from the start of measurement. */
interface Window {
  rate: number;
  seconds: number;
  /** Due times of the planned sends that went out. */
  sentMs: number[];
  /** The window's planned sends, made or not. */
  plan: number;
  arrivalsMs: number[];
}

const evenPlan = (rate: number, seconds: number): number[] => Array.from({ length: rate * seconds }, (_, i) => (i * 1000) / rate);

/** A target that answers every send of `planMs` (by default `rate` req/s, evenly) `latencyMs(i)` after it. */
function keepsUp(rate: number, seconds: number, latencyMs: (i: number) => number, planMs = evenPlan(rate, seconds)): Window {
  return { rate, seconds, sentMs: planMs, plan: planMs.length, arrivalsMs: planMs.map((dueMs, i) => dueMs + latencyMs(i)) };
}

/**
 * A target that serves `capacity` req/s while `rate` req/s are offered on `connections` connections
 * (one request each in flight): answers come every 1/capacity s through the window, and the
 * requests still queued when the sending stops are answered after it, at the same pace. The sends
 * kept back by busy connections never went out.
 */
function fallsBehind(rate: number, capacity: number, seconds: number, connections: number, serviceMs: number): Window {
  const answers = capacity * seconds + connections;
  return {
    rate,
    seconds,
    sentMs: evenPlan(rate, seconds).slice(0, answers),
    plan: rate * seconds,
    arrivalsMs: Array.from({ length: answers }, (_, k) => serviceMs + (k * 1000) / capacity),
  };
}

function served(window: Window): number {
  const [answers, planned] = [createLatencyHistogram(), createLatencyHistogram()];
  for (const ms of window.arrivalsMs) recordLatencyMs(answers, ms);
  for (const ms of window.sentMs) recordLatencyMs(planned, ms);
  return window.rate * servedShare(answers, planned, window.plan);
}

/** What the served-rate check read before: answers over the window that runs to the last answer. */
function toLastAnswer(window: Window): number {
  return window.arrivalsMs.length / (Math.max(window.seconds * 1000, ...window.arrivalsMs) / 1000);
}

/** The other simple reading: answers per second of the sending window, however long they took. */
function perSendingSecond(window: Window): number {
  return window.arrivalsMs.length / window.seconds;
}

// A report of the window as the engine writes it: rps over the window to the last answer, servedRps beside it.
function pointOf(window: Window) {
  const report = syntheticReport({ seconds: window.seconds, rps: window.rate, medianMs: 10, sigma: 0.2, targetRps: window.rate });
  report.throughput.rps = toLastAnswer(window);
  report.throughput.servedRps = served(window);
  return report;
}

describe('servedShare: did the target answer at the offered rate?', () => {
  // `simple`: what the two simple readings say (to the last answer, per sending second); each misjudges a case the rule gets right.
  const cases: { name: string; window: Window; held: boolean; simple: [boolean, boolean] }[] = [
    { name: 'keeps up, 100 ms answers, 1 s point', window: keepsUp(40, 1, (i) => 100 + (i % 7)), held: true, simple: [false, true] },
    { name: 'keeps up, 1.5 s answers, 10 s point', window: keepsUp(40, 10, (i) => 1500 + (i % 13) * 5), held: true, simple: [false, true] },
    { name: 'one very slow answer (2 s) at the end of a 10 s point', window: keepsUp(100, 10, (i) => (i === 999 ? 2000 : 5)), held: true, simple: [false, true] },
    { name: 'one very slow answer (2 s) on a 1 s point', window: keepsUp(40, 1, (i) => (i === 39 ? 2000 : 5)), held: true, simple: [false, true] },
    { name: 'capacity 80% of offered, 16 connections, 1 s point', window: fallsBehind(40, 32, 1, 16, 5), held: false, simple: [false, true] },
    { name: 'capacity 80% of offered, 64 connections, 10 s point', window: fallsBehind(100, 80, 10, 64, 5), held: false, simple: [false, false] },
    { name: 'capacity 92% of offered, 64 connections, 10 s point', window: fallsBehind(100, 92, 10, 64, 5), held: false, simple: [false, true] },
    {
      name: 'a Poisson plan that offered 8% fewer sends than its nominal rate, all answered in 50 ms',
      window: keepsUp(100, 10, () => 50, evenPlan(92, 10)),
      held: true,
      simple: [false, false],
    },
    { name: 'answers stop halfway (the rest time out)', window: { ...keepsUp(40, 10, () => 20), arrivalsMs: keepsUp(40, 5, () => 20).arrivalsMs }, held: false, simple: [false, false] },
  ];
  for (const { name, window, held, simple } of cases) {
    it(`${name}: ${held ? 'held' : 'not held'}`, () => {
      const rate = served(window);
      assert.equal(rate >= HELD_SHARE * window.rate, held, `served ${rate.toFixed(2)} of ${window.rate} req/s`);
      assert.deepEqual(
        [toLastAnswer(window), perSendingSecond(window)].map((simpleRate) => simpleRate >= HELD_SHARE * window.rate),
        simple,
        `the simple readings: ${toLastAnswer(window).toFixed(2)}, ${perSendingSecond(window).toFixed(2)}`,
      );
      const report = pointOf(window);
      const verdict = judgePoint(report, []);
      // The tables' "served" column shows the rate the verdict read.
      assert.equal(pointFigures(report).servedRps, report.throughput.servedRps);
      assert.equal(verdict.verdict, held ? 'pass' : 'fail', verdict.reasons.join('; '));
      if (!held) assert.match(verdict.reasons[0]!, new RegExp(`^served ${rate.toFixed(1)} of the offered ${window.rate} req/s .*the target did not keep up`));
    });
  }

  it('reads a target that falls behind at its own capacity, and one that keeps up at the offered rate', () => {
    assert.ok(Math.abs(served(fallsBehind(40, 32, 1, 16, 5)) - 32) < 0.5);
    assert.ok(Math.abs(served(fallsBehind(100, 80, 10, 64, 5)) - 80) < 0.5);
    assert.ok(Math.abs(served(keepsUp(40, 1, () => 100)) - 40) < 0.5);
    assert.ok(Math.abs(served(keepsUp(100, 10, (i) => (i === 999 ? 2000 : 5))) - 100) < 0.5);
  });

  it('is 0 with no answer, 1 with no plan, and the answers per planned send when they all came at once', () => {
    assert.equal(served({ ...keepsUp(10, 1, () => 5), arrivalsMs: [] }), 0);
    assert.equal(served({ rate: 10, seconds: 1, sentMs: [], plan: 0, arrivalsMs: [] }), 10);
    assert.equal(served({ ...keepsUp(10, 2, () => 5), arrivalsMs: [50, 50, 50, 50] }), 2);
    assert.equal(served({ ...keepsUp(10, 1, () => 5), arrivalsMs: [50] }), 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeValidity, type GeneratorObservation } from '../../../src/judge/validity.js';

const healthy: GeneratorObservation = {
  tool: 'wrk2',
  completed: 1000,
  ok: 1000,
  unsentPlanned: 0,
  localResourceErrors: 0,
  targetRps: 100,
  achievedRps: 100,
  plannedSends: 1000,
  lateSends: 0,
  maxSendLagMs: 0.4,
  toleranceMs: 10,
  ticks: 0,
  lateTicks: 0,
  missedTicks: 0,
  eventLoopLagP99Ms: 0.5,
  eventLoopLagMaxMs: 2,
  generatorBusy: 0.2,
};

describe('judgeValidity', () => {
  const cases: [name: string, change: Partial<GeneratorObservation>, valid: boolean, says: RegExp | undefined][] = [
    ['a healthy constant-rate run', {}, true, undefined],
    ['late sends beyond 0.1%', { lateSends: 2 }, false, /99\.80% of sends left on schedule/],
    ['a stalled event loop', { eventLoopLagP99Ms: 25 }, false, /event loop stalled/],
    ['the generator out of sockets', { localResourceErrors: 3 }, false, /ran out of sockets or ports/],
    ['nothing completed', { completed: 0, ok: 0 }, false, /no request completed/],
    ['a target too slow for the rate (a warning only)', { achievedRps: 80 }, true, /achieved 80\.0 req\/s of the 100 req\/s target/],
    ['planned sends left unsent at the end (a warning only)', { unsentPlanned: 7 }, true, /7 planned sends inside the window were never sent/],
    ['every answer an HTTP error (valid: the target error is judged apart, in judge/target-outcome)', { ok: 0 }, true, undefined],
    ['labench ticks with no free client', { tool: 'labench', ticks: 1000, missedTicks: 50, plannedSends: 950 }, false, /50 of 1000 ticks found every client busy/],
    ['a busy closed-loop generator (a warning only)', { tool: 'wrk', generatorBusy: 0.99 }, true, /busy 99\.0% of the time/],
  ];
  for (const [name, change, valid, says] of cases) {
    it(name, () => {
      const verdict = judgeValidity({ ...healthy, ...change });
      assert.equal(verdict.valid, valid, JSON.stringify(verdict));
      if (says) assert.match([...verdict.reasons, ...verdict.warnings].join(' | '), says);
      else assert.deepEqual([verdict.reasons, verdict.warnings], [[], []]);
    });
  }

  it('does not blame the generator for labench ticks the pool could not take', () => {
    const verdict = judgeValidity({ ...healthy, tool: 'labench', ticks: 1000, missedTicks: 600, plannedSends: 400 });
    assert.equal(verdict.checks.timelySends, 1);
    assert.doesNotMatch(verdict.reasons.join(' '), /could not keep its plan/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStartAt, waitUntil, type WaitClock } from '../../../src/scale/start-at.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

/** Asserts a one-line message matching `says` (assert.throws alone would match the error's name too). */
function refuses(action: () => unknown, says: RegExp): void {
  assert.throws(action, (error: Error) => says.test(error.message) && !error.message.includes('\n'));
}

describe('parseStartAt', () => {
  it('reads ISO 8601 instants with a zone', () => {
    assert.equal(parseStartAt('2025-06-01T12:00:30Z', '--start-at', NOW), NOW + 30_000);
    assert.equal(parseStartAt('2025-06-01T14:00:30.250+02:00', '--start-at', NOW), NOW + 30_250);
    assert.equal(parseStartAt('2025-06-01T12:01Z', '--start-at', NOW), NOW + 60_000);
  });
  const bad: [string, RegExp][] = [
    ['2025-06-01T11:59:50Z', /^--start-at 2025-06-01T11:59:50Z is 10\.0 s in the past: give a time still to come/],
    ['2025-06-01T12:00:00Z', /is 0\.0 s in the past/],
    ['2025-06-01T12:00:30', /^--start-at must be an ISO 8601 time with a zone/],
    ['in 2 minutes', /^--start-at must be an ISO 8601 time with a zone/],
    ['2025-13-01T12:00:00Z', /^--start-at must be an ISO 8601 time/],
  ];
  for (const [text, says] of bad) it(`refuses "${text}"`, () => refuses(() => parseStartAt(text, '--start-at', NOW), says));
});

describe('waitUntil', () => {
  function fakeClock(stepAfterSleepMs = 0): WaitClock & { sleeps: number[]; time: number } {
    const clock = {
      time: NOW,
      sleeps: [] as number[],
      now: () => clock.time,
      sleep: async (ms: number) => {
        clock.sleeps.push(ms);
        clock.time += ms + stepAfterSleepMs;
      },
    };
    return clock;
  }

  it('sleeps in steps of at most a second until the time, reading the clock each time', async () => {
    const clock = fakeClock();
    assert.equal(await waitUntil(NOW + 2500, clock), true);
    assert.deepEqual(clock.sleeps, [1000, 1000, 500]);
  });

  it('follows a clock that NTP stepped forward while it slept', async () => {
    const clock = fakeClock(2000);
    assert.equal(await waitUntil(NOW + 5000, clock), true);
    assert.deepEqual(clock.sleeps, [1000, 1000]);
  });

  it('returns false when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(await waitUntil(NOW + 5000, fakeClock(), controller.signal), false);
  });
});

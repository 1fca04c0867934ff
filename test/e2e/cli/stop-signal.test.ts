import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { stopOnSignals } from '../../../src/cli/stop-signal.js';

// The real clock: the stop deadline is a timer.

it('the first signal asks to stop and quits at the deadline if the work has not stopped; a second quits at once', async () => {
  for (const second of [false, true]) {
    const source = new EventEmitter();
    const exits: number[] = [];
    const stop = stopOnSignals('stopping', { deadlineMs: 30, exit: (code) => exits.push(code), source });
    source.emit('SIGTERM');
    assert.equal(stop.signal.aborted, true);
    if (second) {
      source.emit('SIGINT');
      assert.deepEqual(exits, [EXIT.interrupted], 'the second signal quits at once');
    }
    // However late a busy machine runs the timer, it fires.
    const expected = second ? 2 : 1;
    for (let waited = 0; exits.length < expected && waited < 10_000; waited += 10) await sleep(10);
    assert.deepEqual(exits, second ? [EXIT.interrupted, EXIT.interrupted] : [EXIT.interrupted], 'the deadline quits');
    stop.dispose();
  }
});

it('work that stops in time is not cut short', async () => {
  const source = new EventEmitter();
  const exits: number[] = [];
  const stop = stopOnSignals('stopping', { deadlineMs: 30, exit: (code) => exits.push(code), source });
  source.emit('SIGINT');
  stop.dispose();
  await sleep(60);
  assert.deepEqual(exits, []);
  // On its way out after the first signal, a second one still quits with 130 (never the default
  // handler's death by signal).
  source.emit('SIGINT');
  assert.deepEqual(exits, [EXIT.interrupted]);
});

it('disposed before any signal, it stops listening', () => {
  const source = new EventEmitter();
  const stop = stopOnSignals('stopping', { deadlineMs: 30, exit: () => assert.fail('no exit'), source });
  stop.dispose();
  assert.equal(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM'), 0);
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DueQueue } from '../../../src/load/due-queue.js';

it('DueQueue pops ids in due order, ties in any order, and reports Infinity when empty', () => {
  const queue = new DueQueue(64);
  const dues = Array.from({ length: 64 }, (_, id) => ({ id, due: (id * 37) % 23 }));
  for (const { id, due } of dues) queue.push(id, due);
  const popped: number[] = [];
  while (queue.size > 0) {
    const due = queue.peekDue();
    const id = queue.pop();
    assert.equal(dues[id]!.due, due);
    popped.push(due);
  }
  assert.deepEqual(popped, [...popped].sort((a, b) => a - b));
  assert.equal(queue.peekDue(), Infinity);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_DEPTH, CLASS_COUNT, createModel, depthForWorkFactor, FEATURE_COUNT } from '../../../src/sample/model.js';

const ROWS = [
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];

function flat(rows: number[][]): Float64Array {
  return Float64Array.from(rows.flat());
}

test('predict gives one probability vector per row', () => {
  const result = createModel(1).predict(flat(ROWS), ROWS.length);
  assert.equal(result.length, ROWS.length);
  for (const probabilities of result) {
    assert.equal(probabilities.length, CLASS_COUNT);
    for (const p of probabilities) assert.ok(p >= 0 && p <= 1, `probability ${p} out of [0, 1]`);
    const total = probabilities.reduce((sum, p) => sum + p, 0);
    assert.ok(Math.abs(total - 1) < 1e-5, `probabilities sum to ${total}`);
  }
  assert.notDeepEqual(result[0], result[1], 'different rows should score differently');
});

test('two model instances give identical answers (weights come from a fixed seed)', () => {
  const a = createModel(1).predict(flat(ROWS), ROWS.length);
  const b = createModel(1).predict(flat(ROWS), ROWS.length);
  assert.deepEqual(a, b);
  assert.deepEqual(createModel(1).predict(flat([ROWS[1]!]), 1)[0], a[1], 'a row scores the same alone or in a batch');
});

test('depth scales with the work factor', () => {
  const cases: [workFactor: number, depth: number][] = [
    [1, BASE_DEPTH],
    [2, 2 * BASE_DEPTH],
    [0.5, BASE_DEPTH / 2],
    [0, 0],
  ];
  for (const [workFactor, depth] of cases) {
    assert.equal(depthForWorkFactor(workFactor), depth, `workFactor ${workFactor}`);
    assert.equal(createModel(workFactor).depth, depth);
  }
});

test('compute per row is in the documented range and grows with the work factor', () => {
  const rows = 200;
  const features = new Float64Array(rows * FEATURE_COUNT).map((_, index) => index % 7);
  const cpuMsPerRow = (workFactor: number): number => {
    const model = createModel(workFactor);
    model.predict(features, 20); // let V8 optimise the loops first
    const before = process.cpuUsage();
    model.predict(features, rows);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / rows;
  };
  const base = cpuMsPerRow(1);
  const heavy = cpuMsPerRow(4);
  // Loose bounds: this machine is shared, but an order-of-magnitude slip means the cost model changed.
  assert.ok(base > 0.05 && base < 3, `one row at workFactor 1 took ${base.toFixed(3)} ms of CPU`);
  assert.ok(heavy / base > 2 && heavy / base < 8, `workFactor 4 cost ${(heavy / base).toFixed(2)}x workFactor 1`);
});

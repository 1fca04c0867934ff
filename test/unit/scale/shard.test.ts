import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profile } from '../../../src/index.js';
import { ConstantRatePlan } from '../../../src/load/plan.js';
import { parseShardSpec, shardFromEnvironment, shareOfLines, shareOfLoad, type LoadTotals } from '../../../src/scale/shard.js';

const shards = (count: number) => Array.from({ length: count }, (_, index) => ({ index, count }));

/** Asserts a one-line message matching `says` (assert.throws alone would match the error's name too). */
function refuses(action: () => unknown, says: RegExp): void {
  assert.throws(action, (error: Error) => says.test(error.message) && !error.message.includes('\n'));
}

describe('parseShardSpec and shardFromEnvironment', () => {
  it('reads INDEX/COUNT, 0-based', () => {
    assert.deepEqual(parseShardSpec('3/4', '--shard'), { index: 3, count: 4 });
    assert.deepEqual(parseShardSpec(' 0 / 1 ', '--shard'), { index: 0, count: 1 });
  });
  const bad: [string, RegExp][] = [
    ['4/4', /^--shard: the shard index must be 0 to 3 \(0-based\) for 4 shards, got 4$/],
    ['1/0', /shard count must be at least 1/],
    ['1', /^--shard must be INDEX\/COUNT/],
    ['-1/2', /^--shard must be INDEX\/COUNT/],
  ];
  for (const [text, says] of bad) it(`refuses "${text}"`, () => refuses(() => parseShardSpec(text, '--shard'), says));

  it("takes Kubernetes' JOB_COMPLETION_INDEX over SHARD_INDEX", () => {
    assert.deepEqual(shardFromEnvironment({ JOB_COMPLETION_INDEX: '2', SHARD_INDEX: '0', SHARD_COUNT: '3' }), { index: 2, count: 3 });
    assert.deepEqual(shardFromEnvironment({ SHARD_INDEX: '1', SHARD_COUNT: '3' }), { index: 1, count: 3 });
    assert.equal(shardFromEnvironment({ SHARD_INDEX: '' }), undefined);
    assert.equal(shardFromEnvironment({}), undefined);
    assert.equal(shardFromEnvironment({ JOB_COMPLETION_INDEX: '1' }), undefined, 'a pod of an unrelated Indexed Job is not a shard');
  });
  const badEnv: [NodeJS.ProcessEnv, RegExp][] = [
    [{ SHARD_INDEX: '1' }, /^SHARD_INDEX is set but SHARD_COUNT is not/],
    [{ SHARD_COUNT: '2' }, /^SHARD_COUNT is set but neither/],
    [{ SHARD_INDEX: 'x', SHARD_COUNT: '2' }, /^SHARD_INDEX must be a whole number, got "x"/],
    [{ JOB_COMPLETION_INDEX: '5', SHARD_COUNT: '2' }, /^JOB_COMPLETION_INDEX\/SHARD_COUNT: the shard index must be 0 to 1/],
  ];
  for (const [env, says] of badEnv) it(`refuses ${JSON.stringify(env)}`, () => refuses(() => shardFromEnvironment(env), says));
});

describe('shareOfLoad', () => {
  const totals: LoadTotals = { tool: 'wrk2', rate: 1000, connections: 10, clients: 7, threads: 4 };
  const cases: [name: string, totals: LoadTotals, count: number][] = [
    ['wrk2 over 3 shards', totals, 3],
    ['wrk2 over 10 shards', totals, 10],
    ['wrk (closed loop) over 4 shards', { ...totals, tool: 'wrk' }, 4],
    ['labench over 3 shards', { ...totals, tool: 'labench' }, 3],
    ['labench over 7 shards', { ...totals, tool: 'labench' }, 7],
  ];
  for (const [name, given, count] of cases) {
    it(`${name}: the shares add up to the whole run exactly`, () => {
      const shares = shards(count).map((shard) => shareOfLoad(given, shard));
      const senders = shares.map((s) => (given.tool === 'labench' ? s.clients : s.connections));
      assert.equal(senders.reduce((a, b) => a + b), given.tool === 'labench' ? given.clients : given.connections);
      assert.ok(Math.max(...senders) - Math.min(...senders) <= 1, 'dealt evenly');
      if (given.tool !== 'wrk') assert.ok(Math.abs(shares.reduce((total, s) => total + s.rate, 0) - given.rate) < 1e-9);
      for (const share of shares) assert.ok(share.threads >= 1 && share.threads <= Math.min(given.threads, given.tool === 'labench' ? share.clients : share.connections));
    });
  }

  it('wrk2: the shards together send exactly the schedule of one process', () => {
    const one = shards(1).flatMap(() => Array.from({ length: 10 }, (_, k) => planTimes(new ConstantRatePlan(1000, 10, k))).flat());
    const split = shards(3).flatMap((shard) => {
      const share = shareOfLoad(totals, shard);
      return Array.from({ length: share.connections }, (_, k) => planTimes(new ConstantRatePlan(1000, share.totalConnections, share.firstConnection + k))).flat();
    });
    assert.deepEqual(split.sort((a, b) => a - b), one.sort((a, b) => a - b));
  });

  it('labench: the shards take every tick of the run once', () => {
    const ticks = shards(3).flatMap((shard) => {
      const share = shareOfLoad({ ...totals, tool: 'labench' }, shard);
      return planTimes(new ConstantRatePlan(1000, share.tickStride, share.tickOffset));
    });
    assert.deepEqual(ticks.sort((a, b) => a - b), planTimes(new ConstantRatePlan(1000, 1, 0), 60));
  });

  it('refuses fewer connections or clients than shards', () => {
    refuses(() => shareOfLoad({ ...totals, connections: 2 }, { index: 0, count: 3 }), /^--connections \(2\) must be at least the shard count \(3\)/);
    refuses(() => shareOfLoad({ ...totals, tool: 'labench', clients: 2 }, { index: 0, count: 3 }), /^--clients \(2\) must be at least the shard count \(3\)/);
  });
});

describe('shareOfLines', () => {
  it('deals line i to shard i mod COUNT, so the shards send every line', () => {
    const lines = ['a', 'b', 'c', 'd', 'e'];
    assert.deepEqual(shards(2).map((s) => shareOfLines(lines, s)), [['a', 'c', 'e'], ['b', 'd']]);
    assert.deepEqual(shards(5).map((s) => shareOfLines(lines, s)).flat(), lines);
  });
  it('gives every shard a line when there are fewer lines than shards', () => {
    assert.deepEqual(shards(3).map((s) => shareOfLines(['a', 'b'], s)), [['a'], ['b'], ['a']]);
    assert.deepEqual(shareOfLines([], { index: 1, count: 2 }), []);
  });
});

function planTimes(plan: ConstantRatePlan, sends = 20): number[] {
  return Array.from({ length: sends }, (_, i) => Math.round(plan.intendedTimeMs(i) * 1e6) / 1e6);
}

describe('profile() as a shard, from the library', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['an index beyond the count', { shard: '3/2' }, /^options.shard: the shard index must be 0 to 1/],
    ['more shards than connections', { shard: { index: 0, count: 4 }, connections: 2 }, /^options.connections \(2\) must be at least the shard count \(4\)/],
    ['a start already past', { startAt: new Date(Date.now() - 60_000) }, /^options.startAt .* s in the past/],
    ['SHARD_INDEX in the given env without SHARD_COUNT', { env: { SHARD_INDEX: '1' } }, /^SHARD_INDEX is set but SHARD_COUNT is not/],
  ];
  for (const [name, options, says] of cases) {
    it(`refuses ${name} before any request`, async () => {
      await assert.rejects(profile({ url: 'http://127.0.0.1:9/score', ...options }), (error: Error) => error.name === 'SettingsError' && says.test(error.message));
    });
  }
});

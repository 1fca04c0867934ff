import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costAt, rankDeployments, rankingBasis, type DeploymentStanding } from '../../../src/report/cost.js';

describe('costAt: cost and core-hours per million requests', () => {
  const cases: [name: string, rps: number, price: Parameters<typeof costAt>[1], expected: ReturnType<typeof costAt>][] = [
    // 1e6 requests at 100 req/s take 10,000 s = 2.7778 h.
    ['one instance', 100, { pricePerHour: 0.18, coresPerInstance: 4 }, { costPerMillion: 0.5, coreHoursPerMillion: 11.1111 }],
    ['instances multiply both', 100, { pricePerHour: 0.18, instances: 3, coresPerInstance: 4 }, { costPerMillion: 1.5, coreHoursPerMillion: 33.3333 }],
    ['twice the rate halves both', 200, { pricePerHour: 0.18, coresPerInstance: 4 }, { costPerMillion: 0.25, coreHoursPerMillion: 5.55556 }],
    ['no price: core-hours only', 100, { coresPerInstance: 2 }, { coreHoursPerMillion: 5.55556 }],
    ['no cores: cost only', 1000, { pricePerHour: 3.6 }, { costPerMillion: 1 }],
    ['a free instance costs 0', 50, { pricePerHour: 0 }, { costPerMillion: 0 }],
    ['no rate: nothing', 0, { pricePerHour: 1, coresPerInstance: 1 }, {}],
  ];
  for (const [name, rps, price, expected] of cases) {
    it(name, () => assert.deepEqual(costAt(rps, price), expected));
  }
});

describe('rankDeployments', () => {
  const standing = (deployment: string, slaRps?: number, costPerMillion?: number, coreHoursPerMillion?: number): DeploymentStanding => ({
    deployment,
    ...(slaRps === undefined ? {} : { slaRps, pointId: 'r100' }),
    ...(costPerMillion === undefined ? {} : { costPerMillion }),
    ...(coreHoursPerMillion === undefined ? {} : { coreHoursPerMillion }),
  });

  it('ranks by cost when every deployment that met the SLA has a price: cheaper beats faster', () => {
    const ranked = rankDeployments([standing('big', 400, 0.9), standing('small', 150, 0.4), standing('none'), standing('mid', 250, 0.6)]);
    assert.deepEqual(ranked.map((r) => [r.deployment, r.rank]), [['small', 1], ['mid', 2], ['big', 3], ['none', undefined]]);
    assert.equal(rankingBasis([standing('big', 400, 0.9), standing('none')]), 'cost');
  });

  it('falls back to core-hours, then to the rate held, when prices are missing', () => {
    const byCores = [standing('a', 100, undefined, 8), standing('b', 300, 0.5, 4)];
    assert.equal(rankingBasis(byCores), 'core-hours');
    assert.deepEqual(rankDeployments(byCores).map((r) => r.deployment), ['b', 'a']);
    const byRate = [standing('a', 100), standing('b', 300, 0.5)];
    assert.equal(rankingBasis(byRate), 'throughput');
    assert.deepEqual(rankDeployments(byRate).map((r) => r.deployment), ['b', 'a']);
  });

  it('gives ties the same rank in the sweep order, and ranks nobody when nothing met the SLA', () => {
    const tied = rankDeployments([standing('x', 100, 2), standing('y', 100, 1), standing('z', 120, 1)]);
    assert.deepEqual(tied.map((r) => [r.deployment, r.rank]), [['y', 1], ['z', 1], ['x', 3]]);
    const none = rankDeployments([standing('x'), standing('y')]);
    assert.deepEqual(none.map((r) => r.rank), [undefined, undefined]);
    assert.equal(rankingBasis([standing('x')]), 'throughput');
  });
});

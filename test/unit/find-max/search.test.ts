import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findMaxRate, roundRate, type SearchOptions, type Verdict } from '../../../src/find-max/search.js';

/**
 * The search against made-up capacity curves: `measure` is a pure function of the rate here (the
 * real one is tested against the sample endpoint in find-max.test.ts). A fake clock advances by a
 * point's duration at each measurement, so time bounds are checked without waiting.
 */

interface FakeEndpoint {
  measure: (rate: number) => Promise<{ verdict: Verdict }>;
  rates: number[];
  clock: { now: () => number };
}

function fakeEndpoint(verdictAt: (rate: number, index: number) => Verdict, pointMs = 3000): FakeEndpoint {
  let time = 0;
  const rates: number[] = [];
  return {
    rates,
    clock: { now: () => time },
    measure: async (rate) => {
      rates.push(rate);
      time += pointMs;
      return { verdict: verdictAt(rate, rates.length - 1) };
    },
  };
}

const capacity = (limit: number) => (rate: number): Verdict => (rate <= limit ? 'pass' : 'fail');
const options = (endpoint: FakeEndpoint, extra: Partial<SearchOptions> = {}): SearchOptions => ({
  startRate: 10,
  factor: 2,
  precision: 0.05,
  now: endpoint.clock.now,
  ...extra,
});

describe('findMaxRate: ramp to a bracket, then bisect it', () => {
  const cases: [limit: number, startRate: number, precision: number][] = [
    [137, 10, 0.05],
    [3.7, 1, 0.05],
    [999, 10, 0.05],
    [5000, 50, 0.01],
    [10, 10, 0.05],
  ];
  for (const [limit, startRate, precision] of cases) {
    it(`finds a capacity of ${limit} req/s from ${startRate} req/s to within ${precision * 100}%`, async () => {
      const endpoint = fakeEndpoint(capacity(limit));
      const result = await findMaxRate(endpoint.measure, options(endpoint, { startRate, precision }));
      assert.equal(result.stop, 'precision');
      assert.equal(result.converged, true);
      const { low, high } = result.bracket;
      assert.ok(low !== undefined && high !== undefined);
      assert.equal(result.maxRate, low);
      assert.ok(low <= limit && high > limit, `bracket ${low}..${high} around ${limit}`);
      assert.ok(high - low <= precision * low, `bracket ${low}..${high} within ${precision}`);
      assert.ok(limit - low <= precision * limit + 0.01, `answer ${low} close below ${limit}`);
      // The answer is a rate that was measured and passed.
      assert.ok(result.steps.some((s) => s.rate === low && s.outcome.verdict === 'pass'));
    });
  }

  it('ramps by the factor, then probes only inside the bracket', async () => {
    const endpoint = fakeEndpoint(capacity(137));
    const result = await findMaxRate(endpoint.measure, options(endpoint));
    assert.deepEqual(endpoint.rates.slice(0, 5), [10, 20, 40, 80, 160]);
    let low = 80;
    let high = 160;
    for (const step of result.steps.slice(5)) {
      assert.ok(step.rate > low && step.rate < high, `${step.rate} inside ${low}..${high}`);
      if (step.outcome.verdict === 'pass') low = step.rate;
      else high = step.rate;
    }
    // 5 ramp points, then 120, 140, 130, 135: a 5 req/s bracket at 135 is within 5%.
    assert.deepEqual(endpoint.rates.slice(5), [120, 140, 130, 135]);
  });

  it('says so when even the lowest rate breaks the SLA, after one point', async () => {
    const endpoint = fakeEndpoint(capacity(5));
    const result = await findMaxRate(endpoint.measure, options(endpoint));
    assert.equal(result.stop, 'lowest-rate-fails');
    assert.equal(result.maxRate, undefined);
    assert.deepEqual(result.bracket, { high: 10 });
    assert.deepEqual(endpoint.rates, [10]);
  });

  it('stops at the ceiling when the ceiling passes, never measuring above it', async () => {
    const endpoint = fakeEndpoint(capacity(1000));
    const result = await findMaxRate(endpoint.measure, options(endpoint, { maxRate: 300 }));
    assert.equal(result.stop, 'ceiling');
    assert.equal(result.maxRate, 300);
    assert.deepEqual(endpoint.rates, [10, 20, 40, 80, 160, 300]);
  });

  it('starts at the ceiling when it is below the start rate', async () => {
    const endpoint = fakeEndpoint(capacity(1000));
    const result = await findMaxRate(endpoint.measure, options(endpoint, { startRate: 500, maxRate: 300 }));
    assert.deepEqual(endpoint.rates, [300]);
    assert.equal(result.maxRate, 300);
  });

  it('stops with the bracket so far when a point has no valid measurement', async () => {
    const endpoint = fakeEndpoint((rate) => (rate >= 100 ? 'invalid' : 'pass'));
    const result = await findMaxRate(endpoint.measure, options(endpoint));
    assert.equal(result.stop, 'invalid');
    assert.equal(result.converged, false);
    assert.equal(result.maxRate, 80);
    assert.deepEqual(result.bracket, { low: 80 });
  });

  it('never uses an invalid point for a verdict during the bisection either', async () => {
    const endpoint = fakeEndpoint((rate) => (rate > 137 ? 'fail' : rate === 120 ? 'invalid' : 'pass'));
    const result = await findMaxRate(endpoint.measure, options(endpoint));
    assert.equal(result.stop, 'invalid');
    assert.deepEqual(result.bracket, { low: 80, high: 160 });
    assert.equal(result.maxRate, 80);
  });

  it('keeps a bracket that noise cannot invert: the answer always passed and lies below every failure above it', async () => {
    // Near capacity the verdict flips pseudo-randomly, as it does on a real, noisy machine.
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 50; trial++) {
      const endpoint = fakeEndpoint((rate) => (rate < 90 ? 'pass' : rate > 110 ? 'fail' : random() < 0.5 ? 'pass' : 'fail'));
      const result = await findMaxRate(endpoint.measure, options(endpoint));
      const passed = result.steps.filter((s) => s.outcome.verdict === 'pass').map((s) => s.rate);
      assert.ok(passed.includes(result.maxRate!));
      assert.ok(result.maxRate! >= 80 && result.maxRate! <= 110, `answer ${result.maxRate}`);
      assert.ok(result.bracket.high! > result.maxRate!);
    }
  });
});

describe('findMaxRate with confirm: one noisy point can neither lift the answer nor sink it', () => {
  /** Capacity 137 req/s, except where `noise` says otherwise for the n-th measurement of a rate. */
  const noisy = (noise: Record<number, Verdict>) => {
    const seen = new Map<number, number>();
    return (rate: number): Verdict => {
      const first = !seen.has(rate);
      seen.set(rate, (seen.get(rate) ?? 0) + 1);
      return first && noise[rate] !== undefined ? noise[rate] : capacity(137)(rate);
    };
  };

  it('measures both ends of the final bracket twice on a clean curve', async () => {
    const endpoint = fakeEndpoint(capacity(137));
    const result = await findMaxRate(endpoint.measure, options(endpoint, { confirm: true }));
    assert.deepEqual(endpoint.rates, [10, 20, 40, 80, 160, 120, 140, 130, 135, 135, 140]);
    assert.equal(result.stop, 'precision');
    assert.equal(result.maxRate, 135);
  });

  it('reopens the bracket when its failing end passes on a second and third look (a passing dip)', async () => {
    const endpoint = fakeEndpoint(noisy({ 120: 'fail' }));
    const result = await findMaxRate(endpoint.measure, options(endpoint, { confirm: true }));
    assert.deepEqual(endpoint.rates.slice(5, 10), [120, 100, 110, 115, 115]);
    assert.deepEqual(endpoint.rates.slice(10, 12), [120, 120]);
    assert.equal(result.maxRate, 135);
    assert.deepEqual(result.bracket, { low: 135, high: 140 });
    // Without confirmation the dip at 120 req/s would have capped the answer below it.
    const unconfirmed = fakeEndpoint(noisy({ 120: 'fail' }));
    assert.equal((await findMaxRate(unconfirmed.measure, options(unconfirmed))).maxRate, 115);
  });

  it('takes back an answer that passed by luck', async () => {
    const endpoint = fakeEndpoint(noisy({ 140: 'pass' }));
    const result = await findMaxRate(endpoint.measure, options(endpoint, { confirm: true }));
    assert.equal(result.maxRate, 135);
    assert.deepEqual(endpoint.rates.filter((rate) => rate === 140).length, 3);
    const unconfirmed = fakeEndpoint(noisy({ 140: 'pass' }));
    assert.ok((await findMaxRate(unconfirmed.measure, options(unconfirmed))).maxRate! >= 140);
  });

  it('confirms that the lowest rate fails, and that the ceiling passes', async () => {
    const failing = fakeEndpoint(capacity(5));
    assert.equal((await findMaxRate(failing.measure, options(failing, { confirm: true }))).stop, 'lowest-rate-fails');
    assert.deepEqual(failing.rates, [10, 10]);
    const ceiling = fakeEndpoint(capacity(1000));
    assert.equal((await findMaxRate(ceiling.measure, options(ceiling, { confirm: true, maxRate: 50 }))).stop, 'ceiling');
    assert.deepEqual(ceiling.rates, [10, 20, 40, 50, 50]);
  });

  it('settles a lowest rate whose two looks disagree with a third', async () => {
    const endpoint = fakeEndpoint(noisy({ 10: 'fail' }));
    const result = await findMaxRate(endpoint.measure, options(endpoint, { confirm: true, maxRate: 20 }));
    assert.deepEqual(endpoint.rates, [10, 10, 10, 20, 20]);
    assert.equal(result.maxRate, 20);
  });
});

describe('findMaxRate: bounds', () => {
  it('starts no point that would end after the time budget', async () => {
    const endpoint = fakeEndpoint(capacity(137), 3000);
    const result = await findMaxRate(endpoint.measure, options(endpoint, { timeBudgetMs: 10_000, pointEstimateMs: 3000 }));
    assert.equal(result.stop, 'time');
    assert.equal(result.converged, false);
    assert.equal(endpoint.rates.length, 3);
    assert.ok(endpoint.clock.now() <= 10_000);
    assert.equal(result.maxRate, 40);
  });

  it('learns from points that take longer than estimated', async () => {
    const endpoint = fakeEndpoint(capacity(137), 4000);
    const result = await findMaxRate(endpoint.measure, options(endpoint, { timeBudgetMs: 10_000, pointEstimateMs: 1000 }));
    // Two 4 s points fit; a third would end at 12 s.
    assert.equal(endpoint.rates.length, 2);
    assert.equal(result.stop, 'time');
    assert.ok(endpoint.clock.now() <= 10_000);
  });

  it('stops after maxPoints', async () => {
    const endpoint = fakeEndpoint(capacity(137));
    const result = await findMaxRate(endpoint.measure, options(endpoint, { maxPoints: 6 }));
    assert.equal(result.stop, 'max-points');
    assert.equal(endpoint.rates.length, 6);
    assert.deepEqual(result.bracket, { low: 120, high: 160 });
  });

  it('on abort stops at once and does not use the point it interrupted', async () => {
    const aborter = new AbortController();
    const endpoint = fakeEndpoint((rate, index) => {
      if (index === 2) aborter.abort();
      return capacity(137)(rate);
    });
    const result = await findMaxRate(endpoint.measure, options(endpoint, { signal: aborter.signal }));
    assert.equal(result.stop, 'aborted');
    assert.deepEqual(endpoint.rates, [10, 20, 40]);
    assert.deepEqual(result.steps.map((s) => s.counted), [true, true, false]);
    assert.equal(result.maxRate, 20);
  });

  const invalid: [name: string, extra: Partial<SearchOptions>][] = [
    ['a start rate of 0', { startRate: 0 }],
    ['a factor of 1', { factor: 1 }],
    ['a precision of 0', { precision: 0 }],
    ['a precision of 1', { precision: 1 }],
    ['a negative ceiling', { maxRate: -5 }],
  ];
  for (const [name, extra] of invalid) {
    it(`refuses ${name} before measuring`, async () => {
      const endpoint = fakeEndpoint(capacity(137));
      await assert.rejects(findMaxRate(endpoint.measure, options(endpoint, extra)), RangeError);
      assert.equal(endpoint.rates.length, 0);
    });
  }
});

describe('roundRate', () => {
  const cases: [number, number][] = [
    [120, 120],
    [123.456, 123.5],
    [1234.56, 1235],
    [12345.6, 12350],
    [0.123456, 0.1235],
    [62.5, 62.5],
  ];
  for (const [rate, rounded] of cases) it(`${rate} -> ${rounded}`, () => assert.equal(roundRate(rate), rounded));
});

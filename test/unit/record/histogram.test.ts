import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addBuckets, createLatencyHistogram, encodeHistogram, histogramBuckets, recordLagMs, recordLatencyMs } from '../../../src/record/histogram.js';
import { seededRandom } from '../../../src/core/seeded-random.js';

describe('histogramBuckets / addBuckets: how a worker hands a second over', () => {
  it('rebuilds exactly the buckets of the histogram, merged across parts', () => {
    const random = seededRandom(7);
    const whole = createLatencyHistogram();
    const merged = createLatencyHistogram();
    for (let part = 0; part < 3; part++) {
      const second = createLatencyHistogram();
      for (let i = 0; i < 5000; i++) {
        const ms = random() < 0.01 ? 200 * random() : 10 * random();
        recordLatencyMs(second, ms);
        recordLatencyMs(whole, ms);
      }
      addBuckets(merged, histogramBuckets(second));
    }
    assert.equal(merged.totalCount, whole.totalCount);
    for (const p of [0, 50, 90, 99, 99.9, 99.99, 100]) assert.equal(merged.getValueAtPercentile(p), whole.getValueAtPercentile(p), `p${p}`);
    assert.equal(encodeHistogram(merged).length > 0, true);
  });

  it('keeps sends that left on time as zeros', () => {
    const lag = createLatencyHistogram();
    for (let i = 0; i < 99; i++) recordLagMs(lag, 0);
    recordLagMs(lag, 2.5);
    const copy = createLatencyHistogram();
    addBuckets(copy, histogramBuckets(lag));
    assert.equal(copy.totalCount, 100);
    assert.equal(copy.getValueAtPercentile(99), 0);
    assert.equal(copy.getValueAtPercentile(100), 2501);
  });

  it('hands over an empty second as no buckets', () => {
    assert.equal(histogramBuckets(createLatencyHistogram()).length, 0);
  });
});

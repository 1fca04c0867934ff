import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateChartPoints } from '../../../src/report/timeline-bars.js';

const timeline = [
  { t: 0, requests: 100, errors: 0 },
  { t: 1, requests: 100, errors: 2 },
  { t: 2, requests: 3, errors: 1 },
];

describe('rateChartPoints: the last, partial second of the window', () => {
  it('leaves out a sliver (a 2.002 s window), saying so', () => {
    const { points, note } = rateChartPoints({ timeline, measuredSeconds: 2.002 });
    assert.deepEqual(points.map((p) => p.t), [0, 1]);
    assert.equal(note, "The window's last 0.002 s (3 answers) is in every total but not drawn: a bar for it would be a sliver's count.");
  });

  it('draws a partial second of at least half a second as a rate', () => {
    const { points, note } = rateChartPoints({ timeline: [...timeline.slice(0, 2), { t: 2, requests: 75, errors: 3 }], measuredSeconds: 2.75 });
    assert.deepEqual(points.at(-1), { t: 2, requests: 100, errors: 4 });
    assert.match(note!, /last 0\.75 s, drawn as a rate per second/);
  });

  it('draws whole seconds as they are', () => {
    assert.deepEqual(rateChartPoints({ timeline, measuredSeconds: 3 }), { points: timeline });
  });
});

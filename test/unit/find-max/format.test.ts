import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { exitCodeOf, formatFindMax } from '../../../src/cli/find-max.js';
import type { FindMaxPoint, FindMaxRecord } from '../../../src/find-max/find-max.js';

const point = (rate: number, verdict: FindMaxPoint['verdict'], trustedUpTo: string | null, untrusted: string[]): FindMaxPoint => ({
  rate,
  verdict,
  reasons: [],
  attempts: 1,
  report: `find-max/${rate}/report.json`,
  counted: true,
  startedSec: 0,
  tookSec: 2.5,
  servedRps: rate,
  okRps: rate,
  p50Ms: 3,
  p99Ms: 9,
  errorRate: 0,
  // Valid only when p50 to p99 are trusted (issue 9).
  valid: trustedUpTo !== null && ['p99', 'p999', 'p9999', 'max'].includes(trustedUpTo),
  ...(trustedUpTo !== null && ['p99', 'p999', 'p9999', 'max'].includes(trustedUpTo) ? {} : { invalidBecause: [`${untrusted.join(', ')} are not trusted`] }),
  trustedUpTo,
  untrusted,
});

function record(stop: FindMaxRecord['stop'], maxRate: number | null): FindMaxRecord {
  return {
    schemaVersion: '1.0',
    target: { url: 'http://127.0.0.1:5001/score', method: 'POST' },
    tool: 'wrk2',
    sla: 'p99<=100ms',
    maxRate,
    answer: maxRate === null ? 'none' : stop === 'precision' ? 'highest' : 'at-least',
    restsOn: '3 runs: at 320 req/s 1 of 1 runs met the SLA, latency trusted up to p99',
    bracket: { low: maxRate, high: null },
    precision: 0.05,
    confirm: true,
    converged: stop === 'precision' || stop === 'ceiling',
    stop,
    message: 'the message',
    startTime: '2026-11-24T10:00:00.000Z',
    elapsedSec: 30,
    maxTimeSec: 900,
    points: [point(80, 'pass', 'max', []), point(160, 'pass', 'p95', ['p99', 'p999', 'max']), point(320, 'invalid', null, ['p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'])],
  };
}

describe('find-max answers state what they rest on', () => {
  const cases: [stop: FindMaxRecord['stop'], maxRate: number | null, exit: number, headline: RegExp][] = [
    ['precision', 320, EXIT.ok, /^MAX RATE 320 req\/s: /m],
    ['ceiling', 320, EXIT.ok, /^MAX RATE 320 req\/s: /m],
    ['time', 320, EXIT.runInvalid, /^AT LEAST 320 req\/s \(a lower bound, not the limit\): /m],
    ['invalid', 320, EXIT.runInvalid, /^AT LEAST 320 req\/s \(a lower bound, not the limit\): /m],
    ['invalid', null, EXIT.runInvalid, /^NO RATE MEETS THE SLA: /m],
    ['lowest-rate-fails', null, EXIT.slaFailed, /^NO RATE MEETS THE SLA: /m],
    ['aborted', 320, EXIT.interrupted, /^AT LEAST 320 req\/s/m],
  ];
  for (const [stop, maxRate, exit, headline] of cases) {
    it(`stopped by ${stop}${maxRate === null ? ', nothing found' : ''}: exit ${exit}`, () => {
      const found = record(stop, maxRate);
      assert.equal(exitCodeOf(found), exit);
      const text = formatFindMax(found);
      assert.match(text, headline);
      assert.match(text, /^ {2}rests on 3 runs: at 320 req\/s 1 of 1 runs met the SLA, latency trusted up to p99$/m);
    });
  }

  it('marks the figures a point did not trust', () => {
    const text = formatFindMax(record('precision', 320));
    assert.match(text, /^\s+80\s+80\.0\s+3\.0\s+9\.0\s+0\.00%\s+meets SLA$/m);
    assert.match(text, /^\s+320\s+320\.0\s+3\.0 \*\s+9\.0 \*\s+0\.00%\s+no verdict$/m);
    assert.match(text, /^\* not trusted: the generator's own send lag could have moved it/m);
  });

  it('says why a point judged on an invalid run is invalid: its SLA was judged clause by clause, where the lag cannot change it', () => {
    const text = formatFindMax(record('precision', 320));
    assert.match(text, /^\s+160\s+160\.0\s+3\.0\s+9\.0 \*\s+0\.00%\s+meets SLA \(run invalid\)$/m);
    assert.match(text, /^\(run invalid\) 160 req\/s: run invalid \(p99, p999, max are not trusted\); its verdict was judged clause by clause, only where the generator's own lag cannot change it$/m);
    // Only for a point with a verdict: 320 req/s has none, and says so in its row.
    assert.equal(text.match(/^\(run invalid\)/gm)?.length, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailures, judgeTarget, targetHeadline } from '../../../src/judge/target-outcome.js';
import { ERROR_KINDS, type ErrorKind } from '../../../src/record/result.js';

/** The parts of a report the judge reads. */
function part(ok: number, kinds: Partial<Record<ErrorKind, number>>, byStatus: Record<string, number> = {}, options: { method?: string; lines?: number } = {}) {
  const byKind = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, kinds[kind] ?? 0])) as Record<ErrorKind, number>;
  const errors = Object.values(byKind).reduce((a, b) => a + b, 0);
  return {
    requests: { total: ok + errors, ok, errors },
    errors: { byKind, byStatus, rate: errors / Math.max(1, ok + errors) },
    target: { url: 'http://127.0.0.1:5001/score', method: options.method ?? 'POST' },
    settings: { timeoutSec: 2, payload: { origin: 'payload.txt', lines: options.lines ?? 1 } },
  };
}

describe('judgeTarget: what the target did with the requests', () => {
  const cases: [name: string, report: ReturnType<typeof part>, noSuccess: boolean, high: boolean, seen: RegExp][] = [
    ['a wrong key: every answer 401', part(0, { http_status: 89068 }, { 401: 89068 }), true, false, /^89068 HTTP 401 \(Unauthorized: check the key \(the Authorization header\)\)$/],
    [
      'a forgotten payload: GET, 405 on all',
      part(0, { http_status: 150 }, { 405: 150 }, { method: 'GET', lines: 0 }),
      true,
      false,
      /^150 HTTP 405 \(Method Not Allowed: the endpoint does not take GET \(no payload was given, so GET was sent: add --payload or --payload-file\)\)$/,
    ],
    ['one bad payload line of two: 50% 400', part(500, { http_status: 500 }, { 400: 500 }, { lines: 2 }), false, true, /^500 HTTP 400 \(Bad Request: the endpoint rejects the body; errors by payload line show which lines\)$/],
    [
      'no HTTP answer at all, most frequent first',
      part(0, { timeout: 30, connect_refused: 100, connection_reset: 5 }),
      true,
      false,
      /^no HTTP answer at all: 100 refused \(nothing listens at 127\.0\.0\.1:5001\); 30 timed out \(no answer within the 2 s timeout\); 5 reset by the target$/,
    ],
    [
      'framing faults are broken answers, named as such, never "no HTTP answer at all"',
      part(0, { protocol: 40, timeout: 2 }),
      true,
      false,
      /^no valid HTTP answer: 40 answered with broken HTTP\/1\.1 framing \(a bad chunk size, Content-Length values that differ, bytes after a complete answer, or no HTTP\/1\.1 status line\); 2 timed out/,
    ],
    ['statuses and timeouts together', part(0, { http_status: 10, timeout: 20 }, { 503: 10 }), true, false, /^20 timed out .*; 10 HTTP 503 \(Service Unavailable/],
    ['a few errors: under 1% is not flagged', part(995, { http_status: 5 }, { 500: 5 }), false, false, /^5 HTTP 500/],
    ['Ctrl-C and local socket limits are not the target', part(0, { interrupted: 3, local_resources: 2 }), false, false, /^$/],
  ];
  for (const [name, report, noSuccess, high, seen] of cases) {
    it(name, () => {
      const outcome = judgeTarget(report);
      assert.equal(outcome.noSuccess, noSuccess);
      assert.equal(outcome.highErrorRate, high);
      assert.match(outcome.seen, seen);
    });
  }

  it("judges a window that measured nothing on the warm-up's sends that held its connections", () => {
    const empty = part(0, {});
    const hung = judgeTarget({ ...empty, warmup: { carried: { ok: 0, failed: 4, timedOut: 4 } } });
    assert.equal(hung.noSuccess, true);
    assert.match(
      targetHeadline(hung)!,
      /^TARGET ERROR: none of 4 requests succeeded: no send of the measured window was answered; the 4 requests planned in the warm-up that held its connections all failed: 4 timed out \(no answer within the 2 s timeout\)$/,
    );
    const refused = judgeTarget({ ...empty, warmup: { carried: { ok: 0, failed: 5, timedOut: 1, byStatus: { '503': 4 } } } });
    assert.match(refused.seen, /all failed: 4 HTTP 503 \(Service Unavailable: no healthy instance took the request\); 1 timed out/);
    // Answered, only far too slowly: no target error (validity says why nothing was measured).
    assert.equal(judgeTarget({ ...empty, warmup: { carried: { ok: 287, failed: 0, timedOut: 0 } } }).noSuccess, false);
    // A window with requests of its own is judged on them alone.
    assert.equal(judgeTarget({ ...part(10, {}), warmup: { carried: { ok: 0, failed: 2, timedOut: 2 } } }).noSuccess, false);
  });

  it('heads the summary with a target error, or a high error rate, or nothing', () => {
    assert.match(targetHeadline(judgeTarget(part(0, { http_status: 4 }, { 401: 4 })))!, /^TARGET ERROR: none of 4 requests succeeded: 4 HTTP 401/);
    assert.match(targetHeadline(judgeTarget(part(500, { http_status: 500 }, { 400: 500 })))!, /^HIGH ERROR RATE: 50\.00% of 1000 requests failed: 500 HTTP 400/);
    assert.equal(targetHeadline(judgeTarget(part(1000, {}))), undefined);
  });

  it("counts statuses a tool did not label (wrk's) without inventing them", () => {
    assert.equal(describeFailures(part(0, { http_status: 10 }, { 401: 6 })), '6 HTTP 401 (Unauthorized: check the key (the Authorization header)); 4 HTTP errors of unknown status');
  });
});

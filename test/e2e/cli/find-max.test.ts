import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { FindMaxRecord } from '../../../src/find-max/find-max.js';
import { runCli } from '../../support/cli.js';
import { freePort } from '../../support/free-port.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const DELAY_SERVER = fileURLToPath(new URL('../../support/delay-server.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'modelprof-find-max-cli-'));
const PAYLOAD = '{"data": [[1,2,3,4,5,6,7,8,9,10]]}';
/** Short points: 1 s measured after 0.5 s of warm-up. */
const SHORT = ['-d', '1s', '--warmup', '0.5s', '--cooldown', '0.3s'];
let slow: TestServer;

before(async () => {
  slow = await startTestServer({ delayMs: 30 });
});
after(() => slow.close());

describe('modelprof find-max: bad settings stop before any request with one line and exit 2', () => {
  const cases: [name: string, args: string[], message: RegExp][] = [
    ['no SLA', [], /--sla is required/],
    ['an SLA that does not parse', ['--sla', 'p99<=fast'], /--sla clause "p99<=fast"/],
    ['the closed-loop wrk model', ['--sla', 'p99<=1s', '--tool', 'wrk'], /--tool wrk is a closed loop with no rate to search/],
    ['a fixed --rate', ['--sla', 'p99<=1s', '--rate', '100'], /--rate: find-max searches the rate itself/],
    ['a precision of 150%', ['--sla', 'p99<=1s', '--precision', '150%'], /--precision must be a share between 0 and 1/],
    ['a factor of 1', ['--sla', 'p99<=1s', '--factor', '1'], /--factor must be greater than 1/],
    ['a start rate of 0', ['--sla', 'p99<=1s', '--start-rate', '0'], /--start-rate must be a number greater than 0/],
    ['a time bound shorter than one point', ['--sla', 'p99<=1s', '--max-time', '2s'], /--max-time \(2s\) is shorter than one point/],
    ['a negative price', ['--sla', 'p99<=1s', '--price-per-hour', '-1'], /--price-per-hour must be a number of at least 0/],
  ];
  // Each case is a program start and no load: two at once (one a core) halve their wall time.
  describe('each case', { concurrency: 2 }, () => {
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const result = await runCli(['find-max', '--url', slow.url, '-o', join(work, 'bad'), ...SHORT, ...args]);
        assert.equal(result.code, EXIT.badSettings, result.stderr);
        assert.match(result.stderr, message);
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
        assert.equal(result.stdout, '');
      });
    }
  });
  it('sent nothing for any of them', () => assert.equal(slow.received(), 0));
});

describe('modelprof find-max against real servers', () => {
  it('starts the target with --serve, keeps to --max-time, and labels what it found then as a lower bound (exit 3)', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/score`;
    // Answers in 30 ms whatever the rate, on timers: every point meets the SLA, and the target takes no
    // CPU from the generator (the sample endpoint at --work-factor 15 did, and on a busy machine its
    // send lag left the figures untrusted). Not slower: a 1 s point counts its served rate up to the
    // last answer, so a 100 ms answer reads as 9% short of the offered rate.
    const serve = `"${process.execPath}" "${DELAY_SERVER}" ${port} 30`;
    const maxTimeSec = 8;
    const started = performance.now();
    const result = await runCli(['find-max', '--url', url, '--serve', serve, '--payload', PAYLOAD, '--sla', 'p99<=300ms', '--start-rate', '20', '-c', '16', ...SHORT, '--max-time', `${maxTimeSec}s`, '--json', '-o', join(work, 'served')]);
    const wallSec = (performance.now() - started) / 1000;
    // Stopped by the time bound, the search has found a rate that meets the SLA, not the limit.
    assert.equal(result.code, EXIT.runInvalid, result.stderr);
    const record = JSON.parse(result.stdout) as FindMaxRecord;
    assert.equal(record.converged, false);
    assert.ok(record.points.length >= 1, record.message);
    const last = record.points.at(-1)!;
    const ms = (sec: number): number => Math.round(sec * 1000);
    // The rule kept: a point starts only when the longest point so far (at first the estimate: warm-up,
    // duration, cool-down and a second) ends within the bound. Only the last point's own slowness
    // past that estimate can take the search beyond it.
    let longestMs = ms(0.5 + 1 + 0.3 + 1);
    for (const point of record.points) {
      assert.ok(ms(point.startedSec) + longestMs <= ms(maxTimeSec), `a point started at ${point.startedSec} s with ${longestMs} ms needed`);
      longestMs = Math.max(longestMs, ms(point.tookSec));
    }
    // Writing find-max.json after the last point: well under a second even on a busy machine.
    assert.ok(record.elapsedSec - (last.startedSec + last.tookSec) < 1, `search took ${record.elapsedSec} s, its last point ended at ${last.startedSec + last.tookSec} s`);
    // The rest is starting node twice (modelprof and the served endpoint) and stopping the endpoint.
    assert.ok(wallSec <= record.elapsedSec + 4, `the command took ${wallSec.toFixed(1)} s, its search ${record.elapsedSec} s`);
    if (record.stop === 'invalid') {
      // A machine busy enough that the generator's own measured lag left a point with no verdict, twice:
      // the search stops there (exit 3 too), rather than decide on figures it cannot defend.
      assert.equal(last.verdict, 'invalid', record.message);
      assert.equal(last.attempts, 2);
      assert.match(last.reasons.join(' '), /the generator's own (send )?lag/, record.message);
      return;
    }
    // Points of about 2.5 s each: the ramp (20, 40, 80 req/s) runs out of time first; a busy machine
    // slows each point, so how many fit is read from the points' own timings.
    assert.equal(record.stop, 'time', record.message);
    assert.equal(record.answer, 'at-least', result.stdout);
    assert.match(record.restsOn, /^\d+ runs: at \d+ req\/s 1 of 1 runs met the SLA/);
    assert.deepEqual(record.points.map((p) => p.rate), [20, 40, 80].slice(0, record.points.length));
    assert.ok(record.points.every((p) => p.verdict === 'pass'), record.message);
    assert.equal(record.maxRate, Math.max(...record.points.map((p) => p.rate)));
    assert.ok(ms(last.startedSec + last.tookSec) + longestMs > ms(maxTimeSec), `stopped with time for another point: ${record.message}`);
    assert.match(record.message, /the time bound of 8s.*the limit is (at least \d+|between \d+ and \d+) req\/s, not (found|confirmed)/);
  });

  it('takes the target and SLA from a job file (not its rate), and exits 1 when even the lowest rate breaks the SLA', async () => {
    const job = join(work, 'job.yml');
    writeFileSync(job, `target:\n  url: ${slow.url}\nsla: "p99<=5ms"\nsettings:\n  connections: 4\n  rate: 999\n`);
    const result = await runCli(['find-max', '-f', job, '--start-rate', '20', ...SHORT, '-o', join(work, 'too-slow')]);
    assert.equal(result.code, EXIT.slaFailed, result.stderr);
    assert.match(result.stdout, /NO RATE MEETS THE SLA: even the lowest rate, 20 req\/s, breaks the SLA: p99 = .* breaks <= 5 ms/);
    // Judged clause by clause, on an invalid run too (a busy machine's lag may reach p99): then the row says so, and a line says why.
    assert.match(result.stdout, /^\s+20\s+20\.0\s+.*breaks SLA( \(run invalid\))?$/m);
    const record = JSON.parse(readFileSync(join(work, 'too-slow', 'find-max.json'), 'utf8')) as FindMaxRecord;
    assert.equal(/breaks SLA \(run invalid\)$/m.test(result.stdout), record.points.some((p) => p.verdict !== 'invalid' && !p.valid), result.stdout);
    if (record.points.some((p) => p.verdict !== 'invalid' && !p.valid)) assert.match(result.stdout, /^\(run invalid\) 20 req\/s: run invalid \(.+\); its verdict was judged clause by clause/m);
  });

  it('exits 3 when no valid measurement could be made, after measuring the point twice', async () => {
    const hundredMs = await startTestServer({ delayMs: 100 });
    try {
      const result = await runCli(['find-max', '--url', hundredMs.url, '--tool', 'labench', '--clients', '1', '--sla', 'p99<=1s', '--start-rate', '50', ...SHORT, '--json', '-o', join(work, 'invalid')]);
      assert.equal(result.code, EXIT.runInvalid, result.stderr);
      const record = JSON.parse(result.stdout) as FindMaxRecord;
      assert.equal(record.stop, 'invalid');
      assert.equal(record.maxRate, null);
      assert.equal(record.points.length, 1);
      assert.equal(record.points[0]!.attempts, 2);
      assert.equal(record.points[0]!.verdict, 'invalid');
    } finally {
      await hundredMs.close();
    }
  });

  it('exits 4 with one line when the target is down', async () => {
    const gone = await startTestServer({});
    await gone.close();
    const result = await runCli(['find-max', '--url', gone.url, '--sla', 'p99<=1s', ...SHORT, '-o', join(work, 'down')]);
    assert.equal(result.code, EXIT.toolError, result.stderr);
    assert.match(result.stderr, /modelprof: cannot connect to 127\.0\.0\.1:\d+: connection refused/);
  });
});

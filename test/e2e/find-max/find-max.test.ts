import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it, type TestContext } from 'node:test';
import { parseSla } from '../../../src/judge/sla.js';
import { profile } from '../../../src/run/profile.js';
import { findMax, type FindMaxRecord } from '../../../src/find-max/find-max.js';
import { startServedTarget, type ServedTarget } from '../../../src/target/served-process.js';
import { freePort } from '../../support/free-port.js';
import { settingsFor } from '../../support/settings.js';

/**
 * find-max against a real endpoint: a scikit-learn model under gunicorn (one sync worker, Flask: a
 * few hundred to a few thousand req/s). The sample endpoint's search runs through the CLI in
 * test/e2e/cli/find-max.test.ts; one library search is enough for the landing checks. Its capacity is
 * measured independently, by closed-loop runs before and after the search; the search must land
 * within 60-105% of it. On a shared machine the capacity itself drifts (other processes take the
 * server's core; 1328 to 2422 req/s seen within one test), so the answer is held to the range the
 * closed-loop runs measured: at least 60% of the lower of what 8 connections got answered, at most
 * 105% of the most any run got answered, 32 connections (the search's own) included.
 *
 * The points are short (1 s after 0.3 s of warm-up): enough for a queue to build above capacity
 * and for the served-rate check (97% of the offered rate) to see it, and the search then costs
 * about two seconds a point. The full-length search (10 s points) is what `modelprof find-max`
 * runs by default.
 */

const work = mkdtempSync(join(tmpdir(), 'modelprof-find-max-'));
const PAYLOAD = '{"data": [[1,2,3,4,5,6,7,8,9,10]]}';
const MAX_TIME_SEC = 120;
// A 20% bracket: the landing (60-105% of capacity) and the confirmations are what this test proves,
// and each halving of the bracket costs two more points; the search at the CLI default (5%) is
// test/unit/find-max/search.test.ts.
const PRECISION = 0.2;
const SKLEARN_APP = fileURLToPath(new URL('../../../../test/support', import.meta.url));

/** Connections the search's open-loop points use. */
const SEARCH_CONNECTIONS = 32;
/** The capacity floor's concurrency: few enough that the server sustains it on a busy machine. */
const FLOOR_CONNECTIONS = 8;

interface Capacity {
  /** req/s answered with 8 connections always busy. */
  floor: number;
  /** The most answered with 8 or with the search's 32. */
  ceiling: number;
}

/**
 * Requests per second the endpoint answers with every connection always busy (the wrk model), with
 * 8 connections and with the search's 32. The ceiling needs as many in flight as the search keeps:
 * with fewer, the server idles whenever the machine deschedules the generator (8 connections
 * measured 1104-1153 req/s where the search's 32 served 1478 req/s on trusted figures). The floor
 * is the 8-connection figure: a server sharing a busy machine may answer fewer with more in flight.
 */
async function closedLoopCapacity(url: string, name: string): Promise<Capacity> {
  const answered: Record<number, number> = {};
  for (const connections of [FLOOR_CONNECTIONS, SEARCH_CONNECTIONS]) {
    const settings = { ...settingsFor({ url, payload: PAYLOAD, tool: 'wrk', connections: String(connections), duration: '1.5s', output: join(work, `${name}-c${connections}`) }), warmupSec: 0.3 };
    const { report } = await profile(settings);
    assert.equal(report.errors.rate, 0);
    answered[connections] = report.throughput.okRps;
  }
  return { floor: answered[FLOOR_CONNECTIONS]!, ceiling: Math.max(...Object.values(answered)) };
}

interface Searched {
  record: FindMaxRecord;
  recordPath: string;
  capacity: [Capacity, Capacity];
  wallSec: number;
}

async function search(url: string, name: string, startRate: number): Promise<Searched> {
  const before = await closedLoopCapacity(url, `${name}-closed-before`);
  const started = performance.now();
  const settings = settingsFor({ url, payload: PAYLOAD, tool: 'wrk2', connections: String(SEARCH_CONNECTIONS), duration: '1s', output: join(work, name) });
  const { record, recordPath } = await findMax({
    settings: { ...settings, warmupSec: 0.3 },
    sla: { text: 'p99<=300ms, error_rate<1%', clauses: parseSla('p99<=300ms, error_rate<1%') },
    startRate,
    factor: 2,
    precision: PRECISION,
    confirm: true,
    maxTimeSec: MAX_TIME_SEC,
    cooldownSec: 0.2,
    price: { pricePerHour: 0.5, coresPerInstance: 2 },
    monitors: [],
    monitorIntervalMs: 1000,
  });
  const wallSec = (performance.now() - started) / 1000;
  const afterwards = await closedLoopCapacity(url, `${name}-closed-after`);
  return { record, recordPath, capacity: [before, afterwards], wallSec };
}

function checkLanding({ record, capacity }: Searched): void {
  const curve = record.points.map((p) => `${p.rate}:${p.verdict}(served ${p.servedRps}, p99 ${p.p99Ms})`).join(' ');
  const low = Math.min(...capacity.map((c) => c.floor));
  const high = Math.max(...capacity.map((c) => c.ceiling));
  // The open loop costs the generator more a request than the closed loop did: on a machine busy
  // enough to make the generator the limit first (its lag reaching even the p50 of a 1-2 ms target,
  // from the first point on), the search must say so and stop at a lower bound, or with none.
  if (record.stop === 'invalid') {
    assert.equal(record.answer, record.maxRate === null ? 'none' : 'at-least', record.message);
    assert.match(record.message, /the generator|not judged/, record.message);
    if (record.maxRate !== null) assert.ok(record.maxRate <= 1.05 * high, `a lower bound ${record.maxRate} req/s above the capacity ${high.toFixed(1)}; ${curve}`);
    return;
  }
  assert.notEqual(record.maxRate, null, record.message);
  assert.ok(
    record.maxRate! >= 0.6 * low && record.maxRate! <= 1.05 * high,
    `find-max ${record.maxRate} req/s vs closed loop ${JSON.stringify(capacity)} req/s (floor ${low.toFixed(1)}, ceiling ${high.toFixed(1)}); ${curve}`,
  );
}

function checkRecord({ record, recordPath }: Searched, folder: string): void {
  // A noisy machine may spend the time bound confirming flipped verdicts before the bracket closes,
  // or make the generator the limit (a point without a verdict): then the answer is labelled a lower
  // bound, never the limit.
  assert.ok(record.stop === 'precision' || record.stop === 'time' || record.stop === 'invalid', record.message);
  if (record.stop === 'invalid') return;
  assert.equal(record.converged, record.stop === 'precision');
  assert.equal(record.answer, record.converged ? 'highest' : 'at-least');
  const { low, high } = record.bracket;
  assert.equal(low, record.maxRate);
  assert.ok(high !== null && low !== null && high > low, `bracket ${low}..${high}`);
  if (record.converged) assert.ok(high - low <= PRECISION * low, `bracket ${low}..${high}`);
  // The verdicts at both ends stand by majority; converged, both ends were measured at least twice.
  const looks = (rate: number) => record.points.filter((p) => p.rate === rate).map((p) => p.verdict);
  assert.ok(looks(low).filter((v) => v === 'pass').length > looks(low).length / 2, looks(low).join());
  assert.ok(looks(high).filter((v) => v === 'fail').length > looks(high).length / 2, looks(high).join());
  if (record.converged) assert.ok(looks(low).length >= 2 && looks(high).length >= 2);
  assert.match(record.restsOn, new RegExp(`^\\d+ runs: at ${low} req/s \\d of \\d runs met the SLA.*; at ${high} req/s \\d of \\d runs broke the SLA`));
  const answer = record.points.filter((p) => p.rate === record.maxRate && p.verdict === 'pass').at(-1)!;
  // Every point has its own report, and the record on disk is what was returned.
  for (const point of record.points) assert.ok(existsSync(join(work, folder, point.report)), point.report);
  assert.deepEqual(JSON.parse(readFileSync(recordPath, 'utf8')), record);
  if (record.converged) assert.match(record.message, new RegExp(`the highest rate within the SLA is ${low} req/s .*both ends measured twice`));
  // The cost at the answer: 0.5/hour and 2 cores at the rate answered without error.
  assert.equal(record.cost?.okRps, answer.okRps);
  assert.ok(Math.abs(record.cost!.costPerMillion! - (0.5 * 1e6) / (answer.okRps * 3600)) < 1e-3);
  assert.ok(Math.abs(record.cost!.coreHoursPerMillion! - (2 * 1e6) / (answer.okRps * 3600)) < 1e-3);
}

/** Debian's python3-sklearn, python3-flask and gunicorn; required under CI. */
function sklearnOrSkip(t: TestContext): boolean {
  const probe = spawnSync('python3', ['-c', 'import sklearn, flask'], { env: { ...process.env, PATH: `/usr/bin:${process.env['PATH'] ?? ''}` } });
  const gunicorn = spawnSync('gunicorn', ['--version']);
  if (probe.status === 0 && gunicorn.status === 0) return true;
  assert.notEqual(process.env['CI'], 'true', 'gunicorn, python3-sklearn and python3-flask are required in CI (apt-get install gunicorn python3-sklearn python3-flask)');
  t.skip('gunicorn with scikit-learn and Flask not installed (apt-get install gunicorn python3-sklearn python3-flask)');
  return false;
}

describe('findMax against a scikit-learn model under gunicorn', () => {
  let served: ServedTarget | undefined;
  let url = '';
  let searched: Searched | undefined;
  after(() => served?.stop());

  it('runs the search within its time bound', async (t) => {
    if (!sklearnOrSkip(t)) return;
    const port = await freePort();
    url = `http://127.0.0.1:${port}/score`;
    served = await startServedTarget(`gunicorn --workers 1 --bind 127.0.0.1:${port} --chdir ${SKLEARN_APP} sklearn_app:app`, new URL(url), 60_000);
    searched = await search(url, 'sklearn', 100);
    assert.ok(searched.wallSec <= MAX_TIME_SEC, `took ${searched.wallSec.toFixed(1)} s`);
  });
  it('lands within 60-105% of the closed-loop capacity', (t) => (searched ? checkLanding(searched) : t.skip('no search ran')));
  it('reports the curve it measured, the answer with its bracket, and what the answer rests on', (t) =>
    searched ? checkRecord(searched, 'sklearn') : t.skip('no search ran'));
});

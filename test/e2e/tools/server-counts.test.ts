import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { runBuiltin } from '../../../src/load/builtin-engine.js';
import type { ErrorKind, RunResult } from '../../../src/record/result.js';
import type { Settings } from '../../../src/settings/settings.js';
import { discoverLabench, discoverWrkFamily } from '../../../src/tools/discovery.js';
import { labenchAdapter } from '../../../src/tools/labench.js';
import { wrk2Adapter } from '../../../src/tools/wrk2.js';
import { wrkAdapter } from '../../../src/tools/wrk.js';
import { FRAMINGS, startFramingServer, type Framing, type FramingCounts } from '../../support/framing-server.js';
import { externalSettings } from '../../support/external-settings.js';
import { programAvailable } from '../../support/tool-fixtures.js';

/**
 * Every way an HTTP/1.1 answer can be framed or end (RFC 9112 sections 6 and 9.6; see
 * test/support/framing-server.ts), against each engine, held against what the server itself
 * counted. What the server saw falls into four kinds: valid answers, faulty answers, requests it
 * dropped (closed without a complete answer), requests it never answered. `Reading` says how an
 * engine reports each; the defaults are what a client should say. The exceptions below are the
 * real programs' own limits, measured here and listed in the README.
 */
type Outcome = 'ok' | ErrorKind;
interface Reading {
  answered: Outcome;
  faulty: Outcome;
  dropped: Outcome;
  unanswered: Outcome;
  /** The program cannot tell a request written into a connection the server was closing (reuse_race) from one it dropped. */
  racesUnknown?: boolean;
}
const RIGHT: Reading = { answered: 'ok', faulty: 'protocol', dropped: 'connection_reset', unanswered: 'timeout' };

interface Engine {
  name: string;
  /** Runs at once: the builtin's worker threads start in this process, beside the servers. */
  batch: number;
  /** How far counts may stray: a program that stops without waiting leaves out what was in flight. */
  slack: number;
  limits: Partial<Record<Framing, Partial<Reading>>>;
  available(t: TestContext): Promise<boolean>;
  run(url: string): Promise<RunResult>;
}

const CONNECTIONS = 2;
/** A timeout well past the 20 ms answers, so a busy machine does not turn slow answers into timeouts. */
const TIMEOUT_SEC = 3;
const same = (url: string, tool: Settings['tool']): Settings =>
  externalSettings({ url: new URL(url), tool, durationSec: 1, timeoutSec: TIMEOUT_SEC, connections: CONNECTIONS, clients: CONNECTIONS, threads: 1, rate: 40 });

const ENGINES: Engine[] = [
  {
    name: 'builtin (wrk model)',
    batch: 5,
    slack: 0,
    limits: {},
    available: async () => true,
    run: (url) => runBuiltin({ ...same(url, 'wrk'), engine: 'builtin' }),
  },
  {
    name: 'wrk 4.1.0',
    batch: FRAMINGS.length,
    slack: CONNECTIONS,
    limits: {
      // wrk's parser errors are read errors, which it does not tell from a dropped connection.
      'conflicting-length': { faulty: 'connection_reset' },
      'te-and-length': { faulty: 'connection_reset' },
      'bad-chunk': { faulty: 'connection_reset' },
      // Stray bytes after a complete answer fail the next parse, not the answer: a warning says so.
      'extra-bytes': { faulty: 'ok' },
      // wrk waits for a body after a 304 with a Content-Length.
      'not-modified': { answered: 'timeout' },
      'keepalive-close': { racesUnknown: true },
      'idle-close': { racesUnknown: true },
    },
    available: async (t) => programAvailable(t, await discoverWrkFamily('wrk'), true),
    run: (url) => {
      const settings = same(url, 'wrk');
      return wrkAdapter.run(settings, { runDir: settings.outputDir });
    },
  },
  {
    name: 'wrk2 (wrk 4.0.0)',
    batch: FRAMINGS.length,
    slack: CONNECTIONS,
    limits: {
      // wrk 4.0.0's parser takes the second Content-Length and waits for it; it lets TE win over CL.
      'conflicting-length': { faulty: 'timeout' },
      'te-and-length': { faulty: 'ok' },
      'bad-chunk': { faulty: 'connection_reset' },
      'extra-bytes': { faulty: 'ok' },
      'not-modified': { answered: 'timeout' },
      // wrk 4.0.0 ignores an end of file before any byte of an answer: the request waits to the end.
      'reset-on-receipt': { dropped: 'timeout' },
      'keepalive-close': { racesUnknown: true },
      'idle-close': { racesUnknown: true },
    },
    available: async (t) => programAvailable(t, await discoverWrkFamily('wrk2'), true),
    run: (url) => {
      const settings = same(url, 'wrk2');
      return wrk2Adapter.run(settings, { runDir: settings.outputDir });
    },
  },
  {
    name: 'LaBench',
    batch: FRAMINGS.length,
    slack: 0,
    limits: {
      // LaBench expects 200 and never reads a body; Go lets Transfer-Encoding win over Content-Length
      // and refuses a coding it does not know.
      'no-content': { answered: 'http_status' },
      'not-modified': { answered: 'http_status' },
      'te-not-final': { answered: 'protocol' },
      'te-and-length': { faulty: 'ok' },
      'extra-bytes': { faulty: 'ok' },
      'bad-chunk': { faulty: 'ok' },
      'truncated-body': { dropped: 'ok' },
      // Go calls a race "server closed idle connection" only when it read the close first; a request
      // written before that meets a reset ("connection reset by peer"), which it cannot tell from a drop.
      'keepalive-close': { racesUnknown: true },
      'idle-close': { racesUnknown: true },
    },
    available: async (t) => programAvailable(t, await discoverLabench(), true),
    run: (url) => {
      const settings = same(url, 'labench');
      return labenchAdapter.run(settings, { runDir: settings.outputDir });
    },
  },
];

/** What the report should hold, per outcome, given what the server counted. */
function expectedOutcomes(counts: FramingCounts, reading: Reading): Map<Outcome, number> {
  const expected = new Map<Outcome, number>();
  const add = (outcome: Outcome, n: number): void => void expected.set(outcome, (expected.get(outcome) ?? 0) + n);
  add(reading.answered, counts.answered);
  add(reading.faulty, counts.faulty);
  add(reading.dropped, counts.dropped);
  add(reading.unanswered, counts.unanswered);
  return expected;
}

function reported(result: RunResult, outcome: Outcome): number {
  return outcome === 'ok' ? result.requests.ok : result.errors.byKind[outcome];
}

for (const engine of ENGINES) {
  describe(`${engine.name}: counts agree with the server's for every framing and every close`, () => {
    const runs = new Map<Framing, Promise<{ result: RunResult; counts: FramingCounts }>>();
    test(`every framing, ${engine.batch} at a time, 1 s each, against servers answering in 20 ms`, async (t) => {
      if (!(await engine.available(t))) return;
      const measure = async (framing: Framing): Promise<{ result: RunResult; counts: FramingCounts }> => {
        const server = await startFramingServer({ framing, delayMs: 20, closeAfter: 3, idleCloseMs: 30 });
        try {
          const result = await engine.run(server.url);
          // Late answers and closes reach the server's counts a moment after the program ends.
          await new Promise((resolve) => setTimeout(resolve, 50));
          return { result, counts: { ...server.counts } };
        } finally {
          await server.close();
        }
      };
      for (let start = 0; start < FRAMINGS.length; start += engine.batch) {
        const batch = FRAMINGS.slice(start, start + engine.batch);
        for (const framing of batch) runs.set(framing, measure(framing));
        await Promise.allSettled(batch.map((framing) => runs.get(framing)));
      }
    });
    for (const framing of FRAMINGS) {
      test(framing, async (t) => {
        const run = runs.get(framing);
        if (!run) return t.skip('the engine did not run');
        const { result, counts } = await run;
        const reading = { ...RIGHT, ...engine.limits[framing] };
        const where = `server ${JSON.stringify(counts)}; report ${JSON.stringify({ requests: result.requests, byKind: result.errors.byKind })}`;
        assert.ok(counts.received > 0, where);
        assert.equal(result.requests.total, result.requests.ok + result.requests.errors);
        // Every request the report counts reached the server, but those written into a connection
        // the server had just closed (reuse_race), which a program may not tell from dropped ones.
        const { reuse_race: races, connection_reset: resets } = result.errors.byKind;
        const reached = result.requests.total - races;
        const fewest = reading.racesUnknown ? reached - resets : reached;
        assert.ok(counts.received >= fewest - engine.slack && counts.received <= reached + engine.slack, `reached ${reached}: ${where}`);
        for (const [outcome, count] of expectedOutcomes(counts, reading)) {
          // Resets the program cannot tell from races: the drops, and at most one race per unannounced close.
          const raceRoom = reading.racesUnknown && outcome === 'connection_reset' ? counts.closedUnannounced : 0;
          const got = reported(result, outcome);
          assert.ok(got >= count - engine.slack && got <= count + raceRoom + engine.slack, `${outcome}: expected ${count}${raceRoom ? ` (+ up to ${raceRoom} races)` : ''}; ${where}`);
        }
        // A race needs a close the client was not told of (keepalive-close, and idle-close: a request
        // written as the idle timer fires, likelier on a busy machine): at most one request per such
        // close, as a connection carries one at a time. Any other framing has none.
        assert.ok(races <= counts.closedUnannounced, `${races} reuse races for ${counts.closedUnannounced} unannounced closes: ${where}`);
      });
    }
  });
}

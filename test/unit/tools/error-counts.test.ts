import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { wrkFamilyRemarks, wrkFamilyTally, type WrkFamilyCounts } from '../../../src/tools/error-counts.js';

/**
 * Figures wrk 4.1.0 and wrk2 printed against test/support/framing-server.ts (2 connections, 10 ms
 * answers), beside what that server counted: the tally must land on the server's numbers, less the
 * requests still in flight when the tool stopped (at most one per connection).
 */
const cases: { name: string; counts: Partial<WrkFamilyCounts>; server: { received: number }; expect: Record<string, number> }[] = [
  {
    name: 'wrk, close-delimited answers: the read error at each closing end costs no request',
    counts: { sent: 156, parsed: 154, statuses: { '200': 154 }, endsAtClose: 154, readErrors: 154 },
    server: { received: 156 },
    expect: { total: 154, ok: 154, errors: 0, inFlightAtEnd: 2 },
  },
  {
    name: 'wrk2, close-delimited answers: wrk 4.0.0 reports no read error at the close',
    counts: { tool: 'wrk2', sent: 100, parsed: 100, statuses: { '200': 100 }, endsAtClose: 100 },
    server: { received: 101 },
    expect: { total: 100, ok: 100, errors: 0 },
  },
  {
    name: 'wrk, the server closes keep-alive connections after 3 answers unannounced: 55 closes, 13 requests written into them',
    counts: { sent: 181, parsed: 166, statuses: { '200': 166 }, readErrors: 55 },
    server: { received: 168 },
    // Whether the server read them is not known (a half-closed socket may): connection_reset, as the builtin says.
    expect: { total: 179, ok: 166, reuse_race: 0, connection_reset: 13, spareSocketErrors: 42 },
  },
  {
    name: 'wrk, the target stops listening mid-run (the probe saw refusals): write errors are refused connects, not resets',
    counts: { sent: 23_465, parsed: 158, statuses: { '200': 158 }, readErrors: 2, writeErrors: 23_305, portRefused: true },
    server: { received: 160 },
    expect: { total: 23_465, ok: 158, connect_refused: 23_305, connection_reset: 2 },
  },
  {
    name: 'wrk2, a server that never answers, stopped by a signal: the requests in flight are interrupted, not timed out',
    counts: { tool: 'wrk2', sent: 4, parsed: 0, statuses: {}, interrupted: true },
    server: { received: 4 },
    expect: { total: 4, ok: 0, timeout: 0, interrupted: 4 },
  },
  {
    name: 'wrk, the server drops every request: each read error is a lost request',
    counts: { sent: 157, parsed: 0, statuses: {}, readErrors: 155 },
    server: { received: 157 },
    expect: { total: 155, ok: 0, connection_reset: 155, timeout: 0, inFlightAtEnd: 2 },
  },
  {
    name: 'wrk, a server that never answers: no answer and no close in the whole run, so the sends are timeouts',
    counts: { sent: 2, parsed: 0, statuses: {} },
    server: { received: 2 },
    expect: { total: 2, ok: 0, timeout: 2 },
  },
  {
    name: 'wrk2, a server that never answers',
    counts: { tool: 'wrk2', sent: 2, parsed: 0, statuses: {}, timeouts: 2 },
    server: { received: 2 },
    expect: { total: 2, ok: 0, timeout: 2 },
  },
  {
    name: 'wrk, bytes after every answer: the read errors cost no request',
    counts: { sent: 158, parsed: 156, statuses: { '200': 156 }, readErrors: 156 },
    server: { received: 158 },
    expect: { total: 156, ok: 156, connection_reset: 0, spareSocketErrors: 156 },
  },
  {
    // The first 100 on each connection has no header field, so the script misses two of them.
    name: 'wrk, 100 and 103 before every 200: interim answers are not requests',
    counts: { sent: 184, parsed: 546, statuses: { '103': 182, '200': 182, '100': 180 } },
    server: { received: 184 },
    expect: { total: 184, ok: 184, interim: 362 },
  },
  {
    name: 'wrk, 204 answers without a header field: the script never sees them, wrk counts them',
    counts: { sent: 158, parsed: 156, statuses: {} },
    server: { received: 158 },
    expect: { total: 156, ok: 156, unlabelled: 156 },
  },
  {
    name: 'wrk, late answers: counted as answers and as timeouts',
    counts: { connections: 4, sent: 800, parsed: 796, statuses: { '200': 796 }, timeouts: 4 },
    server: { received: 800 },
    expect: { total: 796, ok: 792, timeout: 4 },
  },
];

describe('wrkFamilyTally lands on the server\'s counts', () => {
  for (const { name, counts, server, expect } of cases) {
    test(name, () => {
      const tally = wrkFamilyTally({
        tool: 'wrk',
        connections: 2,
        sent: 0,
        parsed: 0,
        statuses: {},
        statusErrors: 0,
        endsAtClose: 0,
        connectErrors: 0,
        readErrors: 0,
        writeErrors: 0,
        timeouts: 0,
        ...counts,
      });
      const seen: Record<string, number> = {
        ...tally.requests,
        ...tally.errors.byKind,
        spareSocketErrors: tally.spareSocketErrors,
        inFlightAtEnd: tally.inFlightAtEnd,
        interim: tally.interim,
        unlabelled: tally.unlabelled,
      };
      for (const [key, value] of Object.entries(expect)) assert.equal(seen[key], value, key);
      assert.equal(tally.requests.ok + tally.requests.errors, tally.requests.total);
      // What the server received is what was counted plus what was still in flight, less the refused
      // connects and the requests written into closing connections, which may not have reached it.
      const { connect_refused: refused, connection_reset: reset } = tally.errors.byKind;
      const counted = tally.requests.total - refused;
      assert.ok(server.received - counted >= -reset && server.received - counted <= (counts.connections ?? 2), `server ${server.received}, tally ${counted}`);
    });
  }

  test('the tool limits behind the figures become warnings, which reach the console', () => {
    const tally = wrkFamilyTally({
      tool: 'wrk',
      connections: 2,
      sent: 184,
      parsed: 546,
      statuses: { '103': 182, '200': 182, '100': 180 },
      statusErrors: 0,
      endsAtClose: 0,
      connectErrors: 0,
      readErrors: 40,
      writeErrors: 0,
      timeouts: 0,
    });
    const { warnings } = wrkFamilyRemarks('wrk', tally);
    assert.match(warnings[0]!, /^wrk took 362 interim \(1xx\) answers for final ones.*latency, which they broke, is not reported/);
    assert.match(warnings[1]!, /^wrk reported 40 read errors that cost no request/);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import { runCli } from '../../support/cli.js';
import { freePort } from '../../support/free-port.js';
import { assertValidReport } from '../../support/report-schema.js';

// A target that dies mid-run must show, whatever the load model: the closed loop retries a refused
// connection every 10 ms, so its error rate stays under 1% while the target is down half the run.

const work = mkdtempSync(join(tmpdir(), 'modelprof-outage-'));
const DIES_AFTER_MS = 1000;

/** A server on 127.0.0.1 that answers, then closes for good DIES_AFTER_MS after its first request. */
async function dyingServer(): Promise<string> {
  let first = 0;
  const server = http.createServer((request, response) => {
    if (first === 0) {
      first = Date.now();
      setTimeout(() => {
        server.close();
        server.closeAllConnections();
      }, DIES_AFTER_MS);
    }
    request.resume();
    request.on('end', () => response.end('{"result":[1]}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
}

const readReport = (out: string): Report => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;

// The two tests use separate servers and folders: they run side by side, to keep the suite short.
describe('outages', { concurrency: true }, () => {
  it('every load model shows a target that died mid-run: in the verdict, the SLA, the console and the HTML timeline', async () => {
    // The external programs give no timeline: modelprof's own connection probe finds the outage.
    const models = [
      ['wrk', '-c', '4'],
      ['wrk2', '-R', '200', '-c', '4'],
      ['labench', '-R', '200', '--clients', '4'],
      ['wrk', '--engine', 'external', '-c', '2', '--timeout', '1s'],
      ['labench', '--engine', 'external', '-R', '100', '--clients', '4'],
    ] as const;
    const results = await Promise.all(
      models.map(async ([tool, ...load], i) => {
        const out = join(work, `${tool}-${i}`);
        const result = await runCli(['run', '--url', await dyingServer(), '--tool', tool, ...load, '-d', '4s', '--warmup', '0', '--sla', 'error_rate<60%', '-o', out]);
        return { tool: `${(load as readonly string[]).includes('external') ? 'external ' : ''}${tool}`, out, result };
      }),
    );
    for (const { tool, out, result } of results) {
      assert.equal(result.code, EXIT.toolError, `${tool}: ${result.stderr}`);
      const report = readReport(out);
      assertValidReport(report);
      assert.equal(report.availability!.basis, tool.startsWith('external') ? 'probe' : 'timeline', tool);
      // A refused connection is the target's absence, never "reset by the target".
      if (tool.startsWith('external')) assert.ok(report.errors.byKind.connect_refused > 0 && report.errors.byKind.connect_refused > report.errors.byKind.connection_reset, `${tool}: ${JSON.stringify(report.errors.byKind)}`);
      const [outage] = report.availability!.outages;
      // Down from about 1 s (the server's own timer; a busy machine delays when answers are read) to the end of the 4 s window.
      assert.ok(outage && outage.startSec > 0.3 && outage.startSec < 3 && Math.abs(outage.startSec + outage.seconds - 4) < 0.01, `${tool}: ${JSON.stringify(report.availability)}`);
      assert.ok(report.availability!.share < 0.75, `${tool}: availability ${report.availability!.share}`);
      assert.match(result.stdout, /^TARGET DOWN: [\d.]+ s without a successful answer from [\d.]+ s into the window(?: \(the target's port took no connection: \d+ of modelprof's probes failed\))?; availability [\d.]+% of the 4\.0 s window/m, tool);
      assert.match(result.stdout, /FAIL +availability=100% \(implied\)|n\/a +availability=100% \(implied\)/, `${tool}: the SLA shows it`);
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      assert.match(html, /<h2>Target down: [\d.]+ s without a successful answer(?: \(availability [\d.]+%\))?<\/h2>/, tool);
      // The external programs have no timeline to shade: the Over time section names the outage.
      if (tool.startsWith('external')) assert.match(html, /<p class="partial" id="outages">[\d.]+ s without a successful answer/, tool);
      else assert.match(html, /<g class="span"><rect [^>]*\/><text [^>]*>target down [\d.]+ s<\/text><\/g>/, `${tool}: the timeline shades it`);
    }
    // The closed loop retries a refused connection every 10 ms, between thousands of quick answers:
    // its error rate is well under the share of the time the target was down.
    const closedLoop = readReport(results[0]!.out);
    const down = 1 - closedLoop.availability!.share;
    assert.ok(closedLoop.errors.rate < down / 2, `the closed loop's error rate ${closedLoop.errors.rate} against ${down} of the time down`);
  });

  /** Whether something accepts connections on 127.0.0.1:port. */
  function accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  }

  it('a --serve server killed mid-run is an outage with its cause; modelprof killed with -9 takes its server down with it', async () => {
    // The server kills itself (SIGKILL) DIES_AFTER_MS after its first request.
    const script = join(work, 'server.cjs');
    writeFileSync(
      script,
      'let first = 0; require("node:http").createServer((q, s) => { if (!first) { first = 1; setTimeout(() => process.kill(process.pid, "SIGKILL"), Number(process.argv[3])); } q.resume(); q.on("end", () => s.end("{}")); }).listen(Number(process.argv[2]), "127.0.0.1");',
    );
    const [killedPort, orphanPort] = [await freePort(), await freePort()];
    const out = join(work, 'served');
    const killed = runCli(['run', '--serve', `'${process.execPath}' '${script}' ${killedPort} ${DIES_AFTER_MS}`, '--url', `http://127.0.0.1:${killedPort}/score`, '--tool', 'wrk2', '-R', '100', '-d', '3s', '--warmup', '0', '-o', out]);

    let modelprofPid = 0;
    const orphaned = runCli(['run', '--serve', `'${process.execPath}' '${script}' ${orphanPort} 600000`, '--url', `http://127.0.0.1:${orphanPort}/score`, '--tool', 'wrk2', '-R', '10', '-d', '60s', '-o', join(work, 'orphan')], {
      onStart: (pid) => (modelprofPid = pid),
    });
    for (let waited = 0; !(await accepts(orphanPort)); waited += 100) {
      assert.ok(waited < 30_000, 'the served server never came up');
      await sleep(100);
    }
    process.kill(modelprofPid, 'SIGKILL');
    assert.equal((await orphaned).code, null, 'modelprof was killed');
    // The guard stops the served group once modelprof's end closes its pipe.
    let gone = false;
    for (let waited = 0; waited < 10_000 && !gone; waited += 100) {
      gone = !(await accepts(orphanPort));
      if (!gone) await sleep(100);
    }
    assert.ok(gone, 'the --serve server outlived kill -9 of modelprof');

    const result = await killed;
    assert.equal(result.code, EXIT.toolError, result.stderr);
    const outage = readReport(out).availability!.outages.at(-1)!;
    assert.match(outage.cause!, /^the --serve server (exited with code 137|was killed by SIGKILL)$/);
    assert.match(result.stdout, /^TARGET DOWN: .*\(the --serve server (exited with code 137|was killed by SIGKILL)\)/m);
  });
});

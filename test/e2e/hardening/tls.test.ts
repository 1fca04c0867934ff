import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { Report } from '../../../src/report/report.js';
import { discoverLabench, discoverWrkFamily, type ToolDiscovery } from '../../../src/tools/discovery.js';
import { runCli } from '../../support/cli.js';

// wrk and wrk2 accept any certificate: modelprof verifies the peer itself before handing them the
// target, refuses one it cannot trust without -k, and says in the report who verified what.

const work = mkdtempSync(join(tmpdir(), 'modelprof-tls-'));
const key = join(work, 'key.pem');
const cert = join(work, 'cert.pem');
/** Two servers with the same certificate: one only refused (it must receive nothing), one trusted. */
const servers: { url: string; received: number; close: () => void }[] = [];

before(async () => {
  // A certificate for 127.0.0.1 (as a subject alternative name, which host-name checks read), self-signed.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  for (let i = 0; i < 2; i++) {
    const entry = { url: '', received: 0, close: () => undefined as unknown };
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
      entry.received++;
      request.resume();
      request.on('end', () => response.end('{"result":[1]}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    entry.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
    entry.close = () => (server.closeAllConnections(), server.close());
    servers.push(entry);
  }
});
after(() => servers.forEach((server) => server.close()));

/** Whether a real tool is here; under CI (which installs them) a missing one fails. */
function present(discovery: ToolDiscovery): boolean {
  if (!discovery.found && process.env['CI'] === 'true') assert.fail(`CI must run the real ${discovery.tool}: ${discovery.problem ?? ''}`);
  return discovery.found;
}

it('an untrusted certificate is refused on every engine without -k, before a request; a trusted one is verified and the report says by whom', async () => {
  const engines: string[][] = [['--engine', 'builtin']];
  if (present(await discoverWrkFamily('wrk'))) engines.push(['--engine', 'external', '--tool', 'wrk']);
  if (present(await discoverWrkFamily('wrk2'))) engines.push(['--engine', 'external', '--tool', 'wrk2', '-R', '20']);
  if (present(await discoverLabench())) engines.push(['--engine', 'external', '--tool', 'labench', '-R', '20']);
  const [untrusted, trusted] = servers as [(typeof servers)[number], (typeof servers)[number]];
  const run = (engine: string[], name: string, target: string, extra: string[] = [], env: Record<string, string> = {}) =>
    runCli(['run', '--url', target, ...engine, '-d', '1s', '--warmup', '0', '-o', join(work, name), ...extra], { env });

  // Trusted (Node reads NODE_EXTRA_CA_CERTS) on the other server; wrk never checks, so there it is modelprof's check alone.
  const trust = { NODE_EXTRA_CA_CERTS: cert };
  const [refused, [builtin, wrk, insecure]] = await Promise.all([
    Promise.all(engines.map((engine, i) => run(engine, `refused-${i}`, untrusted.url))),
    Promise.all([
      run(engines[0]!, 'builtin', trusted.url, [], trust),
      engines[1] ? run(engines[1], 'wrk', trusted.url, [], trust) : undefined,
      engines[1] ? run(engines[1], 'wrk-insecure', trusted.url, ['-k']) : undefined,
    ]),
  ]);
  refused.forEach((result, i) => {
    assert.equal(result.code, EXIT.toolError, `${engines[i]!.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /cannot connect to 127\.0\.0\.1:\d+: self[- ]signed certificate \(pass --insecure for a test endpoint\)/);
  });
  assert.equal(untrusted.received, 0, 'no request reached an unverified peer');

  const tlsOf = (name: string): Report['target']['tls'] => (JSON.parse(readFileSync(join(work, name, 'report.json'), 'utf8')) as Report).target.tls;
  // Valid or not (a busy machine may void a run), the verification is what is checked.
  const measured = (code: number | null): boolean => code === EXIT.ok || code === EXIT.runInvalid;
  assert.ok(measured(builtin!.code), builtin!.stderr);
  assert.deepEqual(tlsOf('builtin'), { verified: true, by: 'modelprof, on every connection (certificate chain and host name)' });
  assert.match(builtin!.stdout, /^ {2}tls: certificate verified by modelprof, on every connection/m);
  if (wrk && insecure) {
    assert.ok(measured(wrk.code), wrk.stderr);
    assert.deepEqual(tlsOf('wrk'), { verified: true, by: 'modelprof, once before the load (certificate chain and host name); wrk itself verifies no certificate' });
    assert.ok(measured(insecure.code), insecure.stderr);
    assert.deepEqual(tlsOf('wrk-insecure'), { verified: false, by: '--insecure accepts any certificate, and wrk never verifies one' });
    assert.match(readFileSync(join(work, 'wrk-insecure', 'report.html'), 'utf8'), /TLS certificate<\/th><td>NOT verified: --insecure accepts any certificate/);
  }
  assert.ok(trusted.received > 0);
});

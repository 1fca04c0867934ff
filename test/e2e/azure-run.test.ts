import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Report } from '../../src/report/report.js';
import { runCli, type CliResult } from '../support/cli.js';
import { assertValidReport } from '../support/report-schema.js';
import { standInVariables, startAzureStandIn, type AzureStandIn, type AzureStandInOptions } from '../support/azure-stand-in.js';

// `modelprof run` with an Azure ML deployment named by the seed's variables, end to end, against the
// Azure stand-in (test/support/azure-stand-in.ts: no Azure is reachable from a test; it answers with
// the published ARM, token and Azure Monitor shapes). Its self-signed certificate is trusted the way a
// user would trust a private CA: NODE_EXTRA_CA_CERTS, naming that one certificate.
// The stand-in's clock runs two minutes ahead, so the run's minute has already closed on "Azure's"
// clock and Azure Monitor's figures are in without waiting a real minute.

const standIns: AzureStandIn[] = [];
after(() => Promise.all(standIns.map((s) => s.close())));

async function standIn(options: AzureStandInOptions): Promise<AzureStandIn> {
  const started = await startAzureStandIn({ clockAheadMs: 120_000, ...options });
  standIns.push(started);
  return started;
}

function seedVariables(s: AzureStandIn): Record<string, string> {
  return {
    ...standInVariables(s),
    NODE_EXTRA_CA_CERTS: s.caFile,
    PAYLOAD: '{"data": [[1, 2, 3]]}',
    DURATION: '2s',
    WARMUP: '0',
  };
}

/** Every command line on this machine, read from /proc while the run lasts: the process list. */
function watchProcessList(): { stop: () => string[] } {
  const seen = new Set<string>();
  const sample = (): void => {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        // the process ended between the listing and the read
      }
    }
  };
  sample();
  const timer = setInterval(sample, 50);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return [...seen];
    },
  };
}

function onPath(program: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((folder) => folder !== '' && existsSync(join(folder, program)));
}

/** No key or token may be found in any of `texts`, named for the failure message. */
function assertNoSecrets(secrets: readonly string[], texts: Record<string, string>): void {
  assert.ok(secrets.length > 0);
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `a credential appears in ${where}`);
  }
}

/**
 * A run that measured: exit 0, or 3 when a busy machine kept the generator from its plan (the
 * report then says the run is invalid, and everything checked here still holds).
 */
function assertMeasured(result: CliResult, folder: string): Report {
  const report = readReport(folder);
  if (result.code === 3) assert.equal(report.validity.valid, false, result.stderr);
  else assert.equal(result.code, 0, result.stderr);
  return report;
}

function readReport(folder: string): Report {
  const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as Report;
  assertValidReport(report);
  return report;
}

describe('modelprof run against an Azure ML deployment (stand-in)', () => {
  it('resolves a Key endpoint from the seed variables, sends the header, reports Azure Monitor figures, and leaks the key nowhere', async (t) => {
    // The real wrk runs here: an external program is where a key could reach a command line.
    if (!onPath('wrk')) {
      if (process.env['CI'] === 'true') assert.fail('CI must run the real wrk (apt-get install wrk)');
      return t.skip('wrk is not on PATH');
    }
    const s = await standIn({ authMode: 'Key', scoreDelayMs: 2 });
    const folder = mkdtempSync(join(tmpdir(), 'modelprof-azure-'));
    const summary = join(folder, 'summary.md');
    writeFileSync(summary, '');
    const processes = watchProcessList();
    const result = await runCli(['run', '--output', join(folder, 'out'), '--sla', 'azure.cpu.max<80%, error_rate<1%', '--junit', join(folder, 'junit.xml')], {
      env: { ...seedVariables(s), IDENTITY_ACCESS_TOKEN: s.armToken, PROFILING_TOOL: 'wrk', ENGINE: 'external', GITHUB_STEP_SUMMARY: summary },
    });
    const commandLines = processes.stop();
    const report = assertMeasured(result, join(folder, 'out'));
    assert.match(result.stderr, /target: Azure ML deployment "blue" of endpoint "my-endpoint" .* auth Key, Standard_DS3_v2 x2, 2 concurrent requests per instance/);
    assert.ok(s.scoring.ok > 0);
    assert.equal(s.scoring.unauthorized + s.scoring.badDeployment, 0, 'every request carried the key and the deployment header');

    assert.equal(report.target.url, `${s.origin}/score`);
    assert.deepEqual(report.target.azure?.targetFrom, 'azure');
    assert.equal(report.settings.connections, 2, 'CONNECTIONS defaults to maxConcurrentRequestsPerInstance');
    const cpu = report.resources?.metrics['azure.cpu'];
    assert.ok(cpu, JSON.stringify(report.resources?.monitors));
    assert.equal(cpu.grainSeconds, 60);
    assert.ok(report.resources?.metrics['azure.latency_p99']);
    assert.equal(report.resources?.metrics['azure.requests_per_minute']?.timeline.reduce((n, p) => n + p.v, 0), s.scoring.ok);
    assert.match(result.stdout, /Azure CPU \(per minute\)/);
    assert.match(result.stdout, /Latency, server-side \(Azure Monitor, 1-minute grain\) vs client-side \(modelprof\)/);
    const html = readFileSync(join(folder, 'out', 'report.html'), 'utf8');
    assert.match(html, /id="server-latency"/);
    const junit = readFileSync(join(folder, 'junit.xml'), 'utf8');
    assert.match(junit, /azure\.cpu\.max = [\d.]+% \(1-minute grain; from azure-monitor:[^)]+\), within &lt; 80%/);

    // Every file of the output folder, the generated wrk script included: wrk reads the key from its environment.
    const outputs = Object.fromEntries(readdirSync(join(folder, 'out')).map((name) => [`outputs/${name}`, readFileSync(join(folder, 'out', name), 'utf8')]));
    assertNoSecrets(s.secrets(), {
      ...outputs,
      stdout: result.stdout,
      stderr: result.stderr,
      junit,
      'the step summary': readFileSync(summary, 'utf8'),
      'the process list': commandLines.join('\n'),
    });
    const script = readdirSync(join(folder, 'out')).find((name) => name.endsWith('.lua'));
    assert.ok(script && (statSync(join(folder, 'out', script)).mode & 0o077) === 0);
    assert.ok(s.secrets().includes(s.key), 'the check above looks for the real key');
  });

  it('renews an AML token that expires mid-run: no request is refused, and no token leaks', async () => {
    const s = await standIn({ authMode: 'AMLToken', amlTokenLifetimeSec: 3, amlTokenRefreshAfterSec: 1 });
    const folder = mkdtempSync(join(tmpdir(), 'modelprof-azure-'));
    const result = await runCli(['run', '--output', folder, '--tool', 'wrk2', '--rate', '50', '--duration', '4s'], { env: { ...seedVariables(s), IDENTITY_ACCESS_TOKEN: s.armToken } });
    const report = assertMeasured(result, folder);
    const tokens = s.secrets().filter((secret) => secret.startsWith('aml-'));
    assert.ok(tokens.length >= 3, `renewed: ${tokens.length - 1} times`);
    assert.equal(s.scoring.unauthorized, 0, 'no request went out with an expired token');
    assert.ok(s.scoring.ok >= 150);
    assert.equal(report.requests.errors, 0);
    assert.equal(report.target.azure?.authMode, 'AMLToken');
    assertNoSecrets(tokens, { 'report.json': JSON.stringify(report), 'report.html': readFileSync(join(folder, 'report.html'), 'utf8'), stdout: result.stdout, stderr: result.stderr });
  });

  it('signs in with the Azure ML compute managed identity for ARM and an AADToken endpoint, rides out ARM throttling, and reports metrics that never came', async () => {
    const s = await standIn({ authMode: 'AADToken', throttle: { times: 1, retryAfterSec: 1 }, metricsDelayMs: 3_600_000 });
    const folder = mkdtempSync(join(tmpdir(), 'modelprof-azure-'));
    const result = await runCli(['run', '--output', folder, '--duration', '1s', '--azure-metrics-wait', '1s'], {
      env: { ...seedVariables(s), MSI_ENDPOINT: s.msi.endpoint, MSI_SECRET: s.msi.secret, DEFAULT_IDENTITY_CLIENT_ID: s.msi.clientId, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' },
    });
    const report = assertMeasured(result, folder);
    assert.match(result.stderr, /ARM throttled \(429\) for .*; retrying in 1 s/);
    assert.ok(s.scoring.ok > 0);
    assert.equal(s.scoring.unauthorized, 0);
    const azure = report.resources?.monitors.find((m) => m.name === 'azure-monitor:my-endpoint/blue');
    assert.equal(azure?.ok, false);
    // A run of a few seconds spans one minute, or two when it crosses a minute boundary.
    assert.match(azure?.error ?? '', /Azure Monitor has no data for the run's [12] minute\(s\) after waiting 1s/);
    // The reason is on the console and the page too, not only in report.json.
    assert.match(result.stdout, /^ {2}monitor azure-monitor:my-endpoint\/blue failed: Azure Monitor has no data for the run's [12] minute\(s\) after waiting 1s/m);
    assert.match(readFileSync(join(folder, 'report.html'), 'utf8'), /monitor azure-monitor:my-endpoint\/blue failed: Azure Monitor has no data/);
    assert.ok(!Object.keys(report.resources?.metrics ?? {}).some((name) => name.startsWith('azure.')), 'nothing invented');
    assertNoSecrets(s.secrets(), { 'report.json': JSON.stringify(report), stdout: result.stdout, stderr: result.stderr });
  });

  const refusals: [string, AzureStandInOptions, Record<string, string>, number, RegExp][] = [
    ['a deployment still being created', { deploymentState: 'Creating' }, {}, 4, /^modelprof: deployment "blue" of endpoint "my-endpoint" is Creating, not Succeeded/m],
    ['an endpoint that does not exist', {}, { ONLINE_ENDPOINT: 'nope' }, 2, /^modelprof: online endpoint "nope" .* does not exist \(404, ResourceNotFound/m],
    ['a token ARM rejects', {}, { IDENTITY_ACCESS_TOKEN: 'expired-or-wrong' }, 4, /^modelprof: Azure Resource Manager rejected the credential .* \(401, InvalidAuthenticationToken/m],
    ['a missing name', {}, { WORKSPACE: '' }, 2, /^modelprof: SUBSCRIPTION, RESOURCE_GROUP, ONLINE_ENDPOINT, DEPLOYMENT are set but WORKSPACE is not/m],
  ];
  for (const [what, options, env, code, message] of refusals) {
    it(`refuses ${what} in one line, exit ${code}, nothing sent`, async () => {
      const s = await standIn(options);
      const folder = mkdtempSync(join(tmpdir(), 'modelprof-azure-'));
      const result: CliResult = await runCli(['run', '--output', folder], { env: { ...seedVariables(s), IDENTITY_ACCESS_TOKEN: s.armToken, ...env } });
      assert.equal(result.code, code, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(s.scoring.ok + s.scoring.unauthorized + s.scoring.badDeployment, 0);
      assert.ok(!existsSync(join(folder, 'report.json')));
    });
  }
});

describe('profile() from the library, with an Azure ML deployment (stand-in)', () => {
  it('looks the deployment up and reports its Azure Monitor figures, without printing', async () => {
    const { profile } = await import('../../src/index.js');
    const s = await standIn({ authMode: 'Key' });
    const lines: string[] = [];
    const report = await profile({
      azure: { ...s.names, armEndpoint: s.origin, ca: s.ca },
      env: { IDENTITY_ACCESS_TOKEN: s.armToken },
      // The scoring route shares the stand-in's self-signed certificate.
      insecure: true,
      payload: '{"data": [[1]]}',
      duration: 1,
      warmup: 0,
      output: mkdtempSync(join(tmpdir(), 'modelprof-azure-')),
      onLog: (line) => lines.push(line),
    });
    assert.equal(report.target.azure?.deployment, 'blue');
    assert.ok(report.resources?.metrics['azure.cpu'], JSON.stringify(report.resources?.monitors));
    assert.ok(s.scoring.ok > 0 && s.scoring.unauthorized === 0);
    assert.match(lines.join('\n'), /^target: Azure ML deployment "blue"/);
    assertNoSecrets(s.secrets(), { 'report.json': JSON.stringify(report), log: lines.join('\n') });
  });
});

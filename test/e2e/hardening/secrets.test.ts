import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../../support/cli.js';
import { discoverLabench, discoverWrkFamily, type ToolDiscovery } from '../../../src/tools/discovery.js';

/**
 * Every way a secret can be given, against every surface modelprof writes to: one table. A row
 * names how the secret is given and in which runs; each run gives all its rows at once, and then
 * no surface may hold any of their values, while the target must have received every one (so the
 * test cannot pass by sending nothing). A new way to give a credential (an Azure key, a token) is
 * a new row.
 */
interface Way {
  name: string;
  /** The secret as given. */
  secret: string;
  /** What reaches the target when it differs from the secret (a URL's user info goes as Basic auth). */
  onWire?: string;
  /** The runs that give it (LaBench cannot take a key in the URL's query; external tools no user info). */
  runs: readonly RunName[];
  give: Giving;
}
type RunName = 'builtin' | 'wrk' | 'labench' | 'sweep';
interface Giving {
  args?: string[];
  env?: Record<string, string>;
  /** Lines under a job file's target.headers. */
  jobHeaders?: string[];
  /** Added to the target URL's query. */
  query?: string;
  /** The URL's user info, user:password. */
  userInfo?: string;
  /** Lines under the sweep deployment's headers. */
  sweepHeaders?: string[];
}

const tag = (row: number): string => `s3cr3t-row${row}-${process.pid}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtb2RlbHByb2YifQ.c2lnbmF0dXJlLXJvdzc';
const RUNS_WITH_HEADERS: readonly RunName[] = ['builtin', 'wrk', 'labench'];

const WAYS: Way[] = [
  { name: '-H with a literal Authorization', secret: tag(1), runs: RUNS_WITH_HEADERS, give: { args: ['-H', `Authorization: Bearer ${tag(1)}`] } },
  { name: '-H with ${VAR} under a plain name', secret: tag(2), runs: RUNS_WITH_HEADERS, give: { args: ['-H', 'X-Tenant: ${MP_ROW2}'], env: { MP_ROW2: tag(2) } } },
  { name: 'SCORING_HEADERS with a literal key', secret: tag(3), runs: RUNS_WITH_HEADERS, give: { env: { SCORING_HEADERS: JSON.stringify({ 'Ocp-Apim-Subscription-Key': tag(3), 'X-Route': '${MP_ROW4}' }) } } },
  { name: 'SCORING_HEADERS with ${VAR} under a plain name', secret: tag(4), runs: RUNS_WITH_HEADERS, give: { env: { MP_ROW4: tag(4) } } },
  { name: 'a job file header with ${VAR}', secret: tag(5), runs: RUNS_WITH_HEADERS, give: { jobHeaders: ['X-Customer: "${MP_ROW5}"'], env: { MP_ROW5: tag(5) } } },
  { name: '--set target.headers with ${VAR}', secret: tag(6), runs: RUNS_WITH_HEADERS, give: { args: ['--set', 'target.headers.X-Team=${MP_ROW6}'], env: { MP_ROW6: tag(6) } } },
  { name: 'a JWT under a plain name in a job file', secret: JWT, runs: RUNS_WITH_HEADERS, give: { jobHeaders: [`X-Upstream: "${JWT}"`] } },
  { name: 'a key in the URL query', secret: tag(8), runs: ['builtin', 'wrk'], give: { query: `code=${tag(8)}` } },
  { name: 'a sweep deployment header with ${VAR}', secret: tag(9), runs: ['sweep'], give: { sweepHeaders: ['X-Sweep: "${MP_ROW9}"'], env: { MP_ROW9: tag(9) } } },
  { name: 'a password in a sweep deployment URL', secret: tag(10), onWire: Buffer.from(`user:${tag(10)}`).toString('base64'), runs: ['sweep'], give: { userInfo: `user:${tag(10)}` } },
];

const work = mkdtempSync(join(tmpdir(), 'modelprof-secrets-'));

/**
 * A target that keeps every request head it receives (the request line and headers, raw), and
 * answers every fifth with a 500 whose body echoes that head, as a careless server does: the error
 * bodies the report keeps are a surface too.
 */
async function recordingServer(): Promise<{ port: number; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const server = http.createServer((request, response) => {
    const head = `${request.url} ${request.rawHeaders.join(' ')}`;
    received.push(head);
    request.resume();
    request.on('end', () => {
      if (received.length % 5 === 0) response.writeHead(500).end(JSON.stringify({ error: 'echo', request: head }));
      else response.end('{"result":[1]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

/** All text of every file under `dir`. */
function filesUnder(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => [path, readFileSync(path, 'utf8')]);
}

/** Command lines of the processes running now (modelprof's own excluded: what the user typed is theirs). */
async function processList(): Promise<string> {
  const { stdout } = await promisify(execFile)('ps', ['-e', '-o', 'args='], { encoding: 'utf8' });
  return stdout
    .split('\n')
    .filter((line) => !line.includes('main.js'))
    .join('\n');
}

/** Runs one CLI invocation giving `ways` against a target on `port`, and returns every surface's text, by name. */
async function surfaces(run: RunName, ways: Way[], port: number): Promise<Record<string, string>> {
  const dir = join(work, run);
  const env: Record<string, string> = { GITHUB_STEP_SUMMARY: join(work, `${run}-summary.md`) };
  for (const way of ways) Object.assign(env, way.give.env);
  writeFileSync(env['GITHUB_STEP_SUMMARY']!, '');
  const query = ways.flatMap((way) => (way.give.query ? [way.give.query] : [])).join('&');
  const userInfo = ways.find((way) => way.give.userInfo)?.give.userInfo;
  const url = `http://${userInfo ? `${userInfo}@` : ''}127.0.0.1:${port}/score${query ? `?${query}` : ''}`;
  let args: string[];
  if (run === 'sweep') {
    const file = join(work, 'sweep.yml');
    const headers = ways.flatMap((way) => way.give.sweepHeaders ?? []);
    writeFileSync(
      file,
      ['tool: wrk2', 'grid: { rate: [50] }', 'cooldown: 0s', 'sla: "error_rate<1%"', 'settings: { duration: 0.5s, warmup: 0s }', 'deployments:', '  - name: d', `    url: ${url}`, ...(headers.length > 0 ? ['    headers:', ...headers.map((line) => `      ${line}`)] : [])].join('\n'),
    );
    args = ['sweep', '-f', file, '-o', dir];
  } else {
    mkdirSync(dir);
    const job = join(work, `${run}-job.yml`);
    const headers = ways.flatMap((way) => way.give.jobHeaders ?? []);
    writeFileSync(job, ['target:', `  url: ${url}`, '  headers:', ...headers.map((line) => `    ${line}`)].join('\n'));
    const engine = run === 'builtin' ? ['--tool', 'wrk2', '-R', '50', '-d', '0.5s'] : ['--engine', 'external', '--tool', run, '-d', '1s', ...(run === 'labench' ? ['-R', '20'] : [])];
    args = ['run', '-f', job, '--warmup', '0', '-o', dir, '--sla', 'error_rate<1%', '--junit', join(dir, 'junit.xml'), ...engine, ...ways.flatMap((way) => way.give.args ?? []), ...(run === 'wrk' ? ['--json'] : [])];
  }
  const listed: Promise<string>[] = [];
  let poll: NodeJS.Timeout | undefined;
  const result = await runCli(args, { env, onStart: () => (poll = setInterval(() => listed.push(processList()), 250)) });
  clearInterval(poll);
  // Valid or not (a busy machine may void a run), the SLA met or not (a fifth of the answers are errors),
  // every surface is written and checked.
  assert.ok(result.code === 0 || result.code === 1 || result.code === 3, `${run}: exit ${result.code}: ${result.stderr}`);
  const found: Record<string, string> = {
    stdout: result.stdout,
    stderr: result.stderr,
    'step summary': readFileSync(env['GITHUB_STEP_SUMMARY']!, 'utf8'),
    'process list': (await Promise.all(listed)).join('\n'),
  };
  for (const [path, text] of filesUnder(dir)) found[path.slice(work.length + 1)] = text;
  return found;
}

/** Whether a real tool is here; under CI (which installs them) a missing one fails. */
function present(discovery: ToolDiscovery): boolean {
  if (!discovery.found && process.env['CI'] === 'true') assert.fail(`CI must run the real ${discovery.tool}: ${discovery.problem ?? ''}`);
  return discovery.found;
}

it('no secret, however it is given, reaches any surface, and every one reaches the target', async (t) => {
  const runs: RunName[] = ['builtin', 'sweep'];
  if (present(await discoverWrkFamily('wrk'))) runs.push('wrk');
  if (present(await discoverLabench())) runs.push('labench');
  if (runs.length < 4) t.diagnostic(`without ${['wrk', 'labench'].filter((tool) => !runs.includes(tool as RunName)).join(' and ')} here, only ${runs.join(' and ')} ran`);
  const leaks: string[] = [];
  // Side by side, each against its own target: the suite stays short.
  const measured = await Promise.all(
    runs.map(async (run) => {
      const ways = WAYS.filter((way) => way.runs.includes(run));
      const target = await recordingServer();
      try {
        return { run, ways, received: target.received, texts: await surfaces(run, ways, target.port) };
      } finally {
        await target.close();
      }
    }),
  );
  for (const { run, ways, received, texts } of measured) {
    for (const way of ways) {
      const wire = way.onWire ?? way.secret;
      assert.ok(received.some((head) => head.includes(wire)), `${run}: "${way.name}" never reached the target`);
      for (const [surface, text] of Object.entries(texts)) {
        if (text.includes(way.secret) || text.includes(wire)) leaks.push(`${run}: "${way.name}" leaks into ${surface}`);
      }
    }
    // The surfaces exist and were read: a run that wrote nothing would pass vacuously.
    assert.ok(Object.keys(texts).some((surface) => surface.endsWith('report.html')), `${run}: ${Object.keys(texts).join(', ')}`);
    if (run !== 'sweep') assert.ok(texts[`${run}/junit.xml`] !== undefined && texts['step summary'] !== '', `${run}: JUnit and step summary written`);
  }
  assert.deepEqual(leaks, []);
  // The echoed request heads reached the report (as redacted error bodies), so that surface was checked.
  assert.match(measured.find((each) => each.run === 'builtin')!.texts['builtin/report.json']!, /\\"error\\":\\"echo\\"/);
});

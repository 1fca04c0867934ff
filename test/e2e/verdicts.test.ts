import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startNginx, type Nginx } from '../../bench/nginx.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { lagPercentileFor, trustedThrough, trustLimitMs, VALID_THROUGH } from '../../src/judge/trust.js';
import { PLAN_HELD_SHARE, SATURATED_GENERATOR } from '../../src/judge/validity.js';
import { decodeHistogram } from '../../src/record/histogram.js';
import type { Report } from '../../src/report/report.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/free-port.js';

/**
 * Verdicts that are right both ways, on real runs: the target on core 0, the generator pinned to
 * core 1 (taskset), as the bench does. What a shared machine does to the generator is not under
 * the test's control, so each assertion about trust is checked against the send lag the run itself
 * measured (the rule, applied to the run's own figures); what must hold whatever the machine does
 * is asserted outright: a load the generator cannot send is never valid, a busy loop on its core
 * shows in its send lag, and a clause is judged or not exactly as the lag allows.
 */
const TARGET_CORE = '0';
const GENERATOR_CORE = '1';
const work = mkdtempSync(join(tmpdir(), 'modelprof-verdicts-'));
const LATENCY_SERVER = fileURLToPath(new URL('../../bench/latency-server.js', import.meta.url));
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
const pinned = ['taskset', '-c', GENERATOR_CORE];

let tenMs: { url: string; child: ChildProcess };

before(async () => {
  const port = await freePort();
  const child = spawn('taskset', ['-c', TARGET_CORE, process.execPath, LATENCY_SERVER], { env: { ...process.env, PORT: String(port), DELAY_MS: '10' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  tenMs = { url: `http://127.0.0.1:${port}/score`, child };
});
after(() => tenMs.child.kill('SIGTERM'));

/** Starts a CPU-bound loop on the generator's core, at the given niceness, until stopped. */
function busyLoop(nice: number): () => void {
  const child = spawn('nice', ['-n', String(nice), 'taskset', '-c', GENERATOR_CORE, process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' });
  return () => child.kill('SIGKILL');
}

/** The open-loop run against the 10 ms server the cases below share: 500 req/s over 16 connections, 2 s. */
async function tenMsRun(name: string, sla: string): Promise<{ code: number | null; report: Report; stdout: string }> {
  const out = join(work, name);
  const result = await runCli(['run', '--url', tenMs.url, '--tool', 'wrk2', '-R', '500', '-c', '16', '-d', '2s', '--warmup', '0.5s', '--sla', sla, '-o', out], { wrap: pinned });
  return { code: result.code, report: readReport(out), stdout: result.stdout };
}

/**
 * Every figure is trusted exactly when the run's own send lag, read as the rule says, is within its
 * tolerance (and every figure below it is trusted); the run is valid exactly when the load was held
 * and p50 to p99 are trusted. Returns the figures from p50 to p99 the measured lag reaches.
 */
function assertTrustFollowsTheLag(report: Report): string[] {
  const lag = decodeHistogram(report.histogramSendLag!);
  const reached: string[] = [];
  let below = true;
  for (const figure of report.validity.trust!) {
    const percent = figure.figure === 'max' ? 100 : Number(figure.figure.replace(/^p(\d\d)(\d*)$/, '$1.$2'));
    const at = lagPercentileFor(percent, true);
    const lagMs = (at >= 100 ? lag.maxValue : lag.getValueAtPercentile(at)) / 1000;
    assert.ok(Math.abs(lagMs - figure.lagMs) < 0.002, `${figure.figure}: lag ${lagMs} vs reported ${figure.lagMs}`);
    const within = lagMs <= trustLimitMs(figure.latencyMs) + 0.0005;
    assert.equal(figure.trusted, within && below, JSON.stringify(figure));
    if (!within && percent <= 99) reached.push(figure.figure);
    below &&= within;
  }
  assert.equal(report.validity.valid, report.validity.loadHeld && trustedThrough(report.validity.trust!, VALID_THROUGH));
  return reached;
}

describe('verdicts against a 10 ms server, generator pinned to its own core', () => {
  it('a quiet run: trusted as its send lag says, and the SLA gate gives 1 or 0 as the figures say', async () => {
    const { code, report, stdout } = await tenMsRun('quiet', 'p99<=5ms');
    assertTrustFollowsTheLag(report);
    if (!report.validity.loadHeld) {
      // A quiet run is only quiet if the machine is: a busy machine can take the generator's core
      // outright (send lag median 22 ms seen at load average 10.8). Then the verdict must say so, and
      // each reason must be one the run's own figures show.
      assertNotHeldAsMeasured(report, stdout, code);
      return;
    }
    // A 10 ms server breaks p99 <= 5 ms; only a lag above 5 ms at p99.5 could leave that unjudged.
    const unjudgeable = report.validity.trust!.find((f) => f.figure === 'p99')!.lagMs >= report.latency.p99! - 5;
    assert.equal(code, unjudgeable ? EXIT.runInvalid : EXIT.slaFailed, stdout);
    // A figure within the limit passes whatever the generator's lag (it only adds latency); one beyond
    // it (a machine busy enough to slow the server too) fails, or is not judged where the lag could explain it.
    const loose = await runCli(['report', join(work, 'quiet', 'report.json'), '--sla', 'p99<=100ms, error_rate<1%']);
    if (report.latency.p99! <= 100) assert.equal(loose.code, EXIT.ok, loose.stdout);
    else assert.ok(loose.code === EXIT.slaFailed || loose.code === EXIT.runInvalid, loose.stdout);
  });

  it('a busy loop sharing the generator\'s core shows in the send lag, and the figures it reaches are not trusted', async () => {
    const stop = busyLoop(0);
    let run: Awaited<ReturnType<typeof tenMsRun>>;
    try {
      run = await tenMsRun('shared-core', 'p99<=100ms');
    } finally {
      stop();
    }
    const { report } = run;
    assert.ok(report.validity.sendLag!.max >= 1, `send lag ${JSON.stringify(report.validity.sendLag)}`);
    // The figures the lag reaches (beyond 5% of them, or 0.1 ms) are the ones not trusted, and no others.
    assertTrustFollowsTheLag(report);
  });

  it('beside a higher-priority busy loop (nice -10) the lag shows, and the run is not valid once it reaches p50..p99; the SLA is still judged per clause', async (t) => {
    if (!canRaisePriority(t)) return;
    const stop = busyLoop(-10);
    let run: Awaited<ReturnType<typeof tenMsRun>>;
    try {
      run = await tenMsRun('nice-loop', 'p99<=100ms');
    } finally {
      stop();
    }
    const { code, report, stdout } = run;
    assert.ok(report.validity.sendLag!.p99 >= 1, `send lag ${JSON.stringify(report.validity.sendLag)}`);
    const reached = assertTrustFollowsTheLag(report);
    if (reached.length > 0) {
      // Issue 9: a lag that reaches any of p50..p99 (read from the run's own send lag above) makes the run invalid, and says so.
      assert.equal(report.validity.valid, false, `lag reaches ${reached.join(', ')}`);
      assert.match(stdout, /RUN INVALID/);
      if (report.validity.loadHeld) assert.match(report.validity.reasons.join(' '), /(is|are) not trusted: the generator's own send lag .*: pin the generator/);
    }
    if (!report.validity.valid) assert.match(report.validity.reasons.join(' '), /not trusted|saturated|behind its plan|made only/);
    // Judged per clause: where the load was held, a p99 within 100 ms passes whatever the lag (it only adds latency),
    // valid or not; a clause the lag could flip is not judged (3).
    if (report.validity.loadHeld && report.latency.p99! <= 100) {
      assert.equal(code, EXIT.ok, stdout);
      if (!report.validity.valid) assert.match(stdout, /each SLA clause was judged only where that lag cannot change it/);
    }
    const p99 = report.validity.trust!.find((f) => f.figure === 'p99')!;
    // A clause judged on an untrusted p99 says why the lag cannot change it.
    if (code !== EXIT.runInvalid && !p99.trusted) assert.match(stdout, /send lag \(p99\.5 [\d.]+ ms\) cannot change that/);
  });
});

describe('a rate the generator cannot send', () => {
  let nginx: Nginx | undefined;
  after(() => nginx?.stop());

  it('300,000 req/s from one core: invalid (exit 3) when the generator is what falls short', async (t) => {
    if (!nginxOrSkip(t)) return;
    nginx = await startNginx(Number(TARGET_CORE), await freePort());
    const { code, report, stdout } = await tooFast('too-fast');
    const { checks } = report.validity;
    if (report.validity.loadHeld) {
      // A machine busy enough to slow nginx below the generator: then the target is what falls short,
      // and the verdict must say so rather than blame the generator.
      assert.ok(checks.generatorCpu! <= 0.95 && checks.planHeldShare! >= 0.99, JSON.stringify(checks));
      assert.match(report.validity.warnings.join(' '), /the target answered too slowly/);
    } else {
      assert.equal(code, EXIT.runInvalid, stdout);
      assert.match(report.validity.reasons.join(' '), /(made only [\d.]+% of its planned sends|saturated|behind its plan).*add threads/);
      assert.match(stdout, /RUN INVALID: the generator did not deliver the load/);
    }
  });

  it('300,000 req/s from a core a higher-priority busy loop holds: always invalid, exit 3', async (t) => {
    if (!nginxOrSkip(t) || !canRaisePriority(t)) return;
    nginx ??= await startNginx(Number(TARGET_CORE), await freePort());
    const stop = busyLoop(-10);
    let run: Awaited<ReturnType<typeof tooFast>>;
    try {
      run = await tooFast('too-fast-starved');
    } finally {
      stop();
    }
    // Whatever the run's figures show, a starved generator is never called valid.
    const { code, report, stdout } = run;
    assert.equal(report.validity.valid, false, JSON.stringify(report.validity));
    if (!report.validity.loadHeld) {
      assertNotHeldAsMeasured(report, stdout, code);
      return;
    }
    // The load can count as held: a starved generator reads answers late, so its connections stay
    // "waiting for answers" and the planned sends count as unsent on busy connections, not owed
    // (planHeldShare 1), while its busy-or-waiting share can sit just under the 95% bar (0.948 seen,
    // 722 req/s achieved where the unstarved run above reached 39,080 from the same nginx). Then its
    // own send lag is what voids the run: it must reach some of p50..p99 (p75's lag 44.8 ms against a
    // 38.9 ms limit on p50 in the run seen, so no more is asserted), and the verdict must say it was
    // the generator's lag (exit 3), never pass the run as a measurement of nginx.
    const { checks } = report.validity;
    assert.ok(checks.generatorCpu! <= SATURATED_GENERATOR && checks.planHeldShare! >= PLAN_HELD_SHARE, JSON.stringify(checks));
    const reached = assertTrustFollowsTheLag(report);
    assert.ok(reached.length > 0, `a starved generator's send lag reaches p50..p99: ${JSON.stringify(report.validity.trust)}`);
    assert.match(report.validity.reasons.join(' '), /(is|are) not trusted: the generator's own send lag .*: pin the generator/);
    assert.equal(code, EXIT.runInvalid, stdout);
    assert.match(stdout, /RUN INVALID/);
  });

  async function tooFast(name: string): Promise<{ code: number | null; report: Report; stdout: string }> {
    const out = join(work, name);
    const result = await runCli(['run', '--url', nginx!.url, '--tool', 'wrk2', '-R', '300000', '-c', '50', '-d', '1s', '--warmup', '0', '-o', out], { wrap: pinned });
    return { code: result.code, report: readReport(out), stdout: result.stdout };
  }
});

/**
 * A run whose load was not held: invalid (exit 3) with the generator named, and every reason backed
 * by the check it reads (judgeValidity's bars), so a load called not held on a quiet generator fails.
 */
function assertNotHeldAsMeasured(report: Report, stdout: string, code: number | null): void {
  const { checks, reasons } = report.validity;
  const said = reasons.join(' ');
  assert.equal(report.validity.valid, false);
  assert.equal(code, EXIT.runInvalid, stdout);
  assert.match(stdout, /RUN INVALID: the generator did not deliver the load/);
  const shown = [
    { reason: /made only [\d.]+% of its planned sends/, measured: checks.planHeldShare! < PLAN_HELD_SHARE },
    { reason: /the generator was saturated/, measured: checks.generatorCpu! > SATURATED_GENERATOR },
    // A growing backlog is read from the per-second send-lag medians: a millisecond at least.
    { reason: /fell further behind its plan/, measured: report.validity.sendLag!.max >= 1 },
  ];
  assert.ok(shown.some((s) => s.reason.test(said)), said);
  for (const { reason, measured } of shown) if (reason.test(said)) assert.ok(measured, `${said} but ${JSON.stringify(checks)}`);
  assert.match(said, /add threads/);
}

function nginxOrSkip(t: TestContext): boolean {
  if (!spawnSync('nginx', ['-v']).error) return true;
  assert.notEqual(process.env['CI'], 'true', 'nginx is required in CI (apt-get install nginx-light)');
  t.skip('nginx not installed (apt-get install nginx-light)');
  return false;
}

/** A negative niceness needs root (or CAP_SYS_NICE), as CI has. */
function canRaisePriority(t: TestContext): boolean {
  if (spawnSync('nice', ['-n', '-10', 'true']).status === 0 && spawnSync('sh', ['-c', 'test "$(nice -n -10 nice)" = -10']).status === 0) return true;
  assert.notEqual(process.env['CI'], 'true', 'CI runs as root: nice -n -10 must work');
  t.skip('cannot raise a priority (nice -n -10) without root');
  return false;
}

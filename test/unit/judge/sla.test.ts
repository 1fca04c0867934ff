import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SettingsError } from '../../../src/core/errors.js';
import { EXIT, exitCodeForVerdict } from '../../../src/cli/exit-codes.js';
import { type MetricRef } from '../../../src/judge/metrics.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import { sampleResources, syntheticReport } from '../../support/sample-reports.js';

describe('parseSla: valid expressions', () => {
  const cases: [text: string, expected: { metric: string; op: string; threshold: number; ref: MetricRef }[]][] = [
    [
      'p99<=200ms, error_rate<0.1%, rps>=100',
      [
        { metric: 'p99', op: '<=', threshold: 200, ref: { kind: 'percentile', corrected: true, percentile: 99 } },
        { metric: 'error_rate', op: '<', threshold: 0.001, ref: { kind: 'error_rate' } },
        { metric: 'rps', op: '>=', threshold: 100, ref: { kind: 'rps' } },
      ],
    ],
    ['p99.9 < 1.5 s', [{ metric: 'p999', op: '<', threshold: 1500, ref: { kind: 'percentile', corrected: true, percentile: 99.9 } }]],
    ['p999<=250000us', [{ metric: 'p999', op: '<=', threshold: 250, ref: { kind: 'percentile', corrected: true, percentile: 99.9 } }]],
    ['latency.p50<20ms', [{ metric: 'p50', op: '<', threshold: 20, ref: { kind: 'percentile', corrected: true, percentile: 50 } }]],
    ['uncorrected.p99<=30ms', [{ metric: 'uncorrected.p99', op: '<=', threshold: 30, ref: { kind: 'percentile', corrected: false, percentile: 99 } }]],
    ['p9999<1s', [{ metric: 'p9999', op: '<', threshold: 1000, ref: { kind: 'percentile', corrected: true, percentile: 99.99 } }]],
    ['p97.5<=40ms', [{ metric: 'p975', op: '<=', threshold: 40, ref: { kind: 'percentile', corrected: true, percentile: 97.5 } }]],
    ['max<2s', [{ metric: 'max', op: '<', threshold: 2000, ref: { kind: 'latency', corrected: true, stat: 'max' } }]],
    ['mean<=15ms', [{ metric: 'mean', op: '<=', threshold: 15, ref: { kind: 'latency', corrected: true, stat: 'mean' } }]],
    ['ok_rps > 99.5rps', [{ metric: 'ok_rps', op: '>', threshold: 99.5, ref: { kind: 'ok_rps' } }]],
    ['errors=0', [{ metric: 'errors', op: '=', threshold: 0, ref: { kind: 'errors' } }]],
    ['errors==0', [{ metric: 'errors', op: '=', threshold: 0, ref: { kind: 'errors' } }]],
    ['error_rate=0%', [{ metric: 'error_rate', op: '=', threshold: 0, ref: { kind: 'error_rate' } }]],
    ['availability=100%', [{ metric: 'availability', op: '=', threshold: 1, ref: { kind: 'availability' } }]],
    ['cpu.max<90%', [{ metric: 'cpu.max', op: '<', threshold: 90, ref: { kind: 'resource', name: 'cpu', stat: 'max' } }]],
    [
      'process.cpu_percent.max<150%; gpu.0.memory_used_bytes.avg<8000000000',
      [
        { metric: 'process.cpu_percent.max', op: '<', threshold: 150, ref: { kind: 'resource', name: 'process.cpu_percent', stat: 'max' } },
        { metric: 'gpu.0.memory_used_bytes.avg', op: '<', threshold: 8e9, ref: { kind: 'resource', name: 'gpu.0.memory_used_bytes', stat: 'avg' } },
      ],
    ],
    [
      'query.p99{model="bert",le="0.5"}.max<250, rps>10',
      [
        { metric: 'query.p99{model="bert",le="0.5"}.max', op: '<', threshold: 250, ref: { kind: 'resource', name: 'query.p99{model="bert",le="0.5"}', stat: 'max' } },
        { metric: 'rps', op: '>', threshold: 10, ref: { kind: 'rps' } },
      ],
    ],
    ['p99<=200ms,', [{ metric: 'p99', op: '<=', threshold: 200, ref: { kind: 'percentile', corrected: true, percentile: 99 } }]],
  ];
  for (const [text, expected] of cases) {
    it(`parses "${text}"`, () => {
      const clauses = parseSla(text);
      assert.deepEqual(
        clauses.map(({ metric, op, threshold, ref }) => ({ metric, op, threshold: Number(threshold.toPrecision(12)), ref })),
        expected,
      );
    });
  }
});

describe('parseSla: invalid expressions fail with the clause and what was expected', () => {
  const cases: [text: string, message: RegExp][] = [
    ['', /--sla: no SLA clauses; expected e\.g\./],
    ['p99', /--sla clause "p99": expected <metric><operator><value>/],
    ['<=5ms', /--sla clause "<=5ms": expected <metric><operator><value>/],
    ['p99<=200', /clause "p99<=200": a latency threshold needs a time unit \(ms, s or us\)/],
    ['p99<=200kb', /a latency threshold needs a time unit/],
    ['p99=<200ms', /unknown operator "=<" \(did you mean <=\?\)/],
    ['p99!=200ms', /unknown operator "!="; expected one of < <= > >= =/],
    ['p99<=fast', /"fast" is not a threshold; expected a non-negative number/],
    ['p99<=-5ms', /"-5ms" is not a threshold/],
    ['p99x<=5ms', /unknown metric "p99x"; expected p50\.\.p9999/],
    ['latency<5ms', /unknown metric "latency"/],
    ['latency.p99x<5ms', /unknown latency statistic "latency\.p99x"/],
    ['p0<5ms', /percentile "p0" is out of range/],
    ['p100.5<5ms', /percentile "p100.5" is out of range/],
    ['error_rate<0.001', /error_rate needs a % unit, e\.g\. "error_rate<0\.1%"/],
    ['rps>=100%', /a throughput threshold is in rps/],
    ['p99=200ms', /clause "p99=200ms": a measured figure \(percentile\) is almost never exactly equal to a limit; use < <= > or >= \("=" is for counts/],
    ['mean==10ms', /a measured figure \(latency\) is almost never exactly equal/],
    ['rps=100', /a measured figure \(rps\) is almost never exactly equal/],
    ['error_rate=5%', /a measured figure \(error_rate\) is almost never exactly equal/],
    ['downtime=2s', /a measured figure \(downtime\) is almost never exactly equal/],
    ['errors<5ms', /errors is a count; write a bare number/],
    ['cpu.p99<90%', /monitor metric "cpu\.p99" needs a statistic: \.avg, \.p50, \.max or \.min/],
    ['cpu.max<90ms', /a monitor metric threshold is a bare number in the metric's own unit, or a %/],
    ['p99<=200ms, bogus>1', /clause "bogus>1": unknown metric "bogus"/],
  ];
  for (const [text, message] of cases) {
    it(`rejects "${text}"`, () => {
      assert.throws(() => parseSla(text), (error: unknown) => {
        assert.ok(error instanceof SettingsError, `expected a SettingsError, got ${String(error)}`);
        assert.equal(error.code, 'MODELPROF_ERR_SETTINGS');
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /\n/, 'one line');
        return true;
      });
    });
  }

  it('names the source it was given, e.g. the job file', () => {
    assert.throws(() => parseSla('p99<=1', 'sla in job.yaml'), /^SettingsError: sla in job\.yaml clause "p99<=1"/);
  });
});

describe('evaluateSla', () => {
  const report = syntheticReport({ seconds: 10, rps: 200, medianMs: 12, errorEvery: 500, uncorrected: true, resources: sampleResources(10) });

  it('passes and fails clauses on the report figures, with the value in each message', () => {
    const p99 = report.latency.p99!;
    const verdict = evaluateSla(
      parseSla(`p99<=${Math.ceil(p99) + 1}ms, p99<${Math.floor(p99) - 1}ms, error_rate<0.1%, error_rate<=0.5%, rps>=150, errors=4`),
      report,
    );
    assert.deepEqual(
      verdict.results.map((r) => r.pass),
      [true, false, false, true, true, true],
    );
    assert.equal(verdict.pass, false);
    assert.equal(verdict.results[0]!.actual, p99);
    assert.match(verdict.results[1]!.message, /^p99 = [\d.]+ ms, breaks < [\d.]+ ms$/);
    assert.match(verdict.results[2]!.message, /^error_rate = 0\.2%, breaks < 0\.1%$/);
    assert.match(verdict.results[4]!.message, /^rps = 200 rps, within >= 150 rps$/);
  });

  it('computes a percentile the summary lacks from the histogram', () => {
    const [result] = evaluateSla(parseSla('p97<1s'), report).results;
    assert.equal(result!.pass, true);
    assert.ok(result!.actual! > report.latency.p95! && result!.actual! < report.latency.p99!, `p97 ${result!.actual} between p95 and p99`);
  });

  it('reads monitor metrics by name and cpu.* as the process share of the machine', () => {
    const metrics = report.resources!.metrics;
    const verdict = evaluateSla(parseSla('process.cpu_percent.max<150%, cpu.max<90%, process.rss_bytes.max<2000000000'), report);
    assert.equal(verdict.results[0]!.actual, metrics['process.cpu_percent']!.max);
    assert.equal(verdict.results[0]!.pass, metrics['process.cpu_percent']!.max < 150);
    assert.equal(verdict.results[1]!.actual, metrics['process.cpu_machine_percent']!.max);
    assert.equal(verdict.results[1]!.pass, true);
    assert.match(verdict.results[1]!.message, /^cpu\.max = [\d.]+% \(read process\.cpu_machine_percent\.max from process:4242\), within < 90%$/, 'the verdict names the metric read');
    assert.match(verdict.results[0]!.message, /\(from process:4242\)/);
    assert.equal(verdict.results[2]!.pass, true);
    assert.match(verdict.results[2]!.message, /GiB/);
  });

  it('falls back to the host CPU for cpu.* when no process was watched', () => {
    const hostOnly = syntheticReport({ seconds: 5, resources: { intervalMs: 1000, monitors: [], metrics: { 'host.cpu_percent': { ...sampleResources(5).metrics['process.cpu_machine_percent']!, max: 97 } } } });
    const [result] = evaluateSla(parseSla('cpu.max<90%'), hostOnly).results;
    assert.equal(result!.actual, 97);
    assert.equal(result!.pass, false);
    assert.match(result!.message, /\(read host\.cpu_percent\.max from /);
  });

  it('fails, with a reason, a clause on a metric the report lacks', () => {
    const bare = syntheticReport({ seconds: 5 });
    const verdict = evaluateSla(parseSla('cpu.max<90%, gpu.0.utilization_percent.avg<80%, uncorrected.p99<10s'), bare);
    assert.deepEqual(verdict.results.map((r) => r.pass), [false, false, false]);
    assert.match(verdict.results[0]!.message, /no monitor metric "cpu" in this report \(cpu\.\* reads process\.cpu_machine_percent, else host\.cpu_percent\); no monitor metrics were recorded/);
    assert.match(verdict.results[1]!.message, /no monitor metric "gpu\.0\.utilization_percent"/);
    assert.match(verdict.results[2]!.message, /no uncorrected latency/);
    assert.equal(verdict.results[0]!.actual, undefined);
  });

  it('lists the recorded monitor metrics when the named one is missing', () => {
    const [result] = evaluateSla(parseSla('gpu.1.utilization_percent.max<90%'), report).results;
    assert.match(result!.message, /monitors recorded: .*gpu\.0\.utilization_percent/);
  });

  it('fails a % threshold on a metric that is not a percentage', () => {
    const [result] = evaluateSla(parseSla('process.rss_bytes.max<90%'), report).results;
    assert.equal(result!.pass, false);
    assert.match(result!.message, /is in bytes, not a percentage/);
  });

  it('fails latency clauses when no request succeeded', () => {
    const failed = syntheticReport({ seconds: 5, rps: 10, errorEvery: 1 });
    const [result] = evaluateSla(parseSla('p99<1s'), failed).results;
    assert.equal(result!.pass, false);
    assert.match(result!.message, /no request succeeded/);
  });
});

describe('exitCodeForVerdict', () => {
  const cases: [name: string, valid: boolean, sla: string | undefined, code: number][] = [
    ['valid run, no SLA', true, undefined, EXIT.ok],
    ['valid run, SLA met', true, 'p99<10s', EXIT.ok],
    ['valid run, SLA broken', true, 'p99<1ms', EXIT.slaFailed],
    ['invalid run, SLA met: no verdict', false, 'p99<10s', EXIT.runInvalid],
    ['invalid run, SLA broken: still no verdict', false, 'p99<1ms', EXIT.runInvalid],
    ['invalid run, no SLA', false, undefined, EXIT.runInvalid],
  ];
  for (const [name, valid, sla, code] of cases) {
    it(`${name} -> ${code}`, () => {
      const report = syntheticReport({ seconds: 5, valid });
      assert.equal(exitCodeForVerdict(report, sla ? evaluateSla(parseSla(sla), report) : undefined), code);
    });
  }
});

describe("evaluateSla on figures the generator's own lag could have moved", () => {
  // A 10 ms server; every 33rd send left 2 ms late: 3% of requests carry the lag, so p95 and above are not trusted.
  const noisy = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 33 === 0 ? 2 : 0.02) });
  const quiet = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: () => 0.02 });
  const p99 = noisy.latency.p99!;

  it('no SLA on a run whose p50 is not trusted -> 3', () => {
    const laggy = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 2 === 0 ? 2 : 0.02) });
    assert.equal(laggy.validity.trustedUpTo, null);
    assert.equal(exitCodeForVerdict(laggy, undefined), EXIT.runInvalid);
  });

  it('builds the reports it means to: p95 and p99 untrusted in the noisy one (so not valid), everything trusted in the quiet one', () => {
    assert.equal(noisy.validity.valid, false);
    assert.equal(quiet.validity.valid, true);
    assert.equal(noisy.validity.loadHeld, true);
    assert.equal(noisy.validity.trustedUpTo, 'p90');
    assert.equal(quiet.validity.trustedUpTo, 'max');
    assert.ok(p99 > 11.5, `p99 ${p99} carries the 2 ms lag`);
  });

  const cases: [clause: string, status: 'pass' | 'fail' | 'not-judged', says: RegExp][] = [
    ['p99<=50ms', 'pass', /within <= 50 ms; the generator's own send lag \(p99\.5 2 ms\) cannot change that/],
    ['p99<=5ms', 'fail', /breaks <= 5 ms; the generator's own send lag .* cannot change that/],
    [`p99<=${(p99 - 1).toFixed(3)}ms`, 'not-judged', /breaks <= .*, but the generator's own send lag \(p99\.5 2 ms\) could account for the difference: not judged/],
    ['p50<=20ms', 'pass', /within <= 20 ms$/],
    ['max<=10ms', 'fail', /breaks <= 10 ms; the generator's own send lag \(max 2 ms\) cannot change that/],
    ['rps>=100', 'pass', /rps = 200 rps/],
  ];
  for (const [clause, status, says] of cases) {
    it(`${clause}: ${status}`, () => {
      const [result] = evaluateSla(parseSla(clause), noisy).results;
      assert.equal(result!.status, status, result!.message);
      assert.equal(result!.pass, status === 'pass');
      assert.match(result!.message, says);
    });
  }

  it('judges every clause of a quiet run on its figure alone', () => {
    const verdict = evaluateSla(parseSla(`p99<=${(quiet.latency.p99! - 0.001).toFixed(3)}ms, p50<=20ms`), quiet);
    assert.deepEqual(verdict.results.map((r) => r.status), ['fail', 'pass']);
  });

  const gates: [name: string, sla: string | undefined, code: number][] = [
    ['every clause judged and met, though p99 is not trusted', 'p99<=50ms, rps>=100', EXIT.ok],
    ['a judged clause broken', 'p99<=5ms', EXIT.slaFailed],
    ['a clause not judged, the rest met', `p99<=${(p99 - 1).toFixed(3)}ms, p50<=20ms`, EXIT.runInvalid],
    ['a judged clause broken beside one not judged', `p99<=${(p99 - 1).toFixed(3)}ms, p50<=1ms`, EXIT.slaFailed],
    ['no SLA on a run whose p99 is not trusted (though its p50 is)', undefined, EXIT.runInvalid],
  ];
  for (const [name, sla, code] of gates) {
    it(`the gate: ${name} -> ${code}`, () => {
      assert.equal(exitCodeForVerdict(noisy, sla ? evaluateSla(parseSla(sla), noisy) : undefined), code);
    });
  }

  it('judges nothing when the generator did not deliver the load', () => {
    const held = syntheticReport({ seconds: 5, rps: 200, targetRps: 200, loadHeld: false });
    const verdict = evaluateSla(parseSla('p99<=50s, rps>=1, cpu.max<90%'), held);
    assert.deepEqual(verdict.results.map((r) => r.status), ['not-judged', 'not-judged', 'not-judged']);
    assert.equal(verdict.status, 'not-judged');
    assert.equal(exitCodeForVerdict(held, verdict), EXIT.runInvalid);
  });
});

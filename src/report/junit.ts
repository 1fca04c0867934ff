import type { Report } from './report.js';
import type { Comparison } from '../judge/comparison.js';
import { loadHeld, type SlaVerdict } from '../judge/sla.js';
import { redactUrl } from '../core/redact.js';
import { figureLabel, untrustedKeys } from '../judge/trust.js';
import { judgeRun, type RunVerdict } from '../judge/run-verdict.js';
import { validityHeadline } from './validity-text.js';
import { comparisonOutcome } from './comparison-format.js';
import type { FigureTrust } from '../record/result.js';
import { validityRows } from './validity-rules.js';

/**
 * JUnit XML, the test-report format CI systems read (Jenkins, GitLab, GitHub Actions reporters, Azure
 * Pipelines): <testsuites><testsuite><testcase> with <failure>, <error> or <skipped>. One test case per
 * SLA clause (or compared metric), after one for run validity. The cases say what the exit code says,
 * both read from the run's one verdict (judge/run-verdict.ts): a failure exactly when it is 1, an error
 * exactly when it is 3 or 4. An invalid run's validity case is never passed: an error when the run
 * has no verdict, skipped (the reason given) when an SLA was judged despite untrusted figures, each
 * clause only where the generator's lag cannot change it. A clause not judged is skipped with why;
 * a target error, and an SLA left without a verdict on a valid run, get a case of their own.
 */

interface TestCase {
  classname: string;
  name: string;
  outcome: { kind: 'pass' } | { kind: 'failure' | 'error' | 'skipped'; type: string; message: string };
  output?: string;
}

interface Suite {
  name: string;
  timestamp: string;
  timeSeconds: number;
  properties: [string, string][];
  cases: TestCase[];
}

export function renderJunit(verdict: SlaVerdict | undefined, report: Report): string {
  const run = judgeRun(report, verdict);
  const validity = validityCase(report, run);
  const clauses: TestCase[] = (run.sla?.results ?? []).map((result) => ({
    classname: 'modelprof.sla',
    name: result.clause.text,
    outcome:
      result.status === 'not-judged'
        ? { kind: 'skipped', type: loadHeld(report) ? 'NotTrusted' : 'RunInvalid', message: result.message }
        : result.pass
          ? { kind: 'pass' }
          : { kind: 'failure', type: 'SlaFailed', message: result.message },
    output: result.message,
  }));
  const verdictCase: TestCase[] = [];
  if (run.outcome === 'target-error') {
    verdictCase.push({ classname: 'modelprof.target', name: 'target answered', outcome: { kind: 'error', type: run.kind === 'no-success' ? 'TargetError' : 'TargetDown', message: `${run.title}: ${run.detail}` } });
  } else if (run.outcome === 'no-verdict' && validity.outcome.kind !== 'error') {
    verdictCase.push({ classname: 'modelprof.sla', name: 'SLA verdict', outcome: { kind: 'error', type: 'NotJudged', message: `${run.title}: ${run.detail}` } });
  }
  return renderSuites([
    {
      name: `modelprof SLA: ${report.target.method} ${redactUrl(report.target.url)}`,
      timestamp: report.startTime,
      timeSeconds: report.measuredSeconds,
      properties: reportProperties(report),
      cases: [validity, ...clauses, ...verdictCase],
    },
  ]);
}

/** JUnit for `modelprof compare`: one test case per compared metric; metrics without a tolerance pass. */
export function renderComparisonJunit(comparison: Comparison): string {
  const cases: TestCase[] = comparison.invalid.map((reason) => ({
    classname: 'modelprof.validity',
    name: reason.startsWith('baseline') ? 'baseline run delivered its load' : 'current run delivered its load',
    outcome: { kind: 'error', type: 'RunInvalid', message: reason },
  }));
  for (const reason of comparison.unlike) {
    cases.push({ classname: 'modelprof.validity', name: 'the runs are like with like', outcome: { kind: 'error', type: 'NotLikeWithLike', message: reason } });
  }
  for (const metric of comparison.metrics) {
    cases.push({
      classname: 'modelprof.compare',
      name: metric.tolerance ? `${metric.metric} within ${metric.tolerance.text}` : metric.metric,
      outcome:
        metric.verdict === 'not-comparable'
          ? { kind: 'skipped', type: 'NotLikeWithLike', message: 'not judged: the runs are not like with like' }
          : metric.verdict === 'not-judged'
            ? { kind: 'skipped', type: comparison.invalid.length > 0 ? 'RunInvalid' : 'NotTrusted', message: metric.message }
            : metric.failed
              ? { kind: 'failure', type: metric.verdict === 'missing' ? 'MetricMissing' : 'Regression', message: metric.message }
              : { kind: 'pass' },
      output: metric.message,
    });
  }
  // Exit 3 for rows withheld: an error says so, as the exit code does.
  if (comparison.verdict === 'not-judged') {
    cases.push({ classname: 'modelprof.compare', name: 'compare verdict', outcome: { kind: 'error', type: 'NotJudged', message: comparisonOutcome(comparison) } });
  }
  return renderSuites([
    {
      name: `modelprof compare: ${comparison.current.url}`,
      timestamp: comparison.current.startTime,
      timeSeconds: 0,
      properties: [
        ['baseline.startTime', comparison.baseline.startTime],
        ['current.startTime', comparison.current.startTime],
        ['tool', comparison.current.tool],
      ],
      cases,
    },
  ]);
}

function validityCase(report: Report, run: RunVerdict): TestCase {
  // The checks of the rule in force, each with the bar it is held to (report.json keeps every figure).
  const checks = validityRows(report).map((row) => `${row.key}=${row.value}${row.rule ? ` (${row.rule})` : ''}`);
  const marked = untrustedKeys(report.validity.trust ?? []);
  const untrusted = (report.validity.trust ?? []).filter((f) => marked.has(f.figure));
  if (untrusted.length > 0) {
    const why = (f: FigureTrust): string => (f.lagMs > f.limitMs ? `generator's part ${f.lagMs} ms > ${f.limitMs} ms` : `${figureLabel(untrusted[0]!.figure)} below it not trusted`);
    checks.push(`not trusted: ${untrusted.map((f) => `${figureLabel(f.figure)} ${f.latencyMs} ms (${why(f)})`).join(', ')}`);
  }
  const reasons = report.validity.reasons.join('; ') || 'the run is invalid';
  const outcome: TestCase['outcome'] =
    run.run === 'valid'
      ? { kind: 'pass' }
      : run.outcome === 'no-verdict' || run.run === 'load-not-held'
        ? { kind: 'error', type: 'RunInvalid', message: `no verdict on the target: ${reasons}` }
        : { kind: 'skipped', type: 'NotTrusted', message: `${validityHeadline(report, run).title}: ${reasons}` };
  return { classname: 'modelprof.validity', name: 'run is valid', outcome, ...(checks.length > 0 ? { output: checks.join(', ') } : {}) };
}

function reportProperties(report: Report): [string, string][] {
  return [
    ['tool', report.tool],
    ['engine', `${report.engine.name} ${report.engine.version}`],
    ['modelprof', report.modelprofVersion],
    ['requests', String(report.requests.total)],
    ['rps', String(report.throughput.rps)],
    ...(report.validity.trustedUpTo !== undefined ? [['trustedUpTo', report.validity.trustedUpTo ?? 'none'] as [string, string]] : []),
  ];
}

function renderSuites(suites: Suite[]): string {
  const count = (kind: string): number => suites.reduce((n, s) => n + s.cases.filter((c) => c.outcome.kind === kind).length, 0);
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const totalTime = suites.reduce((t, s) => t + s.timeSeconds, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="modelprof" tests="${tests}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(totalTime)}">`,
  ];
  for (const suite of suites) {
    const n = (kind: string): number => suite.cases.filter((c) => c.outcome.kind === kind).length;
    lines.push(
      `  <testsuite name="${xml(suite.name)}" tests="${suite.cases.length}" failures="${n('failure')}" errors="${n('error')}" skipped="${n('skipped')}" time="${seconds(suite.timeSeconds)}" timestamp="${junitTimestamp(suite.timestamp)}">`,
    );
    lines.push('    <properties>');
    for (const [name, value] of suite.properties) lines.push(`      <property name="${xml(name)}" value="${xml(value)}"/>`);
    lines.push('    </properties>');
    for (const test of suite.cases) lines.push(renderCase(test));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function renderCase(test: TestCase): string {
  const open = `    <testcase classname="${xml(test.classname)}" name="${xml(test.name)}" time="0">`;
  const body: string[] = [];
  if (test.outcome.kind !== 'pass') {
    body.push(`      <${test.outcome.kind} type="${xml(test.outcome.type)}" message="${xml(test.outcome.message)}"/>`);
  }
  if (test.output) body.push(`      <system-out>${xml(test.output)}</system-out>`);
  return [open, ...body, '    </testcase>'].join('\n');
}

function seconds(value: number): string {
  return value.toFixed(3);
}

/** ISO 8601 without zone or fraction, the form the common JUnit schemas accept; times are UTC. */
function junitTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '1970-01-01T00:00:00' : date.toISOString().slice(0, 19);
}

/** Escapes for XML text and attributes, and drops characters XML 1.0 cannot carry at all. */
function xml(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;');
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseTolerances } from '../../../src/judge/tolerances.js';
import { parseSla } from '../../../src/judge/sla.js';

// Keeps the sample GitHub Actions workflow in step with the CLI: its SLA and tolerances must parse,
// and the report must be kept whatever the verdict.
const workflow = parse(readFileSync(new URL('../../../../examples/github-actions/modelprof-sla.yml', import.meta.url), 'utf8')) as {
  permissions: Record<string, string>;
  jobs: { profile: { steps: { name?: string; run?: string; if?: string; uses?: string; with?: Record<string, unknown> }[] } };
};
const steps = workflow.jobs.profile.steps;
const step = (name: string) => {
  const found = steps.find((s) => s.name === name);
  assert.ok(found, `step "${name}"`);
  return found;
};

describe('examples/github-actions/modelprof-sla.yml', () => {
  it('profiles the sample endpoint it starts and gates on an SLA that parses', () => {
    assert.match(step('Start the sample scoring endpoint').run!, /serve-sample --port 5001/);
    const profile = step('Profile and gate on the SLA').run!;
    assert.match(profile, /run --url http:\/\/127\.0\.0\.1:5001\/score/);
    const sla = /--sla "([^"]+)"/.exec(profile)?.[1];
    assert.ok(sla, 'an --sla flag');
    assert.deepEqual(parseSla(sla).map((c) => c.metric), ['p99', 'error_rate', 'rps']);
    assert.match(profile, /--junit outputs\/sla-junit\.xml/);
  });

  it('compares with a baseline using tolerances that parse', () => {
    const compare = step('Compare with the baseline');
    assert.equal(compare.if, "hashFiles('perf/baseline.json') != ''");
    const tolerances = /--max-regression (\S+)/.exec(compare.run!)?.[1];
    assert.deepEqual(Object.keys(parseTolerances(tolerances!)), ['p99']);
  });

  it('keeps the report and publishes the JUnit results even when the gate fails', () => {
    assert.equal(step('Keep the report').if, 'always()');
    const junit = step('Publish the SLA as test results');
    assert.equal(junit.if, 'always()');
    assert.equal(junit.with?.['report_paths'], 'outputs/*-junit.xml');
    assert.equal(workflow.permissions['checks'], 'write');
  });
});

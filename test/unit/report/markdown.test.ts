import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError } from '../../../src/core/errors.js';
import { appendStepSummary, renderMarkdownSummary } from '../../../src/report/markdown.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import { syntheticReport } from '../../support/sample-reports.js';

describe('renderMarkdownSummary', () => {
  const report = syntheticReport({ seconds: 10, rps: 100, medianMs: 12 });

  const headlines: [name: string, sla: string | undefined, valid: boolean, headline: RegExp][] = [
    ['passing SLA', 'p99<=1s, rps>=50', true, /^### modelprof: ✅ SLA passed \(2 clauses\)\n/],
    ['failing SLA', 'p99<=1s, p50<1ms', true, /^### modelprof: ❌ SLA failed \(1 of 2 clauses\)\n/],
    ['invalid run', 'p99<=1s', false, /^### modelprof: ⚠️ no verdict: run invalid\n/],
    ['no SLA', undefined, true, /^### modelprof: measured \(no SLA given\)\n/],
  ];
  for (const [name, sla, valid, headline] of headlines) {
    it(`leads with the verdict: ${name}`, () => {
      const subject = valid ? report : syntheticReport({ seconds: 5, valid: false });
      const markdown = renderMarkdownSummary(subject, sla ? evaluateSla(parseSla(sla), subject) : undefined);
      assert.match(markdown, headline);
    });
  }

  it('has a row per SLA clause and the key figures', () => {
    const markdown = renderMarkdownSummary(report, evaluateSla(parseSla('p99<=1s, p50<1ms, cpu.max<90%'), report));
    assert.match(markdown, /\n\| SLA clause \| actual \| limit \| result \|\n\| --- \| ---: \| ---: \| --- \|\n/);
    assert.match(markdown, /\n\| `p99<=1s` \| [\d.]+ ms \| \\<= 1 s \| ✅ pass \|\n/);
    assert.match(markdown, /\n\| `p50<1ms` \| [\d.]+ ms \| \\< 1 ms \| ❌ fail \|\n/);
    assert.match(markdown, /\n\| `cpu.max<90%` \| n\/a \| \\< 90% \| ❌ fail: cpu.max: no monitor metric "cpu"/);
    assert.match(markdown, /\n\| 1,000 \| 100 rps \| 0% \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \|\n$/);
  });

  it('lists why a run is invalid and marks clauses not judged', () => {
    const invalid = syntheticReport({ seconds: 5, valid: false });
    const markdown = renderMarkdownSummary(invalid, evaluateSla(parseSla('p99<=1s'), invalid));
    assert.match(markdown, /RUN INVALID: the generator did not deliver the load, so no figure here describes the target:\n\n- only 62% of sends left on schedule \(need 99%\)\n/);
    assert.match(markdown, /\| ⚠️ p99 = [\d.]+ ms: not judged: the generator did not deliver the load/);
  });

  it('escapes report strings so they cannot break the table or inject HTML', () => {
    const hostile = syntheticReport({ seconds: 5, valid: false, reasons: ['a | b <img src=x onerror=alert(1)> *bold*'], url: 'http://127.0.0.1:9/a`b?key=SECRET' });
    const markdown = renderMarkdownSummary(hostile);
    assert.match(markdown, /- a \\\| b \\<img src=x onerror=alert\(1\)\\> \\\*bold\\\*\n/);
    assert.doesNotMatch(markdown, /(^|[^\\])</, 'every < is escaped');
    assert.doesNotMatch(markdown, /SECRET/);
    assert.match(markdown, /`POST http:\/\/127\.0\.0\.1:9\/a%60b\?key=redacted`/);
  });
});

describe('appendStepSummary', () => {
  it('appends to the file named by GITHUB_STEP_SUMMARY', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelprof-summary-'));
    try {
      const path = join(dir, 'summary.md');
      assert.equal(await appendStepSummary('# one\n', { GITHUB_STEP_SUMMARY: path }), path);
      await appendStepSummary('# two\n', { GITHUB_STEP_SUMMARY: path });
      assert.equal(await readFile(path, 'utf8'), '# one\n\n# two\n\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does nothing when GITHUB_STEP_SUMMARY is unset', async () => {
    assert.equal(await appendStepSummary('# x\n', {}), undefined);
  });

  it('fails with a ToolError naming the variable when the file cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelprof-summary-'));
    try {
      await assert.rejects(appendStepSummary('# x\n', { GITHUB_STEP_SUMMARY: dir }), (error: unknown) => {
        assert.ok(error instanceof ToolError);
        assert.match(error.message, /^GITHUB_STEP_SUMMARY: cannot append to .* \(EISDIR\)$/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

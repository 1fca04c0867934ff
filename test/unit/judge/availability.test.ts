import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT, exitCodeForVerdict } from '../../../src/cli/exit-codes.js';
import { SettingsError } from '../../../src/core/errors.js';
import { findAvailability, type Availability, type ServerDeath } from '../../../src/judge/availability.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import { judgeTarget, targetHeadline } from '../../../src/judge/target-outcome.js';
import type { SecondOfService } from '../../../src/record/result.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownSummary } from '../../../src/report/markdown.js';
import { syntheticReport } from '../../support/sample-reports.js';

/** Seconds 0..n-1 of a healthy run: 100 answers a second, the first at .001 and the last at .999. */
function up(n: number, from = 0): SecondOfService[] {
  return Array.from({ length: n }, (_, i) => ({ t: from + i, ok: 100, failed: 0, firstOkSec: from + i + 0.001, lastOkSec: from + i + 0.999 }));
}
const down = (t: number, failed: number): SecondOfService => ({ t, ok: 0, failed });

describe('findAvailability: outages from the seconds of service', () => {
  const cases: [name: string, seconds: SecondOfService[], windowSec: number, death: ServerDeath | undefined, outages: [start: number, length: number][], share: number][] = [
    ['a healthy run', up(4), 4, undefined, [], 1],
    [
      'a closed loop against a target that died 2.05 s in: from the last answer to the end of the window',
      [...up(2), { t: 2, ok: 5, failed: 40, firstOkSec: 2.001, lastOkSec: 2.05 }, down(3, 300)],
      4,
      undefined,
      [[2.05, 1.95]],
      0.5125,
    ],
    [
      'a target that came back: to its first answer',
      [...up(2), down(2, 50), down(3, 50), { t: 4, ok: 80, failed: 0, firstOkSec: 4.2, lastOkSec: 4.999 }, ...up(1, 5)],
      6,
      undefined,
      [[1.999, 2.201]],
      0.633167,
    ],
    [
      'a second and more without success between two seconds that both had some: from the one success to the next',
      [...up(2), { t: 2, ok: 10, failed: 20, firstOkSec: 2.001, lastOkSec: 2.1 }, { t: 3, ok: 10, failed: 20, firstOkSec: 3.9, lastOkSec: 3.999 }],
      4,
      undefined,
      [[2.1, 1.8]],
      0.55,
    ],
    ['one failed request in a second without success is a failed request, not an outage', [...up(2), down(2, 1), ...up(1, 3)], 4, undefined, [], 1],
    [
      'a hung target: seconds with no answer, then its timeouts after the window (while the engine drained)',
      [...up(2), down(9, 0), down(12, 30)],
      4,
      undefined,
      [[1.999, 2.001]],
      0.49975,
    ],
    ['a slow target: seconds with no answer and no failure are not an outage', [up(1)[0]!, down(1, 0), down(2, 0), ...up(1, 3)], 4, undefined, [], 1],
    ['an external tool (no seconds) whose watched server died at 3 s', [], 5, { atSec: 3, how: 'exited with code 137' }, [[3, 2]], 0.6],
    [
      'a watched server that died inside an outage the answers show: one outage, from its start',
      [...up(2), down(2, 50), down(3, 50)],
      4,
      { atSec: 2.5, how: 'was killed by SIGKILL' },
      [[1.999, 2.001]],
      0.49975,
    ],
    ['a death after the window is none of its business', up(4), 4, { atSec: 4.5, how: 'exited with code 0' }, [], 1],
  ];
  for (const [name, seconds, windowSec, death, outages, share] of cases) {
    it(name, () => {
      const availability = findAvailability(seconds, windowSec, death);
      assert.deepEqual(
        availability.outages.map((outage) => [outage.startSec, outage.seconds]),
        outages,
      );
      assert.equal(availability.share, share);
      if (death && outages.length > 0) assert.match(availability.outages.at(-1)!.cause!, new RegExp(`the --serve server ${death.how}`));
      assert.equal(availability.basis, seconds.length > 0 ? 'timeline' : 'server');
    });
  }
});

/** A report of a 4 s run whose target was down its last 2 s (as a closed loop sees it: few failures). */
function reportWithOutage(): ReturnType<typeof syntheticReport> {
  const report = syntheticReport({ seconds: 4 });
  const availability: Availability = { share: 0.5, downSeconds: 2, windowSec: 4, outages: [{ startSec: 2, seconds: 2, failed: 400 }], basis: 'timeline' };
  return { ...report, availability };
}

describe('an outage in the verdicts', () => {
  it('is the SLA\'s to judge when it has an availability or downtime clause', () => {
    const report = reportWithOutage();
    const lenient = evaluateSla(parseSla('p99<=10s, availability>=40%'), report);
    assert.equal(lenient.pass, true);
    assert.equal(exitCodeForVerdict(report, lenient), EXIT.ok);
    const strict = evaluateSla(parseSla('p99<=10s, downtime<=1s'), report);
    assert.equal(strict.pass, false);
    assert.match(strict.results[1]!.message, /^downtime = 2 s, breaks <= 1 s$/);
    assert.equal(exitCodeForVerdict(report, strict), EXIT.slaFailed);
  });

  it('fails an SLA that says nothing of availability, and is a target error (exit 4)', () => {
    const report = reportWithOutage();
    const verdict = evaluateSla(parseSla('p99<=10s, error_rate<1%'), report);
    assert.equal(verdict.pass, false);
    const implied = verdict.results.at(-1)!;
    assert.equal(implied.implied, true);
    assert.equal(implied.clause.text, 'availability=100% (implied)');
    assert.match(implied.message, /^2\.0 s without a successful answer from 2\.0 s into the window; availability 50\.0% of the 4\.0 s window: an SLA without/);
    assert.equal(exitCodeForVerdict(report, verdict), EXIT.toolError);
    assert.equal(exitCodeForVerdict(report), EXIT.toolError, 'without an SLA too');
  });

  it('heads the console, the HTML verdict and the Markdown summary, with its start and length', () => {
    const report = reportWithOutage();
    assert.match(targetHeadline(judgeTarget(report))!, /^TARGET DOWN: 2\.0 s without a successful answer from 2\.0 s into the window; availability 50\.0%/);
    const html = renderHtmlReport(report);
    assert.match(html, /<h2>Target down: 2 s without a successful answer \(availability 50\.0%\)<\/h2>/);
    assert.match(html, /<g class="span"><rect [^>]*\/><text [^>]*>target down 2 s<\/text><\/g>/, 'the outage is shaded on the timeline');
    assert.match(html, /id="outages">2\.0 s without a successful answer from 2\.0 s into the window</);
    assert.match(renderMarkdownSummary(report), /^### modelprof: ❌ target down: 2 s without a successful answer \(availability 50\.0%\)/);
  });

  it('offers availability and downtime as SLA metrics, with their units', () => {
    assert.ok(Math.abs(parseSla('availability>=99.9%')[0]!.threshold - 0.999) < 1e-12);
    assert.equal(parseSla('downtime<=1.5s')[0]!.threshold, 1500);
    for (const [text, message] of [
      ['availability>=99', /availability needs a % unit/],
      ['availability>=150%', /availability is a share of the window, so at most 100%/],
      ['downtime<2', /downtime needs a time unit/],
    ] as const) {
      assert.throws(() => parseSla(text), (error: unknown) => error instanceof SettingsError && message.test(error.message));
    }
    const report = syntheticReport({ seconds: 4 });
    const { availability: _none, ...withoutFigures } = report;
    assert.match(evaluateSla(parseSla('availability>=99%'), withoutFigures).results[0]!.message, /gave no per-second figures/);
  });
});

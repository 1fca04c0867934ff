import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderHtmlReport } from '../../../src/report/html.js';
import { spectrumFromHistogram } from '../../../src/report/latency-spectrum.js';
import { evaluateSla, parseSla } from '../../../src/judge/sla.js';
import type { Report } from '../../../src/report/report.js';
import { sampleResources, syntheticReport } from '../../support/sample-reports.js';

function richReport(): Report {
  return syntheticReport({
    seconds: 30,
    rps: 300,
    targetRps: 300,
    uncorrected: true,
    errorEvery: 250,
    spike: { from: 12, to: 13.5, factor: 6 },
    resources: sampleResources(30),
    notes: ['2 threads on 2 cores: generator CPU may limit the rate'],
  });
}

/** A real report of an LLM run (test/fixtures/README.md): generated workload, goodput, untrusted ITL. */
function llmReport(): Report {
  return JSON.parse(readFileSync(fileURLToPath(new URL('../../../../test/fixtures/reports/llm-demo.json', import.meta.url)), 'utf8')) as Report;
}

/** What wrk2 run as the external engine reports: its version names the program, and what it cannot do. */
function externalReport(): Report {
  const report = syntheticReport({ seconds: 5, uncorrected: true });
  report.tool = 'wrk2';
  report.engine = { name: 'external', version: 'wrk2 4.0.0' };
  report.warmup = { seconds: 0, requests: 0 };
  report.limits = ['wrk2 sleeps in whole milliseconds, rounded up: its corrected latency includes up to ~1 ms of its own send delay.'];
  return report;
}

/** A report merged from three shards, one missing, with long report paths. */
function mergedReport(): Report {
  const report = syntheticReport({ seconds: 5, targetRps: 200, uncorrected: true });
  const shard = (index: number) => ({
    index,
    source: `/var/lib/modelprof/outputs/a-rather-long-run-name-for-the-release-candidate/shard-${index}/report.json`,
    startTime: report.startTime,
    endTime: report.endTime,
    requests: { total: 500, ok: 500, errors: 0 },
    rps: 100,
    latency: { p50: 12.1, p99: 30.2 },
    valid: index === 0,
  });
  report.merge = { count: 3, missing: [2], shards: [shard(0), shard(1)] };
  return report;
}

const RICH_SLA = 'p99<=80ms, p99.9<=150ms, error_rate<0.1%, rps>=290, cpu.max<90%';

describe('renderHtmlReport', () => {
  it('puts the verdict first, then the key figures, then the charts', () => {
    const report = richReport();
    const html = renderHtmlReport(report, evaluateSla(parseSla(RICH_SLA), report));
    const order = ['id="verdict"', 'id="figures"', 'id="latency"', 'id="timeline"', 'id="errors"', 'id="resources"', 'id="validity"', 'id="settings"'].map((id) => html.indexOf(id));
    assert.ok(order.every((position) => position > 0), `every section present: ${order.join(',')}`);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.match(html, /<section class="verdict verdict-fail" id="verdict">/);
    assert.match(html, /2 of 5 clauses broken: p99&lt;=80ms, error_rate&lt;0\.1%/);
  });

  const outcomes: [name: string, sla: string | undefined, valid: boolean, kind: string, title: string][] = [
    ['SLA met', 'p99<=10s', true, 'pass', 'SLA passed \\(1 clause\\)'],
    ['SLA broken', 'p99<=1ms', true, 'fail', 'SLA failed \\(1 of 1 clauses\\)'],
    ['invalid run', 'p99<=10s', false, 'invalid', 'No verdict: run invalid'],
    ['no SLA', undefined, true, 'measured', 'Measured \\(no SLA given\\)'],
  ];
  for (const [name, sla, valid, kind, title] of outcomes) {
    it(`shows the outcome: ${name}`, () => {
      const report = syntheticReport({ seconds: 5, valid });
      const html = renderHtmlReport(report, sla ? evaluateSla(parseSla(sla), report) : undefined);
      assert.match(html, new RegExp(`class="verdict verdict-${kind}"`));
      assert.match(html, new RegExp(`<h2>${title}</h2>`));
    });
  }

  it('loads nothing from anywhere: no external URLs, fonts, stylesheets or scripts', () => {
    const html = renderHtmlReport(richReport());
    assert.doesNotMatch(html, /<link\b|@import|url\(|<script[^>]+src=|<img[^>]+src=["']?http/i);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });

  it('escapes every report string and redacts secrets', () => {
    const report = syntheticReport({
      seconds: 5,
      valid: false,
      url: 'http://user:hunter2@127.0.0.1:9/score?code=SECRET1&q=<script>alert(1)</script>',
      headers: { Authorization: 'Bearer SECRET2', 'x-api-key': 'SECRET3', 'x-note': '<img src=x onerror=alert(2)>' },
      reasons: ['<script>alert(3)</script>'],
      notes: ['"quoted" & <b>bold</b>'],
      resources: {
        intervalMs: 1000,
        monitors: [{ name: '<svg onload=alert(4)>', ok: false, error: '<i>down</i>', samples: 0 }],
        metrics: { 'query.q{a="<x>"}': { ...sampleResources(5).metrics['process.rss_bytes']!, source: '<u>src</u>' } },
      },
    });
    const html = renderHtmlReport(report, evaluateSla(parseSla('query.q{a="<x>"}.max<1'), report));
    for (const secret of ['hunter2', 'SECRET1', 'SECRET2', 'SECRET3']) assert.ok(!html.includes(secret), `${secret} must not appear`);
    for (const raw of ['<script>alert', '<img src=x', '<svg onload', '<i>down', '<b>bold', '<u>src', '"<x>"']) {
      assert.ok(!html.includes(raw), `${raw} must be escaped`);
    }
    assert.match(html, /&lt;script&gt;alert\(3\)&lt;\/script&gt;/);
    assert.match(html, /&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;\/b&gt;/);
    // The only script is the page's own.
    assert.equal(html.match(/<script>/g)?.length, 1);
  });

  it('shows the caveats that qualify a valid run, under the verdict and in the validity section', () => {
    const report = syntheticReport({ seconds: 5 });
    report.validity.warnings = ['the target fell behind: <b>queueing</b> from second 3'];
    const html = renderHtmlReport(report);
    const escaped = 'the target fell behind: &lt;b&gt;queueing&lt;/b&gt; from second 3';
    assert.equal(html.split(escaped).length - 1, 2);
    assert.ok(html.indexOf(escaped) < html.indexOf('id="figures"'), 'first mention is in the verdict');
  });

  it("marks the figures the generator's lag could have moved, and shows the send lag and the trust of each figure", () => {
    const noisy = syntheticReport({ seconds: 5, rps: 200, medianMs: 10, sigma: 0.02, targetRps: 200, sendLag: (i) => (i % 33 === 0 ? 2 : 0.02) });
    const html = renderHtmlReport(noisy);
    assert.match(html, /RUN INVALID: the generator&#39;s own lag could have moved the latency figures \(trusted up to p90\)/);
    assert.equal((html.match(/<td class="num untrusted"/g) ?? []).length, 5, 'p95, p99, p99.9, p99.99, max');
    assert.match(html, /class="tile tile-untrusted"><div class="tile-label">p99<\/div>/);
    assert.match(html, /Send lag \(actual minus planned send\): p50 0\.02/);
    assert.match(html, /<th>p99<\/th><td class="num">[\d.]+ ms<\/td><td class="num">2 ms<\/td><td class="num">[\d.]+ ms<\/td><td><span class="pill pill-not-judged">not trusted/);
    const quiet = renderHtmlReport(syntheticReport({ seconds: 5, rps: 200, targetRps: 200, sendLag: () => 0.02 }));
    assert.doesNotMatch(quiet, /class="num untrusted"|class="tile tile-untrusted"/);
    assert.match(quiet, /RUN VALID: the generator held its plan, latency trusted up to max/);
  });

  it('names every setting that shaped an LLM run, and no empty payload for its generated workload', () => {
    const html = renderHtmlReport(llmReport());
    const settings = html.slice(html.indexOf('id="settings"'));
    for (const [label, value] of [
      ['api', 'openai-chat (streamed, ignore_eos)'],
      ['model', 'sample-ngram'],
      ['workload', 'synthetic: 64±16 input tokens, 32±8 output tokens'],
      ['goodput', 'ttft&lt;=500ms,tpot&lt;=50ms'],
      ['arrival', 'even, 3 req/s (the wrk2 plan)'],
    ]) {
      assert.ok(settings.includes(`<tr><th>${label}</th><td>${value}</td></tr>`), `${label}: ${value}`);
    }
    assert.doesNotMatch(settings, /<th>payload<\/th>|0 lines/);
  });

  it('stars the ITL figures the generator could have moved, as the console names them', () => {
    const report = llmReport();
    const tokens = renderHtmlReport(report).match(/<section id="llm">[\s\S]*?<\/section>/)![0];
    const itl = tokens.match(/<tr><th>itl<\/th>.*?<\/tr>/)![0];
    assert.equal((itl.match(/class="num untrusted"/g) ?? []).length, report.llm!.itlTrust!.untrusted.length);
    assert.equal((tokens.match(/class="num untrusted"/g) ?? []).length, report.llm!.itlTrust!.untrusted.length, 'only ITL figures are starred');
    assert.match(tokens, /ITL p50, p90, p99, p99\.9, max not trusted: the generator&#39;s own delay in reading tokens/);
  });

  it("names an external program once in the header, and shows what it cannot measure under the verdict and in the validity section", () => {
    const html = renderHtmlReport(externalReport());
    const meta = html.match(/<p class="meta">(.*?)<\/p>/)![1]!;
    assert.match(meta, /^wrk2 4\.0\.0, external engine · /);
    assert.doesNotMatch(meta, /wrk2 via|wrk2 wrk2|warm-up/);
    const calibrated = externalReport();
    calibrated.warmup = { seconds: 10, requests: 480, excluded: 'latency' };
    assert.match(renderHtmlReport(calibrated).match(/<p class="meta">(.*?)<\/p>/)![1]!, / · latency from after its first ~10 s \(wrk2&#39;s calibration\)$/);
    const limit = 'wrk2 sleeps in whole milliseconds, rounded up';
    assert.equal(html.split(limit).length - 1, 2);
    assert.ok(html.indexOf(limit) < html.indexOf('id="figures"'), 'first under the verdict');
  });

  it('draws the spectrum from the summary percentiles when the run kept no histogram', () => {
    const report = syntheticReport({ seconds: 5 });
    delete report.histogram;
    const html = renderHtmlReport(report);
    assert.match(html, /From the summary percentiles \(this run kept no histogram\)/);
    assert.match(html, /<g class="dots" data-series="latency" data-points="8">/);
  });

  it('says so when no request succeeded', () => {
    const html = renderHtmlReport(syntheticReport({ seconds: 5, rps: 10, errorEvery: 1 }));
    assert.match(html, /No request succeeded, so there is no latency to show/);
  });
});

describe('spectrumFromHistogram', () => {
  it('rises from min to max, 20 points a decade of the tail, up to the last percentile the sample resolves', () => {
    const report = syntheticReport({ seconds: 10, rps: 100 });
    const points = spectrumFromHistogram(report.histogram!);
    assert.equal(points[0]![0], 0);
    assert.ok(Math.abs(points[0]![1] - report.latency.min!) / report.latency.min! < 0.001, `starts at min ${points[0]![1]}`);
    assert.equal(points.at(-1)![1], report.latency.max);
    assert.ok(Math.abs(points.at(-1)![0] - 99.9) < 1e-9, `last percentile ${points.at(-1)![0]} is 1 - 1/n for n = 1000`);
    assert.equal(points.length, 61);
    for (let i = 1; i < points.length; i++) {
      assert.ok(points[i]![0] > points[i - 1]![0] && points[i]![1] >= points[i - 1]![1], `monotonic at ${i}`);
    }
  });
});

// The page is opened in a real headless Chromium (Debian's chromium package, driven by playwright-core).
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

describe('the HTML report in headless Chromium', { skip: !hasChromium && process.env.CI !== 'true' ? `${CHROMIUM} not installed` : false }, () => {
  let context: BrowserContext;
  let profileDir: string;
  const outputDir = join(tmpdir(), 'modelprof-html-report-test');

  before(async () => {
    assert.ok(hasChromium, `${CHROMIUM} is required in CI (apt-get install chromium)`);
    profileDir = await mkdtemp(join(tmpdir(), 'modelprof-chromium-'));
    await mkdir(outputDir, { recursive: true });
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1000, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await context?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  async function open(report: Report, sla: string | undefined, name: string) {
    const path = join(outputDir, `${name}.html`);
    await writeFile(path, renderHtmlReport(report, sla ? evaluateSla(parseSla(sla), report) : undefined));
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    const url = pathToFileURL(path).href;
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems, requests, url, path };
  }

  /** What sticks out at the 1000 px viewport: wider than the window, or past the edge of its section. */
  async function overflowing(page: Page): Promise<string[]> {
    // A string, evaluated in the page: this project compiles without the DOM's types.
    return page.evaluate(`(() => {
      const found = [];
      const root = document.documentElement;
      if (root.scrollWidth > root.clientWidth) found.push('page is ' + root.scrollWidth + ' px wide');
      for (const element of document.querySelectorAll('section *')) {
        const section = element.closest('section');
        // Inside a scrolling box the overflow is that box's own, and reachable.
        if (element.closest('.table-scroll') && !element.classList.contains('table-scroll')) continue;
        const right = element.getBoundingClientRect().right;
        if (right > section.getBoundingClientRect().right + 0.5) found.push(element.tagName.toLowerCase() + ' in #' + section.id + ' ends at ' + Math.round(right) + ' px');
      }
      return found.slice(0, 5);
    })()`);
  }

  it('fits a 1000 px window for every kind of report: LLM, external program, merged shards', async () => {
    const kinds: [string, Report][] = [['llm', llmReport()], ['external', externalReport()], ['merged', mergedReport()]];
    for (const [name, report] of kinds) {
      const { page, problems } = await open(report, undefined, name);
      assert.deepEqual(await overflowing(page), [], name);
      await page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true });
      assert.deepEqual(problems, [], name);
      await page.close();
    }
  });

  it('renders every chart with data, without console errors, and fetches nothing', async () => {
    const report = richReport();
    const { page, problems, requests, url } = await open(report, RICH_SLA, 'report');

    const lines = await page.$$eval('figure.chart svg path.line', (paths) =>
      paths.map((p) => ({ series: p.getAttribute('data-series'), points: Number(p.getAttribute('data-points')), length: (p as unknown as { getTotalLength(): number }).getTotalLength() })),
    );
    const spectrum = await page.$$eval('#chart-spectrum path.line', (paths) => paths.map((p) => Number(p.getAttribute('data-points'))));
    assert.deepEqual(spectrum.length, 2, 'corrected and uncorrected spectrum');
    assert.ok(spectrum.every((n) => n > 50), `spectrum points ${spectrum}`);
    assert.ok(lines.every((l) => l.length > 100), `every line is drawn: ${JSON.stringify(lines)}`);
    const bars = await page.$$eval('#chart-throughput path.bars', (paths) => paths.map((p) => Number(p.getAttribute('data-points'))));
    assert.deepEqual(bars, [30, 30], 'ok and error bars for 30 seconds');
    const latencyOverTime = await page.$$eval('#chart-latency-time path.line', (paths) => paths.map((p) => p.getAttribute('data-series')));
    assert.deepEqual(latencyOverTime, ['p50', 'p99']);
    assert.equal(await page.locator('.small-multiples figure.chart').count(), Object.keys(report.resources!.metrics).length);
    assert.equal(await page.locator('#chart-spectrum .marker').count(), 2, 'SLA markers for p99 and p99.9');

    assert.deepEqual(await overflowing(page), []);
    const screenshot = join(outputDir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`HTML report screenshot: ${screenshot}`);

    const svg = page.locator('#chart-spectrum svg');
    const box = (await svg.boundingBox())!;
    await svg.hover({ position: { x: box.width * 0.6, y: box.height * 0.5 } });
    const tip = page.locator('#chart-spectrum .tip');
    assert.equal(await tip.isVisible(), true, 'hovering shows the read-out');
    assert.match((await tip.textContent())!, /^percentile: [\d.]+%\nuncorrected \(from actual send\): [\d.]+ ms\nlatency \(from planned send\): [\d.]+ ms$/);

    assert.equal(await page.locator('.verdict-badge').textContent(), 'FAIL');
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url], 'the page loads nothing but itself');

    await page.close();
  });

  it('renders an invalid run and a run without histogram or resources cleanly', async () => {
    const invalid = syntheticReport({ seconds: 10, tool: 'wrk', valid: false });
    delete invalid.histogram;
    const { page, problems, requests, url } = await open(invalid, 'p99<=200ms', 'invalid');
    assert.equal(await page.locator('.verdict-badge').textContent(), 'INVALID');
    assert.equal(await page.locator('#chart-spectrum circle').count(), 8);
    assert.equal(await page.locator('.pill-not-judged').count(), 1);
    assert.deepEqual(await overflowing(page), []);
    await page.screenshot({ path: join(outputDir, 'invalid.png'), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url]);
    await page.close();
  });
});

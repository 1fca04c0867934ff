import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
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
    ['SLA met', 'p99<=10s', true, 'pass', 'SLA passed'],
    ['SLA broken', 'p99<=1ms', true, 'fail', 'SLA failed'],
    ['invalid run', 'p99<=10s', false, 'invalid', 'No verdict: run invalid'],
    ['no SLA', undefined, true, 'measured', 'Measured'],
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
    assert.match(html, /RUN VALID: the generator held its plan, latency trusted up to p90/);
    assert.equal((html.match(/<td class="num untrusted"/g) ?? []).length, 5, 'p95, p99, p99.9, p99.99, max');
    assert.match(html, /class="tile tile-untrusted"><div class="tile-label">p99<\/div>/);
    assert.match(html, /Send lag \(actual minus planned send\): p50 0\.02/);
    assert.match(html, /<th>p99<\/th><td class="num">[\d.]+ ms<\/td><td class="num">2 ms<\/td><td class="num">[\d.]+ ms<\/td><td><span class="pill pill-not-judged">not trusted/);
    const quiet = renderHtmlReport(syntheticReport({ seconds: 5, rps: 200, targetRps: 200, sendLag: () => 0.02 }));
    assert.doesNotMatch(quiet, /class="num untrusted"|class="tile tile-untrusted"/);
    assert.match(quiet, /RUN VALID: the generator held its plan, latency trusted up to max/);
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
      viewport: { width: 1200, height: 900 },
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
    await page.screenshot({ path: join(outputDir, 'invalid.png'), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url]);
    await page.close();
  });
});

import { readKnownMetrics } from './exporter-metrics.js';
import { TextClient } from './http-text.js';
import { IntervalSampler } from './interval-sampler.js';
import { failureReason, type MeasurementWindow, type Monitor, type SampleSink } from './monitor.js';
import { Exposition, parsePrometheusText } from './prometheus-text.js';
import { redactUrl } from '../core/redact.js';

/** Ask for the classic text format even from servers that also speak OpenMetrics. */
const ACCEPT_TEXT_FORMAT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

/**
 * Scrapes a Prometheus exporter's /metrics every interval (node_exporter, DCGM exporter, or an
 * inference server's own endpoint) and maps the names it knows (see readKnownMetrics). A failed
 * scrape is reported and sampling goes on: the exporter may come back.
 */
export class ExporterMonitor implements Monitor {
  readonly name: string;
  private readonly client: TextClient;
  private sampler: IntervalSampler | undefined;
  private previous: { exposition: Exposition; atMs: number } | undefined;
  private scrapes = 0;
  private readings = 0;
  private sink: SampleSink | undefined;

  constructor(private readonly url: URL, intervalMs: number) {
    this.name = `prometheus:${redactUrl(url)}`;
    // A scrape may take up to one interval (at least 1 s, at most 10 s); slower counts as failed.
    this.client = new TextClient(Math.min(10_000, Math.max(1000, intervalMs)));
  }

  async start(sink: SampleSink, intervalMs: number): Promise<void> {
    this.sink = sink;
    await this.scrape(sink);
    this.sampler = new IntervalSampler(intervalMs, () => this.scrape(sink));
    this.sampler.start();
  }

  async stop(_window: MeasurementWindow): Promise<void> {
    await this.sampler?.stop();
    this.client.close();
    if (this.scrapes >= 2 && this.readings === 0) {
      this.sink?.fail(
        `${redactUrl(this.url)} answered but serves no metric modelprof knows ` +
          '(node_exporter, DCGM exporter, Triton, vLLM, TorchServe, KServe, or the standard process_*, go_* and python_* metrics)',
      );
    }
  }

  private async scrape(sink: SampleSink): Promise<void> {
    let exposition: Exposition;
    try {
      const response = await this.client.get(this.url, ACCEPT_TEXT_FORMAT);
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      exposition = new Exposition(parsePrometheusText(response.body));
    } catch (error) {
      sink.fail(`scrape of ${redactUrl(this.url)} failed: ${failureReason(error)}`);
      return;
    }
    const timeMs = Date.now();
    const atMs = performance.now();
    const readings = readKnownMetrics({
      current: exposition,
      previous: this.previous?.exposition,
      seconds: this.previous ? (atMs - this.previous.atMs) / 1000 : 0,
    });
    this.previous = { exposition, atMs };
    this.scrapes++;
    this.readings += readings.length;
    if (readings.length > 0) sink.record(timeMs, readings);
  }
}

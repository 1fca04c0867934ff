import assert from 'node:assert/strict';
import https from 'node:https';
import { describe, it } from 'node:test';
import { ArmClient } from '../../../src/azure/arm-client.js';
import { OnlineEndpointClient } from '../../../src/azure/online-endpoint.js';
import { AzureMonitor, minutesOf } from '../../../src/monitors/azure-monitor.js';
import type { Reading, SampleSink } from '../../../src/monitors/monitor.js';
import { startAzureStandIn, type AzureStandIn, type AzureStandInOptions } from '../../support/azure-stand-in.js';

// No Azure Monitor here: the stand-in answers Metrics_List with the published Response shape
// (azure-rest-api-specs, Microsoft.Insights stable/2023-10-01), from what its scoring route served.
// Both sides share a fake clock, so minutes pass without waiting.

const MINUTE = 60_000;

class Sink implements SampleSink {
  samples: { timeMs: number; readings: readonly Reading[] }[] = [];
  failures: string[] = [];
  record(timeMs: number, readings: readonly Reading[]): void {
    this.samples.push({ timeMs, readings });
  }
  fail(reason: string): void {
    this.failures.push(reason);
  }
}

function score(standIn: AzureStandIn, count: number): Promise<void[]> {
  return Promise.all(
    Array.from({ length: count }, () => new Promise<void>((resolve, reject) => {
      const request = https.request(`${standIn.origin}/score`, { method: 'POST', ca: standIn.ca, headers: { authorization: `Bearer ${standIn.key}`, 'azureml-model-deployment': standIn.names.deployment } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end('{"data":[[1]]}');
    })),
  );
}

async function run(options: AzureStandInOptions & { waitMs: number; windowMinutes?: number }): Promise<{ sink: Sink; progress: string[] }> {
  const start = Math.floor(Date.now() / MINUTE) * MINUTE + 10_000;
  let now = start;
  const standIn = await startAzureStandIn({ ...options, now: () => now });
  try {
    await score(standIn, 30);
    const arm = new ArmClient({ endpoint: new URL(standIn.origin), credential: { description: 't', getToken: async () => ({ token: standIn.armToken, expiresOnMs: Infinity }) }, ca: standIn.ca });
    const deployment = await new OnlineEndpointClient(arm, standIn.names).describe();
    const progress: string[] = [];
    const monitor = new AzureMonitor({
      arm,
      deployment,
      waitMs: options.waitMs,
      pollMs: 30_000,
      now: () => now,
      sleep: async (ms) => void (now += ms),
      onProgress: (line) => progress.push(line),
    });
    const sink = new Sink();
    await monitor.start(sink);
    const endMs = start + (options.windowMinutes ?? 0) * MINUTE + 20_000;
    now = endMs + 1000;
    await monitor.stop({ startMs: start, endMs });
    return { sink, progress };
  } finally {
    await standIn.close();
  }
}

function metric(sink: Sink, name: string): Reading & { peak?: number } {
  const found = sink.samples.flatMap((s) => s.readings).find((r) => r.metric === name);
  assert.ok(found, `no ${name} in ${JSON.stringify(sink.samples)}`);
  return found;
}

describe('Azure Monitor monitor', () => {
  it('reads utilization and server-side latency for the minutes of the run, waiting for the last one to close', async () => {
    const { sink, progress } = await run({ waitMs: 5 * MINUTE });
    assert.deepEqual(sink.failures, []);
    assert.equal(sink.samples.length, 1);
    assert.equal(metric(sink, 'azure.requests_per_minute').value, 30);
    assert.equal(metric(sink, 'azure.cpu').unit, '%');
    assert.equal(metric(sink, 'azure.cpu').value, 5.5);
    assert.equal(metric(sink, 'azure.cpu').peak, 8.75);
    assert.equal(metric(sink, 'azure.latency_p99').unit, 'ms');
    assert.ok(!sink.samples[0]!.readings.some((r) => r.metric.startsWith('azure.gpu')), 'a CPU instance has no GPU series');
    assert.match(progress[0] ?? '', /waiting for Azure Monitor's 1-minute metrics: 0 of 1 minutes in/);
  });

  it('waits for metrics that arrive late, with progress, within the bound', async () => {
    const { sink, progress } = await run({ waitMs: 3 * MINUTE, metricsDelayMs: 90_000 });
    assert.deepEqual(sink.failures, []);
    assert.equal(metric(sink, 'azure.requests_per_minute').value, 30);
    assert.ok(progress.length >= 3, progress.join('\n'));
  });

  it('reports metrics still missing after the wait, never inventing them', async () => {
    const { sink } = await run({ waitMs: MINUTE, metricsDelayMs: 10 * MINUTE });
    assert.equal(sink.samples.length, 0);
    assert.match(sink.failures.join('\n'), /no data for the run's 1 minute\(s\) after waiting 1m \(1-minute grain\)/);
  });

  it('keeps the minutes that came and names the ones that did not', async () => {
    const { sink } = await run({ waitMs: MINUTE, windowMinutes: 1 });
    assert.equal(sink.samples.length, 1);
    assert.match(sink.failures.join('\n'), /no data yet for 1 of 2 minutes \(\d\d:\d\d UTC\)/);
  });

  it('covers every minute the measured window touches', () => {
    assert.deepEqual(minutesOf({ startMs: 90_000, endMs: 180_000 }), [60_000, 120_000]);
    assert.deepEqual(minutesOf({ startMs: 120_000, endMs: 121_000 }), [120_000]);
    assert.deepEqual(minutesOf({ startMs: 5, endMs: 5 }), []);
  });
});

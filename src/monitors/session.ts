import { AzureMonitor } from './azure-monitor.js';
import { ExporterMonitor } from './exporter-monitor.js';
import { failureReason, type MeasurementWindow, type Monitor, type MonitorSpec, type Reading, type SampleSink } from './monitor.js';
import { NvidiaSmiMonitor } from './nvidia-smi-monitor.js';
import { ProcessMonitor } from './process-monitor.js';
import { PrometheusServerMonitor } from './prometheus-server-monitor.js';
import { buildResourceReport, type MonitorRecord } from './resource-report.js';
import type { ResourceReport } from './resources.js';

/** Monitors running beside a load run. */
export interface MonitorSession {
  /**
   * Stops every monitor and returns what they saw over `window`, the load's measured window.
   * Never rejects: a monitor that failed is listed with its reason, the others are kept.
   */
  stop(window: MeasurementWindow): Promise<ResourceReport>;
}

/**
 * Starts one monitor per spec (one per PromQL query) and lets them sample every `intervalMs`.
 * Resolves once each has taken its first sample or failed; a monitor that cannot start is reported,
 * never thrown.
 */
export async function startMonitors(specs: readonly MonitorSpec[], opts: { intervalMs: number }): Promise<MonitorSession> {
  const running = specs.flatMap((spec) => createMonitors(spec, opts.intervalMs)).map((monitor) => ({
    monitor,
    recorder: new Recorder(monitor.name, monitor.grainMs),
  }));
  await Promise.all(
    running.map(({ monitor, recorder }) =>
      monitor.start(recorder, opts.intervalMs).catch((error: unknown) => recorder.fail(failureReason(error))),
    ),
  );
  let report: Promise<ResourceReport> | undefined;
  return {
    stop(window) {
      report ??= Promise.all(
        running.map(({ monitor, recorder }) =>
          monitor.stop(window).catch((error: unknown) => recorder.fail(failureReason(error))),
        ),
      ).then(() => buildResourceReport(running.map(({ recorder }) => recorder.toRecord()), window, opts.intervalMs));
      return report;
    },
  };
}

function createMonitors(spec: MonitorSpec, intervalMs: number): Monitor[] {
  switch (spec.kind) {
    case 'process':
      return [new ProcessMonitor(spec.pid)];
    case 'prometheus':
      return [new ExporterMonitor(spec.url, intervalMs)];
    case 'prometheus-server':
      return spec.queries.map((query) => new PrometheusServerMonitor(spec.url, query));
    case 'nvidia-smi':
      return [new NvidiaSmiMonitor(spec.command)];
    case 'azure':
      return [new AzureMonitor(spec)];
  }
}

/** Collects one monitor's samples and failures as they come. */
class Recorder implements SampleSink {
  private readonly samples: { timeMs: number; readings: readonly Reading[] }[] = [];
  private failures: MonitorRecord['failures'];

  constructor(
    private readonly name: string,
    private readonly grainMs: number | undefined,
  ) {}

  record(timeMs: number, readings: readonly Reading[]): void {
    this.samples.push({ timeMs, readings });
  }

  fail(reason: string): void {
    if (this.failures) this.failures.count++;
    else this.failures = { first: { timeMs: Date.now(), reason }, count: 1 };
  }

  toRecord(): MonitorRecord {
    return {
      name: this.name,
      samples: this.samples,
      ...(this.grainMs ? { grainMs: this.grainMs } : {}),
      ...(this.failures ? { failures: this.failures } : {}),
    };
  }
}

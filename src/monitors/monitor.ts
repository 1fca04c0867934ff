import type { AzureMonitorOptions } from './azure-monitor-options.js';
/** One value read by a monitor, named in the dotted scheme documented on ResourceReport.metrics. */
export interface Reading {
  metric: string;
  unit: string;
  value: number;
  /** The highest value within the sample's grain, when the source aggregates one (Azure Monitor's Maximum). */
  peak?: number;
}

/** Where a monitor hands what it read. Both calls are cheap and never throw. */
export interface SampleSink {
  /** Readings taken at `timeMs` (Date.now() clock). */
  record(timeMs: number, readings: readonly Reading[]): void;
  /** The monitor could not sample; the run goes on and the report says why. */
  fail(reason: string): void;
}

/** The load's measured window in epoch ms (Date.now() clock). */
export interface MeasurementWindow {
  startMs: number;
  endMs: number;
}

/**
 * Watches one thing on the server side while load runs. Monitors live in the main thread, off the
 * load engine's hot path (the engine runs in worker threads), and only do async I/O.
 */
export interface Monitor {
  /** Shown in the report's monitor list and as the `source` of each metric it produced. */
  readonly name: string;
  /**
   * When set, each sample stands for the interval [t, t + grainMs) (Azure Monitor's 1-minute grain)
   * rather than the instant t; samples overlapping the measured window are kept.
   */
  readonly grainMs?: number;
  /** Begins sampling every `intervalMs`. Problems go to `sink.fail`, they do not reject. */
  start(sink: SampleSink, intervalMs: number): Promise<void>;
  /** Ends sampling; monitors that read history (a Prometheus server) read the window now. */
  stop(window: MeasurementWindow): Promise<void>;
}

/**
 * The monitor flags as given, before validation: strings (lists for the repeatable flags), named
 * after the run command's flags. A job file's monitors block is read into the same shape.
 */
export interface MonitorRequest {
  monitorPid?: string;
  serve?: string;
  serveTimeout?: string;
  prometheus?: string[];
  prometheusServer?: string;
  query?: string[];
  gpu?: boolean;
  monitorInterval?: string;
}

/** What `--monitor-pid`, `--serve`, `--prometheus`, `--prometheus-server`/`--query` and `--gpu` ask for. */
export type MonitorSpec =
  | { kind: 'process'; pid: number }
  | { kind: 'prometheus'; url: URL }
  | { kind: 'prometheus-server'; url: URL; queries: readonly PromQuery[] }
  /** `command` is the nvidia-smi program to run; PATH's nvidia-smi when absent. */
  | { kind: 'nvidia-smi'; command?: string }
  /** An Azure ML deployment's Azure Monitor metrics (see AzureMonitorOptions). */
  | ({ kind: 'azure' } & AzureMonitorOptions);

export interface PromQuery {
  name: string;
  promql: string;
}


/** The one-line reason an operation failed. */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // A connect to a name with several addresses (localhost: ::1 and 127.0.0.1) fails with an
  // AggregateError whose own message is empty.
  if (!error.message && error instanceof AggregateError) {
    return error.errors.map((each) => failureReason(each)).join('; ');
  }
  return error.message;
}

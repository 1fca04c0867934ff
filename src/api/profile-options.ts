import { SettingsError } from '../core/errors.js';
import type { Progress } from '../load/engine.js';
import type { MonitorRequest } from '../monitors/monitor.js';
import type { ScalarKey, SettingsLayer } from '../settings/layers.js';
import { assembleRunRequest, jobSources, type RunRequest, type RunSources } from '../settings/run-request.js';
import type { EngineName, ToolName } from '../settings/settings.js';

/** A duration as the CLI takes it ('30s', '500ms', '5m') or a number of seconds. */
export type Duration = string | number;

/**
 * The settings of one profiling run: the CLI's flags in camelCase (see README "Profiling an
 * endpoint"), with the same defaults and the same validation. Everything is optional except a
 * target (`url`, or a job `file` that names one).
 */
export interface RunOptions {
  /** The scoring URL, http or https. */
  url?: string | URL;
  /** HTTP method; default POST with a payload, else GET. */
  method?: string;
  /** Request headers; `${VAR}` in a value expands from `env`. Never written to reports. */
  headers?: Record<string, string>;
  /** One request body. */
  payload?: string;
  /** A file with one request body per line, sent in rotation; wins over `payload`. */
  payloadFile?: string;
  /** Load model: 'wrk' (closed loop, the default), 'wrk2' (constant rate) or 'labench' (even ticker). */
  tool?: ToolName;
  /** Who sends: modelprof's own workers ('builtin', the default) or the real program ('external'). */
  engine?: EngineName;
  /** Target requests per second (wrk2, labench); default 50. */
  rate?: number;
  /** Keep-alive connections (wrk, wrk2); default 1. */
  connections?: number;
  /** Worker threads; default 1. */
  threads?: number;
  /** LaBench's client pool; default 1. */
  clients?: number;
  /** Measured time; default '300s'. */
  duration?: Duration;
  /** Sent before measuring and left out of the figures; default '3s'. */
  warmup?: Duration;
  /** Per-request timeout; default '10s'. */
  timeout?: Duration;
  /** Folder for report.json, report.html and the external tools' files; default 'outputs'. */
  output?: string;
  /** Where external programs are looked up before PATH. */
  toolPath?: string;
  /** Accept any TLS certificate. */
  insecure?: boolean;
  /** A job file (schema/job.schema.json); these options rank above it. */
  file?: string;
  /** SLA clauses, e.g. 'p99<=200ms, error_rate<0.1%'; judged in report.html and by checkSla. */
  sla?: string;
  /** Monitors beside the load (see README "Watching the server"). */
  monitors?: MonitorOptions;
  /** A shell command that starts the target: started before the load, watched, stopped after. */
  serve?: string | { command: string; timeout?: Duration };
  /**
   * profile() only: run as one shard of a larger run, 'INDEX/COUNT' (0-based) or { index, count }: this
   * process sends its part of the load, and the report can be merged with the others' (mergeReports).
   * Without it, SHARD_INDEX (or JOB_COMPLETION_INDEX) and SHARD_COUNT are read from `env` when given.
   */
  shard?: string | { index: number; count: number };
  /** profile() only: an ISO 8601 time with a zone (or a Date) at which to start, so shards started apart measure the same window. */
  startAt?: string | Date;
  /**
   * An Azure ML deployment as the target (README "Azure ML online endpoints"): looked up in Azure
   * Resource Manager unless `url` is given, with Azure Monitor's figures in the report.
   */
  azure?: AzureOptions;
  /**
   * The environment: `${VAR}` in header values expands from it. When given, the seed's variables in
   * it (SCORING_URI, TARGET_RPS, ...) are read too, below these options; default: process.env for
   * expansion only, no variables read.
   */
  env?: NodeJS.ProcessEnv;
}

export interface AzureOptions {
  endpoint: string;
  deployment: string;
  /** Default: SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE in `env`, else the Azure ML job's own. */
  subscription?: string;
  resourceGroup?: string;
  workspace?: string;
  /** Azure Resource Manager; default https://management.azure.com. */
  armEndpoint?: string;
  /** How long to wait after the run for Azure Monitor's last minute; default '5m'. */
  metricsWait?: Duration;
  /** Extra CA certificates (PEM) trusted for Resource Manager only, e.g. a private CA's. */
  ca?: string | Buffer;
}

/** The option that gives each Azure setting, as errors name it. */
const AZURE_OPTIONS: readonly [keyof AzureOptions & ScalarKey | 'metricsWait', ScalarKey][] = [
  ['endpoint', 'endpoint'],
  ['deployment', 'deployment'],
  ['subscription', 'subscription'],
  ['resourceGroup', 'resourceGroup'],
  ['workspace', 'workspace'],
  ['armEndpoint', 'armEndpoint'],
  ['metricsWait', 'azureMetricsWait'],
];

export interface MonitorOptions {
  /** Watch this local process and its children (CPU, RSS, threads). */
  pid?: number;
  /** Prometheus exporters to scrape each interval. */
  prometheus?: readonly string[];
  /** A Prometheus server to run `queries` against over the run's window. */
  prometheusServer?: string;
  /** name -> PromQL, recorded as query.<name>. */
  queries?: Record<string, string>;
  /** Sample every GPU with nvidia-smi. */
  gpu?: boolean;
  /** Sampling interval in ms; default 1000. */
  intervalMs?: number;
}

/** What a long call tells its caller while it runs. */
export interface ProgressOptions {
  /** Stops the work: a run keeps what it measured (the report is marked partial). */
  signal?: AbortSignal;
  /** Live figures, once a second while load runs. */
  onProgress?: (progress: Progress) => void;
  /** One line per event (a point measured, a point re-run), for a log. */
  onLog?: (line: string) => void;
}

const SCALAR_OPTIONS: readonly (keyof RunOptions & ScalarKey)[] = [
  'method',
  'payload',
  'payloadFile',
  'tool',
  'engine',
  'rate',
  'connections',
  'threads',
  'clients',
  'duration',
  'warmup',
  'timeout',
  'output',
  'toolPath',
];

/**
 * Assembles a run from library options the one way the CLI assembles it (assembleRunRequest), so
 * defaults, precedence and every validation message are the same; errors name `options.<key>`.
 */
export function runRequestFromOptions(options: RunOptions, commandDefaults?: SettingsLayer): RunRequest {
  return assembleRunRequest(runSourcesFromOptions(options, commandDefaults));
}

/** The sources of a run given by library options (see assembleRunRequest and assembleAzureRunRequest). */
export function runSourcesFromOptions(options: RunOptions, commandDefaults?: SettingsLayer): RunSources {
  if (typeof options !== 'object' || options === null) throw new SettingsError('options must be an object such as { url, tool, rate, duration }');
  const layer: SettingsLayer = {};
  for (const key of SCALAR_OPTIONS) {
    const value = options[key];
    if (value !== undefined) layer[key] = { value: String(value), source: `options.${key}` };
  }
  if (options.url !== undefined) layer.url = { value: options.url instanceof URL ? options.url.href : String(options.url), source: 'options.url' };
  if (options.headers !== undefined) {
    if (typeof options.headers !== 'object' || options.headers === null) throw new SettingsError('options.headers must be an object of header names to values');
    layer.headers = { value: Object.fromEntries(Object.entries(options.headers).map(([name, value]) => [name, String(value)])), source: 'options.headers' };
  }
  if (options.azure !== undefined) {
    for (const [option, key] of AZURE_OPTIONS) {
      const value = options.azure[option];
      if (value !== undefined) layer[key] = { value: String(value), source: `options.azure.${option}` };
    }
  }
  return {
    layers: [layer],
    jobs: jobSources(options.file),
    ...(options.env ? { environment: options.env } : {}),
    env: options.env ?? process.env,
    ...(commandDefaults ? { commandDefaults } : {}),
    monitors: monitorRequest(options),
    insecure: options.insecure === true,
    ...(options.sla !== undefined ? { sla: { text: String(options.sla), source: 'options.sla' } } : {}),
  };
}

function monitorRequest(options: RunOptions): MonitorRequest {
  const monitors = options.monitors ?? {};
  const request: MonitorRequest = {};
  if (monitors.pid !== undefined) request.monitorPid = String(monitors.pid);
  if (monitors.prometheus !== undefined) request.prometheus = [...monitors.prometheus];
  if (monitors.prometheusServer !== undefined) request.prometheusServer = monitors.prometheusServer;
  if (monitors.queries !== undefined) request.query = Object.entries(monitors.queries).map(([name, promql]) => `${name}=${promql}`);
  if (monitors.gpu !== undefined) request.gpu = monitors.gpu;
  if (monitors.intervalMs !== undefined) request.monitorInterval = String(monitors.intervalMs);
  if (options.serve !== undefined) {
    const serve = typeof options.serve === 'string' ? { command: options.serve } : options.serve;
    request.serve = serve.command;
    if ('timeout' in serve && serve.timeout !== undefined) request.serveTimeout = String(serve.timeout);
  }
  return request;
}

import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { SettingsError } from '../core/errors.js';
import type { MonitorRequest } from '../monitors/monitor.js';
import { parseHeaderFlags } from '../settings/headers.js';
import type { ScalarKey, SettingsLayer } from '../settings/layers.js';
import { assembleRunRequest, jobSources, type RunRequest } from '../settings/run-request.js';
import { collect } from './collect.js';

/** Flags that set a scalar setting, with the setting each one fills. */
const SCALAR_FLAGS: readonly [flags: string, key: ScalarKey, description: string][] = [
  ['-u, --url <url>', 'url', 'scoring URL (env SCORING_URI)'],
  ['-X, --method <method>', 'method', 'HTTP method (default POST with a payload, else GET)'],
  ['--payload <body>', 'payload', 'request body as a string (env PAYLOAD)'],
  ['--payload-file <file>', 'payloadFile', "one request body per line, sent in rotation (the seed's --payload_path)"],
  ['--tool <name>', 'tool', 'load model / program: wrk, wrk2 or labench (env PROFILING_TOOL, default wrk)'],
  ['--engine <name>', 'engine', 'builtin (modelprof sends) or external (runs the real program) (env ENGINE, default builtin)'],
  ['-d, --duration <duration>', 'duration', 'measured duration, e.g. 30, 30s, 5m (env DURATION, default 300s)'],
  ['--warmup <duration>', 'warmup', 'warm-up before measuring, excluded from results (env WARMUP, default 3s)'],
  ['-c, --connections <n>', 'connections', 'connections for wrk and wrk2 (env CONNECTIONS, default 1)'],
  ['-t, --threads <n>', 'threads', 'worker threads (env THREAD, default 1)'],
  ['-R, --rate <rps>', 'rate', 'target requests per second for wrk2 and labench (env TARGET_RPS, default 50)'],
  ['--clients <n>', 'clients', 'client pool for labench (env CLIENTS, default 1)'],
  ['--timeout <duration>', 'timeout', 'per-request timeout (env TIMEOUT, default 10s)'],
  ['-o, --output <dir>', 'output', 'folder for report.json and artifacts (env OUTPUT_DIR, default outputs)'],
  ['--tool-path <path>', 'toolPath', 'where to look for external programs before PATH (env TOOL_PATH)'],
  ['--subscription <id>', 'subscription', 'Azure subscription of the deployment (env SUBSCRIPTION)'],
  ['--resource-group <name>', 'resourceGroup', 'Azure resource group (env RESOURCE_GROUP)'],
  ['--workspace <name>', 'workspace', 'Azure ML workspace (env WORKSPACE)'],
  ['--endpoint <name>', 'endpoint', 'Azure ML online endpoint: looked up in Azure when no --url is given (env ONLINE_ENDPOINT)'],
  ['--deployment <name>', 'deployment', 'Azure ML deployment; sent as azureml-model-deployment (env DEPLOYMENT)'],
  ['--arm-endpoint <url>', 'armEndpoint', 'Azure Resource Manager for sovereign clouds (env ARM_ENDPOINT, default https://management.azure.com)'],
  ['--azure-metrics-wait <duration>', 'azureMetricsWait', 'how long to wait for Azure Monitor after the run (env AZURE_METRICS_WAIT, default 5m)'],
];

/** The monitor flags, named as MonitorRequest names them. */
const MONITOR_KEYS: readonly (keyof MonitorRequest)[] = ['monitorPid', 'serve', 'serveTimeout', 'prometheus', 'prometheusServer', 'query', 'gpu', 'monitorInterval'];

/** A run request with what only the command line asks for. */
export interface CommandRunRequest extends RunRequest {
  /** Where to write JUnit XML (one test case per SLA clause). */
  junit?: string;
  json: boolean;
}

/**
 * Assembles a run from a command's flags, --set, -f job file and the environment (see
 * assembleRunRequest); `commandDefaults` are the command's own defaults, ranked just above modelprof's.
 */
export function runRequestFrom(options: Record<string, unknown>, command: Command, env: NodeJS.ProcessEnv, commandDefaults?: SettingsLayer): CommandRunRequest {
  const file = typeof options['file'] === 'string' ? options['file'] : undefined;
  // Only monitor flags typed on the command line beat the job file; commander's defaults do not.
  const monitors = Object.fromEntries(MONITOR_KEYS.filter((key) => command.getOptionValueSource(key) === 'cli').map((key) => [key, options[key]])) as MonitorRequest;
  const request = assembleRunRequest({
    layers: [layerFromOptions(options)],
    jobs: jobSources(file, (options['set'] as string[] | undefined) ?? []),
    environment: env,
    env,
    ...(commandDefaults ? { commandDefaults } : {}),
    monitors,
    insecure: options['insecure'] === true,
    ...(typeof options['sla'] === 'string' ? { sla: { text: options['sla'], source: '--sla' } } : {}),
  });
  const junit = typeof options['junit'] === 'string' ? options['junit'] : undefined;
  if (junit !== undefined && !isFolder(dirname(resolve(junit)))) throw new SettingsError(`--junit "${junit}": its folder does not exist`);
  return { ...request, ...(junit !== undefined ? { junit } : {}), json: options['json'] === true };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Adds the load flags shared by `run` and `demo`. */
export function addLoadOptions(command: Command): Command {
  for (const [flags, , description] of SCALAR_FLAGS) command.option(flags, description);
  command.addOption(new Option('--payload_path <file>', 'alias of --payload-file').hideHelp());
  command.option('-H, --header <header>', 'request header "Name: value", repeatable; ${VAR} expands from the environment', collect, []);
  command.option('-k, --insecure', 'accept any TLS certificate');
  return command;
}

/** The settings layer given by the flags (highest precedence). */
export function layerFromOptions(options: Record<string, unknown>): SettingsLayer {
  const layer: SettingsLayer = {};
  for (const [flags, key] of SCALAR_FLAGS) {
    const value = options[key];
    if (typeof value === 'string') layer[key] = { value, source: longFlag(flags) };
  }
  if (typeof options['payload_path'] === 'string' && !layer.payloadFile) {
    layer.payloadFile = { value: options['payload_path'], source: '--payload_path' };
  }
  const headerFlags = options['header'] as string[] | undefined;
  if (headerFlags && headerFlags.length > 0) layer.headers = { value: parseHeaderFlags(headerFlags, '--header'), source: '--header' };
  return layer;
}

function longFlag(flags: string): string {
  return /--[\w-]+/.exec(flags)![0];
}

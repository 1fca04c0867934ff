import { Command, Option } from 'commander';
import type { MonitorRequest } from '../monitors/monitor.js';
import { parseHeaderFlags } from '../settings/headers.js';
import { environmentVariableOf } from '../settings/environment.js';
import type { ScalarKey, SettingsLayer } from '../settings/layers.js';
import { DEFAULTS } from '../settings/resolve.js';
import { assembleAzureRunRequest, DEFAULT_METRICS_WAIT, type AzureTarget } from '../settings/azure-target.js';
import { DEFAULT_ARM_ENDPOINT } from '../azure/arm-client.js';
import { assembleRunRequest, jobSources, type RunRequest, type RunSources } from '../settings/run-request.js';
import { collect } from './collect.js';
import { progressEverySec } from './console-session.js';

/** Flags that set a scalar setting, with the setting each one fills. */
const SCALAR_FLAGS: readonly [flags: string, key: ScalarKey, description: string][] = [
  ['-u, --url <url>', 'url', 'scoring URL'],
  ['-X, --method <method>', 'method', 'HTTP method (default POST with a payload, else GET)'],
  ['--payload <body>', 'payload', 'request body as a string'],
  ['--payload-file <file>', 'payloadFile', "one request body per line, sent in rotation (the seed's --payload_path)"],
  ['--tool <name>', 'tool', 'load model / program: wrk (closed loop), wrk2 (constant rate) or labench (even ticker, client pool)'],
  ['--engine <name>', 'engine', 'builtin (modelprof sends) or external (runs the real program)'],
  ['-d, --duration <duration>', 'duration', 'measured duration, e.g. 30, 30s, 5m'],
  ['--warmup <duration>', 'warmup', 'warm-up before measuring, excluded from results'],
  ['-c, --connections <n>', 'connections', 'keep-alive connections (wrk, wrk2)'],
  ['-t, --threads <n>', 'threads', 'worker threads'],
  ['-R, --rate <rps>', 'rate', 'target requests per second (wrk2, labench)'],
  ['--clients <n>', 'clients', 'client pool (labench)'],
  ['--timeout <duration>', 'timeout', 'per-request timeout, enforced to the millisecond'],
  ['-o, --output <dir>', 'output', 'folder for report.json and artifacts'],
  ['--tool-path <paths>', 'toolPath', 'external programs: TOOL=PATH per tool (wrk2=/opt/wrk2/wrk,labench=/opt/labench), or a folder searched before PATH'],
  ['--api <name>', 'api', 'serving protocol: raw (send the payload, check nothing), openai-chat, openai-completions, kserve-v1, kserve-v2 (also Triton), torchserve'],
  ['--model <name>', 'model', "model name, in the body (OpenAI) or the route; the API's standard route is appended to a base URL"],
  ['--input-tokens <n[:spread]>', 'inputTokens', 'synthetic prompts of about n tokens (n ± spread, uniform)'],
  ['--output-tokens <n[:spread]>', 'outputTokens', 'ask for n output tokens (n ± spread), past end-of-sequence where the server allows'],
  ['--dataset <file>', 'dataset', 'JSONL requests, one a line: {"messages": [...]} or {"prompt": "..."}'],
  ['--trace <file>', 'trace', 'replay a timestamped trace (Mooncake JSONL: timestamp ms, input_length, output_length)'],
  ['--trace-speedup <x>', 'traceSpeedup', 'replay the trace x times faster'],
  ['--arrival <kind>', 'arrival', 'even (the tool\'s plan) or poisson (seeded exponential gaps) at --rate (wrk2, labench)'],
  ['--seed <n>', 'seed', 'seed of synthetic prompts and Poisson arrivals'],
  ['--goodput <objectives>', 'goodput', 'per-request objectives, e.g. "ttft<=200ms,tpot<=50ms": the share and rate of requests meeting all'],
  ['--subscription <id>', 'subscription', 'Azure subscription of the deployment'],
  ['--resource-group <name>', 'resourceGroup', 'Azure resource group'],
  ['--workspace <name>', 'workspace', 'Azure ML workspace'],
  ['--endpoint <name>', 'endpoint', 'Azure ML online endpoint: looked up in Azure when no --url is given'],
  ['--deployment <name>', 'deployment', 'Azure ML deployment; sent as azureml-model-deployment'],
  ['--arm-endpoint <url>', 'armEndpoint', 'Azure Resource Manager for sovereign clouds'],
  ['--azure-metrics-wait <duration>', 'azureMetricsWait', 'how long to wait for Azure Monitor after the run'],
];

/** Defaults that the Azure resolution applies, shown in help beside modelprof's. */
const AZURE_DEFAULTS: Partial<Record<ScalarKey, string>> = { armEndpoint: DEFAULT_ARM_ENDPOINT, azureMetricsWait: DEFAULT_METRICS_WAIT };

/** The monitor flags, named as MonitorRequest names them. */
const MONITOR_KEYS: readonly (keyof MonitorRequest)[] = ['monitorPid', 'serve', 'serveTimeout', 'prometheus', 'prometheusServer', 'query', 'gpu', 'monitorInterval'];

/** A run request with what only the command line asks for. */
export interface CommandRunRequest extends RunRequest {
  /** Where to write JUnit XML (one test case per SLA clause). */
  junit?: string;
  json: boolean;
  /** Without a terminal: a plain progress line every this many seconds (0: none). */
  progressEverySec: number;
}

/**
 * Assembles a run from a command's flags, --set, -f job file and the environment (see
 * assembleRunRequest); `commandDefaults` are the command's own defaults, ranked just above modelprof's.
 */
export function runRequestFrom(options: Record<string, unknown>, command: Command, env: NodeJS.ProcessEnv, commandDefaults?: SettingsLayer): CommandRunRequest {
  return withCommandExtras(assembleRunRequest(runSourcesFrom(options, command, env, commandDefaults)), options);
}

/**
 * runRequestFrom for `run`, which also takes an Azure ML deployment as its target: ONLINE_ENDPOINT
 * and DEPLOYMENT (with SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE) are looked up in Azure first.
 */
export async function azureRunRequestFrom(
  options: Record<string, unknown>,
  command: Command,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<{ request: CommandRunRequest; azure?: AzureTarget }> {
  const { request, azure } = await assembleAzureRunRequest(runSourcesFrom(options, command, env), { env, log });
  return { request: withCommandExtras(request, options), ...(azure ? { azure } : {}) };
}

function runSourcesFrom(options: Record<string, unknown>, command: Command, env: NodeJS.ProcessEnv, commandDefaults?: SettingsLayer): RunSources {
  const file = typeof options['file'] === 'string' ? options['file'] : undefined;
  // Only monitor flags typed on the command line beat the job file; commander's defaults do not.
  const monitors = Object.fromEntries(MONITOR_KEYS.filter((key) => command.getOptionValueSource(key) === 'cli').map((key) => [key, options[key]])) as MonitorRequest;
  return {
    layers: [layerFromOptions(options)],
    jobs: jobSources(file, (options['set'] as string[] | undefined) ?? []),
    environment: env,
    env,
    ...(commandDefaults ? { commandDefaults } : {}),
    monitors,
    insecure: options['insecure'] === true,
    ...(typeof options['sla'] === 'string' ? { sla: { text: options['sla'], source: '--sla' } } : {}),
  };
}

function withCommandExtras(request: RunRequest, options: Record<string, unknown>): CommandRunRequest {
  const junit = typeof options['junit'] === 'string' ? options['junit'] : undefined;
  return { ...request, ...(junit !== undefined ? { junit } : {}), json: options['json'] === true, progressEverySec: progressEverySec(options) };
}

/** How a command reads the load flags' defaults and variables, for its help. */
export interface LoadHelp {
  /** The command's own defaults (find-max's wrk2, the demo's rate), over modelprof's. */
  defaults?: SettingsLayer;
  /** Settings whose seed variable the command does not read ('all': it reads none). */
  unreadVariables?: readonly ScalarKey[] | 'all';
}

/**
 * Adds the load flags shared by `run`, `demo`, `find-max` and `k8s-job`; each flag's help names its
 * environment variable and the default that applies to this command.
 */
export function addLoadOptions(command: Command, help: LoadHelp = {}): Command {
  for (const [flags, key, description] of SCALAR_FLAGS) command.option(flags, describeFlag(key, description, help));
  command.addOption(new Option('--payload_path <file>', 'alias of --payload-file').hideHelp());
  command.option('-H, --header <header>', 'request header "Name: value", repeatable; ${VAR} expands from the environment', collect);
  command.option('-k, --insecure', 'accept any TLS certificate');
  command.option('--no-stream', 'ask OpenAI endpoints for whole answers (no TTFT or ITL then)');
  command.option('--no-ignore-eos', 'do not send ignore_eos with --output-tokens or a trace (for servers that reject it)');
  return command;
}

function describeFlag(key: ScalarKey, description: string, help: LoadHelp): string {
  const unread = help.unreadVariables === 'all' || (help.unreadVariables ?? []).includes(key);
  const variable = unread ? undefined : environmentVariableOf(key);
  const fallback = help.defaults?.[key]?.value ?? (DEFAULTS as Partial<Record<ScalarKey, string>>)[key] ?? AZURE_DEFAULTS[key];
  // A long default (the demo's payload) is not worth a line of help.
  const shown = fallback !== undefined && fallback.length <= 32 ? fallback : fallback !== undefined ? 'built in' : undefined;
  const extra = [variable ? `env ${variable}` : undefined, shown !== undefined ? `default ${shown}` : undefined].filter((each) => each !== undefined);
  return extra.length > 0 ? `${description} (${extra.join(', ')})` : description;
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
  // Commander gives negatable flags as booleans, true unless negated.
  if (options['stream'] === false) layer.stream = { value: 'false', source: '--no-stream' };
  if (options['ignoreEos'] === false) layer.ignoreEos = { value: 'false', source: '--no-ignore-eos' };
  const headerFlags = options['header'] as string[] | undefined;
  if (headerFlags && headerFlags.length > 0) layer.headers = { value: parseHeaderFlags(headerFlags, '--header'), source: '--header' };
  return layer;
}

function longFlag(flags: string): string {
  return /--[\w-]+/.exec(flags)![0];
}

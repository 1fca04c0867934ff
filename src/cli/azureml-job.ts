import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  DEFAULT_ENVIRONMENT,
  commandJob,
  commandJobProblems,
  defaultPayloadPath,
  renderCommandJob,
  type CommandJobSpec,
  type JobSettingVariable,
} from '../azure/azureml-job.js';
import { SettingsError } from '../core/errors.js';
import { positiveInteger } from '../core/numbers.js';
import { shareOfLoad } from '../scale/shard.js';

/** The seed's settings variables and the flags that give them here, as in `modelprof run`. */
const SETTING_FLAGS: readonly [flags: string, option: string, variable: JobSettingVariable][] = [
  ['--tool <name>', 'tool', 'PROFILING_TOOL'],
  ['-d, --duration <duration>', 'duration', 'DURATION'],
  ['-c, --connections <n>', 'connections', 'CONNECTIONS'],
  ['-R, --rate <rps>', 'rate', 'TARGET_RPS'],
  ['--clients <n>', 'clients', 'CLIENTS'],
  ['--timeout <duration>', 'timeout', 'TIMEOUT'],
  ['-t, --threads <n>', 'threads', 'THREAD'],
];

export function registerAzureMlJob(program: Command): void {
  const command = program
    .command('azureml-job')
    .description("write an Azure ML command job (the seed's job-template.yml) that profiles a deployment with modelprof; submit it with az ml job create -f")
    .option('--endpoint <name>', 'online endpoint (env ONLINE_ENDPOINT)')
    .option('--deployment <name>', 'deployment (env DEPLOYMENT)')
    .option('--subscription <id>', "the endpoint's subscription, when not the job's own (env SUBSCRIPTION)")
    .option('--resource-group <name>', "the endpoint's resource group, when not the job's own (env RESOURCE_GROUP)")
    .option('--workspace <name>', "the endpoint's workspace, when not the job's own (env WORKSPACE)")
    .option('--compute <name>', 'the compute cluster or instance that runs the profiler')
    .option('--environment <ref>', 'registered environment built from this repository\'s Dockerfile', DEFAULT_ENVIRONMENT)
    .option('--image <image>', 'a container image built from the Dockerfile, instead of --environment')
    .option('--payload-path <uri>', 'payload file, one body per line (default: the seed\'s workspaceblobstore/paths/profiling_payloads/<endpoint>_payload.txt)')
    .option('--experiment-name <name>', 'experiment to file the job under', 'profiling-job')
    .option('--sku <instance type>', 'instance type of the deployment, for the display name SKU:CONNECTIONS')
    .option('--display-name <name>', 'display name (default SKU:CONNECTIONS)')
    .option('--sla <clauses>', 'SLA for modelprof run: a failed clause fails the job (exit 1)')
    .option('--shards <n>', 'run as N shards on N nodes of the compute (instance_count), merged by node 0 into outputs/merged; the settings are the whole run\'s')
    .option('-o, --output <file>', 'write the job YAML here instead of stdout');
  for (const [flags, , variable] of SETTING_FLAGS) command.option(flags, `${variable} for the job`);
  command.action((options: Record<string, string | undefined>) => {
    const yaml = azureMlJobYaml(options, process.env);
    if (options['output']) writeFileSync(options['output'], yaml);
    else process.stdout.write(yaml);
  });
}

/** The job YAML from flags, else the seed's variables; checked against the command-job schema. */
export function azureMlJobYaml(options: Record<string, string | undefined>, env: NodeJS.ProcessEnv): string {
  const pick = (option: string, variable: string): string | undefined => options[option]?.trim() || env[variable]?.trim() || undefined;
  const endpoint = pick('endpoint', 'ONLINE_ENDPOINT');
  const deployment = pick('deployment', 'DEPLOYMENT');
  if (!endpoint || !deployment) throw new SettingsError('azureml-job needs --endpoint and --deployment (or ONLINE_ENDPOINT and DEPLOYMENT): the deployment to profile');
  const compute = options['compute']?.trim();
  if (!compute) throw new SettingsError('azureml-job needs --compute: the Azure ML compute that runs the profiler (see README, "Run as an Azure ML job")');
  const settings: CommandJobSpec['settings'] = {};
  for (const [, option, variable] of SETTING_FLAGS) {
    const value = pick(option, variable);
    if (value) settings[variable] = value;
  }
  const target: CommandJobSpec['target'] = { ONLINE_ENDPOINT: endpoint, DEPLOYMENT: deployment };
  for (const [option, variable] of [['subscription', 'SUBSCRIPTION'], ['resourceGroup', 'RESOURCE_GROUP'], ['workspace', 'WORKSPACE']] as const) {
    const value = pick(option, variable);
    if (value) target[variable] = value;
  }
  const spec: CommandJobSpec = {
    target,
    settings,
    compute: compute.replace(/^azureml:/, ''),
    environment: options['image'] ? { image: options['image'] } : { registered: options['environment'] ?? DEFAULT_ENVIRONMENT },
    payloadPath: options['payloadPath'] ?? defaultPayloadPath(endpoint),
    experimentName: options['experimentName'] ?? 'profiling-job',
    displayName: options['displayName'] ?? `${options['sku'] ?? deployment}:${settings.CONNECTIONS ?? '1'}`,
    ...(options['sla'] ? { sla: options['sla'] } : {}),
    ...(options['shards'] !== undefined ? { shards: shardCount(options['shards'], settings) } : {}),
  };
  const job = commandJob(spec);
  const problems = commandJobProblems(job);
  if (problems.length > 0) throw new SettingsError(`the job does not match Azure ML's command-job schema: ${problems.join('; ')}`);
  return renderCommandJob(job);
}

/** --shards, checked against the connections (or clients) given: every shard needs one of its own. */
function shardCount(text: string, settings: CommandJobSpec['settings']): number {
  const count = positiveInteger(text, '--shards');
  const tool = settings.PROFILING_TOOL?.toLowerCase() === 'labench' ? 'labench' : 'wrk2';
  // Only what the job fixes can be checked here; CONNECTIONS left to the deployment is resolved on Azure.
  const senders = (variable: 'CONNECTIONS' | 'CLIENTS'): number => (settings[variable] === undefined ? count : Number(settings[variable]));
  shareOfLoad({ tool, rate: 1, connections: senders('CONNECTIONS'), clients: senders('CLIENTS'), threads: 1 }, { index: 0, count });
  return count;
}

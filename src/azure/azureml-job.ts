import { lazySchema, schemaProblems } from '../core/schema.js';
import { stringify } from 'yaml';
import { SHARD_EXIT_CODES } from '../scale/shard-exit-codes.js';

/** The `$schema` of an Azure ML command job, as in the seed's job-template.yml. */
export const COMMAND_JOB_SCHEMA_URL = 'https://azuremlschemas.azureedge.net/latest/commandJob.schema.json';
/** A registered environment built from this repository's Dockerfile (README: "Run as an Azure ML job"). */
export const DEFAULT_ENVIRONMENT = 'azureml:modelprof@latest';
/** Where Azure ML collects a job's files: everything under ./outputs is uploaded with the run. */
export const JOB_OUTPUT_DIR = 'outputs';

/** The seed's settings variables a profiling job passes on, in the seed's order. */
export const JOB_SETTING_VARIABLES = ['PROFILING_TOOL', 'DURATION', 'CONNECTIONS', 'TARGET_RPS', 'CLIENTS', 'TIMEOUT', 'THREAD'] as const;
export type JobSettingVariable = (typeof JOB_SETTING_VARIABLES)[number];

/** The target variables; SUBSCRIPTION, RESOURCE_GROUP and WORKSPACE default to the job's own on Azure ML compute. */
export const JOB_TARGET_VARIABLES = ['SUBSCRIPTION', 'RESOURCE_GROUP', 'WORKSPACE', 'ONLINE_ENDPOINT', 'DEPLOYMENT'] as const;
export type JobTargetVariable = (typeof JOB_TARGET_VARIABLES)[number];

export interface CommandJobSpec {
  /** ONLINE_ENDPOINT and DEPLOYMENT at least. No credential ever goes here. */
  target: Partial<Record<JobTargetVariable, string>> & { ONLINE_ENDPOINT: string; DEPLOYMENT: string };
  settings: Partial<Record<JobSettingVariable, string>>;
  /** Compute name, written as azureml:<name>. */
  compute: string;
  /** A registered environment (azureml:name@latest, azureml:name:version) or a container image. */
  environment: { registered: string } | { image: string };
  /** The payload file, one request body per line: a datastore URI, an https URL or a data asset. */
  payloadPath: string;
  experimentName: string;
  /** The seed's SKU:CONNECTIONS. */
  displayName: string;
  /** SLA clauses passed to modelprof run (exit 1 fails the job when a clause fails). */
  sla?: string;
  /** More `modelprof run` arguments, appended as given (e.g. sharding flags). */
  extraArgs?: readonly string[];
  /** Run as this many shards, one per node of the compute, merged by node 0 (see shardedCommand). */
  shards?: number;
}

/** How long node 0, its own shard done, waits for the other nodes' reports before merging what is there. */
export const SHARD_MERGE_WAIT_SEC = 180;
/** The job output all nodes mount read-write: each shard's report goes to shard-<rank>/ in it. */
const SHARD_REPORTS = '${{outputs.reports}}';

/**
 * An Azure ML command job like the seed's job-template.yml: the payload as a uri_file input, the
 * target and settings as environment variables, and a command running `modelprof run` that writes
 * report.json, report.html and JUnit into ./outputs, which Azure ML uploads with the run.
 */
export function commandJob(spec: CommandJobSpec): Record<string, unknown> {
  if (spec.shards !== undefined && spec.shards > 1) return shardedCommandJob(spec, spec.shards);
  const args = ['modelprof', 'run', '--payload-file', '${{inputs.payload}}', '--output', JOB_OUTPUT_DIR, '--junit', `${JOB_OUTPUT_DIR}/junit.xml`];
  if (spec.sla) args.push('--sla', spec.sla);
  args.push(...(spec.extraArgs ?? []));
  return jobBody(spec, args.map(shellWord).join(' '));
}

/**
 * The same job as N shards: `resources.instance_count` = N nodes with `distribution: pytorch`, one
 * process per node, so Azure ML starts the command on every node together and sets NODE_RANK
 * (0..N-1) in each ("Distributed GPU training guide (SDK v2)", PyTorch: MASTER_ADDR, MASTER_PORT,
 * WORLD_SIZE, NODE_RANK, RANK, LOCAL_RANK). Each node runs its shard (`--shard $NODE_RANK/N`) into
 * the `reports` output, mounted read-write on every node; node 0 then waits for the others'
 * reports and merges them into ./outputs/merged (report.json, report.html, JUnit), which Azure ML
 * uploads with the job. The SLA judges the merged run only; the job's exit status is node 0's
 * merge verdict, or a shard's own failure.
 */
function shardedCommandJob(spec: CommandJobSpec, shards: number): Record<string, unknown> {
  const run = ['modelprof', 'run', '--payload-file', '${{inputs.payload}}', ...(spec.extraArgs ?? [])].map(shellWord).join(' ');
  const merge = ['modelprof', 'merge', SHARD_REPORTS, '--shards', String(shards), '--allow-missing', '--output', `${JOB_OUTPUT_DIR}/merged`, '--junit', `${JOB_OUTPUT_DIR}/merged/junit.xml`];
  if (spec.sla) merge.push('--sla', spec.sla);
  const deadline = `"$(date -u -d '+${SHARD_MERGE_WAIT_SEC} seconds' +%Y-%m-%dT%H:%M:%SZ)"`;
  const command = [
    `${run} --shard "$NODE_RANK/${shards}" --output "${SHARD_REPORTS}/shard-$NODE_RANK"`,
    'status=$?',
    `if [ "$NODE_RANK" = 0 ]; then ${merge.map(shellWord).join(' ')} --wait-until ${deadline}; status=$?; fi`,
    'exit $status',
  ].join('; ');
  return {
    ...jobBody(spec, command),
    description: `modelprof: one run as ${shards} shards, one a node, merged by node 0. Exit codes: ${SHARD_EXIT_CODES}; here node 0's exit code is the merge's.`,
    outputs: { reports: { type: 'uri_folder', mode: 'rw_mount' } },
    resources: { instance_count: shards },
    distribution: { type: 'pytorch', process_count_per_instance: 1 },
  };
}

function jobBody(spec: CommandJobSpec, command: string): Record<string, unknown> {
  const variables: Record<string, string> = {};
  for (const name of JOB_TARGET_VARIABLES) if (spec.target[name]) variables[name] = spec.target[name]!;
  for (const name of JOB_SETTING_VARIABLES) if (spec.settings[name]) variables[name] = spec.settings[name]!;
  return {
    $schema: COMMAND_JOB_SCHEMA_URL,
    type: 'command',
    command,
    experiment_name: spec.experimentName,
    display_name: spec.displayName,
    environment: 'registered' in spec.environment ? spec.environment.registered : { image: spec.environment.image },
    environment_variables: variables,
    compute: `azureml:${spec.compute}`,
    inputs: { payload: { type: 'uri_file', path: spec.payloadPath } },
  };
}

/** The seed's payload location: the workspace's default datastore, profiling_payloads/<endpoint>_payload.txt. */
export function defaultPayloadPath(endpoint: string): string {
  return `azureml://datastores/workspaceblobstore/paths/profiling_payloads/${endpoint}_payload.txt`;
}

export function renderCommandJob(job: Record<string, unknown>): string {
  return stringify(job, { lineWidth: 0 });
}

const validator = lazySchema('azureml/commandJob.schema.json', { allErrors: true });

/** Every way `job` departs from the command-job schema (schema/azureml/commandJob.schema.json); empty when valid. */
export function commandJobProblems(job: unknown): string[] {
  return schemaProblems(validator(), job);
}

/** POSIX shell quoting, leaving Azure ML's ${{...}} expressions and plain words bare. */
function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word) || /^\$\{\{[\w.]+\}\}$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

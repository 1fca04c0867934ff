import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { stringify } from 'yaml';

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
}

/**
 * An Azure ML command job like the seed's job-template.yml: the payload as a uri_file input, the
 * target and settings as environment variables, and a command running `modelprof run` that writes
 * report.json, report.html and JUnit into ./outputs, which Azure ML uploads with the run.
 */
export function commandJob(spec: CommandJobSpec): Record<string, unknown> {
  const args = ['modelprof', 'run', '--payload-file', '${{inputs.payload}}', '--output', JOB_OUTPUT_DIR, '--junit', `${JOB_OUTPUT_DIR}/junit.xml`];
  if (spec.sla) args.push('--sla', spec.sla);
  args.push(...(spec.extraArgs ?? []));
  const variables: Record<string, string> = {};
  for (const name of JOB_TARGET_VARIABLES) if (spec.target[name]) variables[name] = spec.target[name]!;
  for (const name of JOB_SETTING_VARIABLES) if (spec.settings[name]) variables[name] = spec.settings[name]!;
  return {
    $schema: COMMAND_JOB_SCHEMA_URL,
    type: 'command',
    command: args.map(shellWord).join(' '),
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

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../../schema/azureml/commandJob.schema.json', import.meta.url), 'utf8')) as object);

/** Every way `job` departs from the command-job schema (schema/azureml/commandJob.schema.json); empty when valid. */
export function commandJobProblems(job: unknown): string[] {
  if (validate(job)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(top level)'} ${error.message ?? 'is not valid'}`);
}

/** POSIX shell quoting, leaving Azure ML's ${{...}} expressions and plain words bare. */
function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word) || /^\$\{\{[\w.]+\}\}$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

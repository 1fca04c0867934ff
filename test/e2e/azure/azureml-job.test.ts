import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { commandJob, commandJobProblems, defaultPayloadPath, renderCommandJob, type CommandJobSpec } from '../../../src/azure/azureml-job.js';
import { azureMlJobYaml } from '../../../src/cli/azureml-job.js';
import { SettingsError } from '../../../src/core/errors.js';
import { runCli } from '../../support/cli.js';

const SPEC: CommandJobSpec = {
  target: { ONLINE_ENDPOINT: 'endpt-moe-1', DEPLOYMENT: 'blue' },
  settings: { PROFILING_TOOL: 'wrk2', DURATION: '300s', CONNECTIONS: '8', TARGET_RPS: '50', THREAD: '2' },
  compute: 'profiler',
  environment: { registered: 'azureml:modelprof@latest' },
  payloadPath: defaultPayloadPath('endpt-moe-1'),
  experimentName: 'profiling-job',
  displayName: 'Standard_DS3_v2:8',
};

describe('azureml-job writer', () => {
  it('writes the seed job-template.yml shape, valid against the command-job schema', () => {
    const job = commandJob({ ...SPEC, sla: "p99<=200ms, azure.cpu.max<80%" });
    assert.deepEqual(commandJobProblems(job), []);
    const yaml = renderCommandJob(job);
    const back = parse(yaml) as Record<string, unknown>;
    assert.equal(back['$schema'], 'https://azuremlschemas.azureedge.net/latest/commandJob.schema.json');
    assert.equal(back['compute'], 'azureml:profiler');
    assert.equal(back['display_name'], 'Standard_DS3_v2:8');
    assert.deepEqual(back['inputs'], { payload: { type: 'uri_file', path: 'azureml://datastores/workspaceblobstore/paths/profiling_payloads/endpt-moe-1_payload.txt' } });
    assert.deepEqual(back['environment_variables'], { ONLINE_ENDPOINT: 'endpt-moe-1', DEPLOYMENT: 'blue', PROFILING_TOOL: 'wrk2', DURATION: '300s', CONNECTIONS: '8', TARGET_RPS: '50', THREAD: '2' });
    assert.equal(back['command'], "modelprof run --payload-file ${{inputs.payload}} --output outputs --junit outputs/junit.xml --sla 'p99<=200ms, azure.cpu.max<80%'");
  });

  it('takes a container image instead of a registered environment, and more run arguments', () => {
    const job = commandJob({ ...SPEC, environment: { image: 'myregistry.azurecr.io/modelprof:1' }, extraArgs: ['--warmup', '10s'] });
    assert.deepEqual(commandJobProblems(job), []);
    assert.deepEqual(job['environment'], { image: 'myregistry.azurecr.io/modelprof:1' });
    assert.match(String(job['command']), / --warmup 10s$/);
  });

  for (const [what, change, problem] of [
    ['an unknown key', { environment_variable: {} }, /must NOT have additional properties/],
    ['a compute without azureml:', { compute: 'profiler' }, /\/compute must match pattern/],
    ['a non-string variable', { environment_variables: { CONNECTIONS: 8 } }, /\/environment_variables\/CONNECTIONS must be string/],
    ['an input of an unknown type', { inputs: { payload: { type: 'file', path: 'x' } } }, /\/inputs\/payload/],
  ] as const) {
    it(`the schema catches ${what}`, () => {
      assert.match(commandJobProblems({ ...commandJob(SPEC), ...change }).join('\n'), problem);
    });
  }

  it('runs N shards as one job of N nodes, node 0 merging their reports into outputs/merged', () => {
    const job = commandJob({ ...SPEC, sla: 'p99<=200ms', shards: 4, extraArgs: ['--warmup', '10s'] });
    assert.deepEqual(commandJobProblems(job), []);
    assert.deepEqual(job['resources'], { instance_count: 4 });
    assert.deepEqual(job['distribution'], { type: 'pytorch', process_count_per_instance: 1 });
    assert.deepEqual(job['outputs'], { reports: { type: 'uri_folder', mode: 'rw_mount' } });
    const command = String(job['command']);
    const [run, rest] = [command.slice(0, command.indexOf('; ')), command.slice(command.indexOf('; ') + 2)];
    assert.equal(run, 'modelprof run --payload-file ${{inputs.payload}} --warmup 10s --shard "$NODE_RANK/4" --output "${{outputs.reports}}/shard-$NODE_RANK"');
    assert.equal(
      rest,
      'status=$?; if [ "$NODE_RANK" = 0 ]; then modelprof merge ${{outputs.reports}} --shards 4 --allow-missing --output outputs/merged --junit outputs/merged/junit.xml ' +
        "--sla 'p99<=200ms' --wait-until \"$(date -u -d '+180 seconds' +%Y-%m-%dT%H:%M:%SZ)\"; status=$?; fi; exit $status",
    );
    assert.ok(!run.includes('--sla'), 'the SLA judges the merged run, not each shard');
    assert.match(String(job['description']), /a shard exits 0 once its report is written, whatever its own verdict/);
  });
});

describe('modelprof azureml-job', () => {
  it('writes a valid job from flags and the seed variables, never a credential', async () => {
    const result = await runCli(['azureml-job', '--endpoint', 'endpt-moe-1', '--compute', 'profiler', '--sku', 'Standard_DS3_v2', '-c', '8', '--tool', 'wrk2', '--sla', 'p99<=200ms'], {
      env: { DEPLOYMENT: 'blue', DURATION: '60s', IDENTITY_ACCESS_TOKEN: 'secret-token-value' },
    });
    assert.equal(result.code, 0, result.stderr);
    const job = parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(commandJobProblems(job), []);
    assert.equal(job['display_name'], 'Standard_DS3_v2:8');
    assert.deepEqual(job['environment_variables'], { ONLINE_ENDPOINT: 'endpt-moe-1', DEPLOYMENT: 'blue', PROFILING_TOOL: 'wrk2', DURATION: '60s', CONNECTIONS: '8' });
    assert.equal(job['environment'], 'azureml:modelprof@latest');
    assert.ok(!result.stdout.includes('secret-token-value'));
  });

  for (const [what, args, message] of [
    ['no deployment', ['--endpoint', 'e', '--compute', 'c'], /^modelprof: azureml-job needs --endpoint and --deployment/],
    ['no compute', ['--endpoint', 'e', '--deployment', 'd'], /^modelprof: azureml-job needs --compute/],
  ] as const) {
    it(`refuses ${what} with exit 2`, () => {
      assert.throws(() => azureMlJobYaml(Object.fromEntries(args.flatMap((a, i) => (i % 2 === 0 ? [[a.slice(2), args[i + 1]!]] : []))), {}), (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.match(`modelprof: ${error.message}`, message);
        return true;
      });
    });
  }

  it('--shards N writes the sharded job, and refuses fewer connections or clients than shards', () => {
    const base = { endpoint: 'e', deployment: 'd', compute: 'c', connections: '8', tool: 'wrk2' };
    const job = parse(azureMlJobYaml({ ...base, shards: '4' }, {})) as Record<string, unknown>;
    assert.deepEqual(job['resources'], { instance_count: 4 });
    assert.match(String(job['command']), /--shard "\$NODE_RANK\/4"/);
    for (const [change, says] of [
      [{ connections: '2' }, /^--connections \(2\) must be at least the shard count \(4\)/],
      [{ tool: 'labench', clients: '3' }, /^--clients \(3\) must be at least the shard count \(4\)/],
      [{ shards: 'four' }, /^--shards must be a whole number of at least 1/],
    ] as const) {
      assert.throws(() => azureMlJobYaml({ ...base, shards: '4', ...change }, {}), (error: Error) => error instanceof SettingsError && says.test(error.message));
    }
  });
});

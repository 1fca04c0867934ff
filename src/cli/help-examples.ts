import type { Command } from 'commander';

const SAMPLE_PAYLOAD = `'{"data": [[1,2,3,4,5,6,7,8,9,10]]}'`;

/** Two or three examples per command, each with what it does: they end the command's --help. */
export const COMMAND_EXAMPLES: Readonly<Record<string, readonly (readonly [what: string, command: string])[]>> = {
  modelprof: [
    ['profile the bundled sample endpoint for 10 s (what npm start runs)', 'modelprof demo'],
    ['your endpoint at a constant 100 req/s for 30 s, judged', `modelprof run --url https://host/score -H 'Authorization: Bearer \${KEY}' --payload-file payload.txt --tool wrk2 -R 100 -d 30s --sla "p99<=200ms"`],
    ['any command in detail', 'modelprof run --help'],
  ],
  run: [
    ['constant 200 req/s for 60 s over 8 connections', `modelprof run --url http://127.0.0.1:5001/score --payload ${SAMPLE_PAYLOAD} --tool wrk2 -R 200 -c 8 -d 60s`],
    ['a job file, one setting overridden, gated on an SLA', 'modelprof run -f job.yml --set settings.rate=300 --sla "p99<=200ms, error_rate<0.1%"'],
    ["the seed's environment variables", 'SCORING_URI=http://127.0.0.1:5001/score PROFILING_TOOL=labench TARGET_RPS=50 CLIENTS=4 DURATION=30s modelprof run'],
  ],
  demo: [
    ['the sample endpoint at 200 req/s for 10 s (what npm start runs)', 'modelprof demo'],
    ['the even ticker with a pool of 4 clients, for 5 s', 'modelprof demo --tool labench -R 100 --clients 4 -d 5s'],
    ['report.json on stdout', 'modelprof demo --json > report.json'],
  ],
  report: [
    ['the summary again, and report.html beside report.json', 'modelprof report outputs/report.json'],
    ['judge a finished run, with JUnit for CI', 'modelprof report outputs/report.json --sla "p99<=200ms, error_rate<0.1%" --junit sla.xml'],
  ],
  compare: [
    ['this run against a baseline, default tolerances', 'modelprof compare baseline.json outputs/report.json'],
    ['tighter on p99, looser on errors, JUnit for CI', 'modelprof compare baseline.json outputs/report.json --max-regression p99=5%,error_rate=0.5% --junit compare.xml'],
  ],
  sweep: [
    ['every deployment at every grid point', 'modelprof sweep -f examples/sweep.yml'],
    ['after Ctrl-C: keep the finished points, measure the rest', 'modelprof sweep -f examples/sweep.yml --resume'],
  ],
  'find-max': [
    ['the highest rate with p99 within 200 ms', `modelprof find-max --url http://127.0.0.1:5001/score --payload ${SAMPLE_PAYLOAD} --sla "p99<=200ms, error_rate<1%"`],
    ['bounded, with the cost at the answer, as JSON', 'modelprof find-max -f job.yml --max-rate 2000 --price-per-hour 0.169 --cores 4 --json'],
  ],
  merge: [
    ["a folder holding each shard's folder", 'modelprof merge run --output run/merged'],
    ['the shards that are there, judged', 'modelprof merge run/shard-*/report.json --output run/merged --allow-missing --sla "p99<=200ms"'],
  ],
  'k8s-job': [
    [
      '4 shards of one 2000 req/s run, the key from a Secret',
      "modelprof k8s-job --shards 4 --image REGISTRY/modelprof:0.1.0 --pvc modelprof-reports --secret llama-key -H 'Authorization: Bearer ${API_KEY}' --url http://llama.default.svc:8000/score --tool wrk2 -R 2000 -c 128 -d 120s --manifest llama-load.yaml",
    ],
  ],
  'azureml-job': [
    ["the seed's job for one deployment, to submit with az ml job create -f job.yml", 'modelprof azureml-job --endpoint endpt-moe-1 --deployment blue --compute profiler --tool wrk2 -R 100 -c 8 -o job.yml'],
    ['the same deployment at 2000 req/s as 4 shards on 4 nodes, merged and judged', 'modelprof azureml-job --endpoint endpt-moe-1 --deployment blue --compute profiler --tool wrk2 -R 2000 -c 128 --sla "p99<=200ms" --shards 4 -o job.yml'],
  ],
  'serve-sample': [
    ['the sample model on port 5001', 'SAMPLE_KEY=secret modelprof serve-sample --port 5001'],
    ['two compute threads, at most 4 requests at once (then 429)', 'modelprof serve-sample --port 5101 --workers 2 --max-concurrent 4'],
  ],
  tools: [
    ['is every external program there, and which version', 'modelprof tools'],
    ['look in a folder first', 'modelprof tools wrk2 --tool-path /opt/wrk2'],
    ['name each program, without editing PATH', 'modelprof tools --tool-path wrk2=/opt/wrk2/wrk,labench=/opt/labench/labench'],
  ],
};

/** The examples block that ends a command's help. */
export function formatExamples(examples: readonly (readonly [string, string])[]): string {
  return `\nExamples:\n${examples.map(([what, command]) => `  # ${what}\n  $ ${command}`).join('\n')}\n`;
}

/** Ends the program's help and every registered command's with their examples. */
export function addExamples(program: Command): void {
  program.addHelpText('after', formatExamples(COMMAND_EXAMPLES['modelprof']!));
  for (const command of program.commands) {
    const examples = COMMAND_EXAMPLES[command.name()];
    if (examples) command.addHelpText('after', formatExamples(examples));
  }
}

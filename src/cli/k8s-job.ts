import { readBoundedFile } from '../core/bounded-file.js';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { SettingsError } from '../core/errors.js';
import { writeFileAtomically } from '../run/output-files.js';
import { withinBound } from '../settings/bounds.js';
import { renderManifests, shardedJobManifests, type ReportsStore } from '../scale/k8s-job.js';
import { shareOfLoad } from '../scale/shard.js';
import { parseStartAt } from '../scale/start-at.js';
import { parseDuration } from '../settings/duration.js';
import { REDACTED, redactHeaders, redactUrl } from '../core/redact.js';
import { assembleRunRequest } from '../settings/run-request.js';
import { addLoadOptions, layerFromOptions } from './load-options.js';
import { positiveInteger } from '../core/numbers.js';
import { collect } from './collect.js';

/** Time after the last shard's planned end before the merge step stops waiting for missing shards. */
const MERGE_GRACE_SEC = 120;

export function registerK8sJob(program: Command): void {
  const command = program
    .command('k8s-job')
    .description('write a Kubernetes Indexed Job that runs one profile as N shards on N nodes, and the Job that merges their reports')
    .requiredOption('--shards <n>', 'number of shards (pods); connections (or clients) are dealt among them')
    .requiredOption('--image <image>', 'container image with modelprof on its PATH (the repository\'s Dockerfile)')
    .option('--name <name>', 'Job name, also the reports folder (default modelprof-<time>)')
    .option('--namespace <namespace>', 'namespace of the Jobs')
    .option('--pvc <claim>', 'PersistentVolumeClaim (ReadWriteMany) for the reports')
    .option('--volume <json>', 'any Kubernetes volume source for the reports, as JSON, e.g. an object store\'s CSI volume')
    .option('--secret <name>', 'Secret whose keys become environment variables of the shards (repeatable): write header values as ${KEY}', collect)
    .option('--cpu <quantity>', 'CPU each shard requests (default: its threads)')
    .option('--memory <quantity>', 'memory each shard requests and is limited to', '1Gi')
    .option('--anti-affinity <kind>', 'required: never two shards on one node; preferred: spread when the cluster can', 'required')
    .option('--start-at <time>', 'ISO 8601 time at which every shard starts (default: --start-delay from now)')
    .option('--start-delay <duration>', 'time from now to the common start, long enough to schedule the pods and pull the image', '2m')
    .option('--manifest <file>', 'write the manifests here instead of to stdout')
    .addHelpText('after', '\nRun flags (--url, --tool, --rate, ...) are those of `modelprof run` and describe the whole run.\nApply the result with `kubectl apply -f FILE` before the start time; see the README, "Scale out on Kubernetes".');
  addLoadOptions(command, { unreadVariables: 'all' }).action((options: Record<string, unknown>) => {
    const { text, startAt } = k8sJobManifest(options, Date.now());
    const manifest = options['manifest'];
    if (typeof manifest === 'string') {
      return writeFileAtomically(manifest, text).then(() => {
        process.stderr.write(`modelprof: wrote ${manifest}; the shards start at ${startAt}: kubectl apply -f ${manifest} before then\n`);
      });
    }
    process.stdout.write(text);
    process.stderr.write(`modelprof: the shards start at ${startAt}: apply the manifests before then\n`);
    return undefined;
  });
}

/** The manifests for `options` (the command's flags), validated as `modelprof run` would validate them. */
export function k8sJobManifest(options: Record<string, unknown>, nowMs: number): { text: string; startAt: string } {
  if (typeof options['output'] === 'string') throw new SettingsError('--output is set by the manifest (each shard writes to the reports volume): leave it out');
  const layer = layerFromOptions(options);
  // Header values may name variables that only the pods have (from --secret): validate with a stand-in.
  const podEnvironment = new Proxy({}, { get: () => 'set-in-the-pod' }) as NodeJS.ProcessEnv;
  // Flags only: the pods get no job file, and the local seed variables must not leak into the manifest.
  const { settings } = assembleRunRequest({ layers: [layer], env: podEnvironment });
  const shards = withinBound('shards', positiveInteger(String(options['shards']), '--shards'), '--shards', String(options['shards']));
  shareOfLoad(settings, { index: 0, count: shards });
  if (redactUrl(settings.url) !== settings.url.href) {
    throw new SettingsError('--url carries credentials, which would be written into the manifest: send the key in a header instead, as ${KEY} from a --secret');
  }
  const rawHeaders = layer.headers?.value ?? {};
  const safe = redactHeaders(rawHeaders);
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (safe[name] === REDACTED && !/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(value)) {
      throw new SettingsError(`header "${name}" holds a secret, which would be written into the manifest: put it in a Kubernetes Secret and write the header as "${name}: \${KEY}" with --secret NAME`);
    }
  }

  const runArgs: string[] = [];
  for (const [key, given] of Object.entries(layer)) {
    if (key === 'headers' || key === 'payloadFile' || given === undefined || typeof given.value !== 'string') continue;
    runArgs.push(given.source, given.value);
  }
  for (const [name, value] of Object.entries(rawHeaders)) runArgs.push('--header', `${name}: ${value}`);
  if (options['insecure'] === true) runArgs.push('--insecure');

  const startAtMs =
    typeof options['startAt'] === 'string'
      ? parseStartAt(options['startAt'], '--start-at', nowMs)
      : nowMs + 1000 * withinBound('startAhead', parseDuration(String(options['startDelay']), '--start-delay'), '--start-delay', String(options['startDelay']));
  const lastAnswerMs = startAtMs + 1000 * (settings.warmupSec + settings.durationSec + settings.timeoutSec);
  const name = typeof options['name'] === 'string' ? options['name'] : defaultName(nowMs);
  const cpu = typeof options['cpu'] === 'string' ? options['cpu'] : String(Math.min(settings.threads, settings.connections));
  const payloadFile = layer.payloadFile;
  const spec = {
    name,
    ...(typeof options['namespace'] === 'string' ? { namespace: options['namespace'] } : {}),
    image: String(options['image']),
    shards,
    startAt: new Date(startAtMs).toISOString(),
    runArgs,
    reports: reportsStore(options),
    cpu,
    memory: String(options['memory']),
    antiAffinity: antiAffinity(String(options['antiAffinity'])),
    secrets: (options['secret'] as string[] | undefined) ?? [],
    ...(payloadFile ? { payload: { fileName: basename(payloadFile.value), text: configMapPayload(payloadFile.value, payloadFile.source) } } : {}),
    mergeDeadline: new Date(lastAnswerMs + MERGE_GRACE_SEC * 1000).toISOString(),
  };
  return { text: renderManifests(spec, shardedJobManifests(spec)), startAt: spec.startAt };
}

function reportsStore(options: Record<string, unknown>): ReportsStore {
  const pvc = options['pvc'];
  const volume = options['volume'];
  if (typeof pvc === 'string' && typeof volume === 'string') throw new SettingsError('give --pvc or --volume for the reports, not both');
  if (typeof pvc === 'string') return { pvc };
  if (typeof volume !== 'string') {
    throw new SettingsError('the shards need somewhere to write their reports: give --pvc CLAIM (ReadWriteMany) or --volume JSON (e.g. an object store\'s CSI volume)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(volume);
  } catch {
    throw new SettingsError('--volume must be a Kubernetes volume source as JSON, e.g. {"nfs":{"server":"nfs.example","path":"/reports"}}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || 'name' in parsed) {
    throw new SettingsError('--volume must be a JSON object holding one volume source (csi, nfs, azureFile, ...) and no "name"');
  }
  return { volume: parsed as Record<string, unknown> };
}

function antiAffinity(kind: string): 'required' | 'preferred' {
  if (kind !== 'required' && kind !== 'preferred') throw new SettingsError(`--anti-affinity must be required or preferred, got "${kind}"`);
  return kind;
}

function defaultName(nowMs: number): string {
  return `modelprof-${new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase()}`;
}

/** A ConfigMap holds at most 1 MiB (Kubernetes' etcd limit): a larger payload would fail at kubectl apply. */
const CONFIG_MAP_BYTES = 1024 * 1024;

function configMapPayload(path: string, source: string): string {
  const text = readBoundedFile(path, `${source} "${path}"`, 'payload');
  if (Buffer.byteLength(text) > CONFIG_MAP_BYTES) throw new SettingsError(`${source} "${path}" is larger than 1 MiB, the most a Kubernetes ConfigMap holds: give the pods a smaller sample of the payload`);
  return text;
}

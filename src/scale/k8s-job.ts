import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { stringify } from 'yaml';
import { SettingsError } from '../core/errors.js';
import { SHARD_EXIT_CODES } from './shard-exit-codes.js';

/** Where the shards write their reports and the merge step reads them. */
export type ReportsStore =
  /** A PersistentVolumeClaim, ReadWriteMany since the shards run on different nodes. */
  | { pvc: string }
  /**
   * Any Kubernetes volume source, as the API spells it (an object store through its CSI driver:
   * Azure Blob, GCS FUSE, Mountpoint for S3; NFS; ...), e.g. `{ "csi": { "driver": ... } }`.
   */
  | { volume: Record<string, unknown> };

/** Everything the Indexed Job and its merge step are made from. */
export interface ShardedJobSpec {
  /** Job name, a DNS-1123 label of at most MAX_NAME characters; the merge Job is `<name>-merge`. */
  name: string;
  namespace?: string;
  /** An image with `modelprof` on its PATH (the repository's Dockerfile). */
  image: string;
  shards: number;
  /** ISO 8601 instant every shard waits for (--start-at). */
  startAt: string;
  /** `modelprof run` flags for the whole run, without --shard, --start-at and --output (the manifest sets those). */
  runArgs: readonly string[];
  reports: ReportsStore;
  /** CPU and memory each shard requests, as Kubernetes quantities ("2", "500m", "1Gi"). */
  cpu: string;
  memory: string;
  /** required: never two shards on one node (pods wait for a free node); preferred: spread when the cluster can. */
  antiAffinity: 'required' | 'preferred';
  /** Secrets whose keys become environment variables of every shard (header values as ${VAR}). */
  secrets: readonly string[];
  /** A payload file, shipped in a ConfigMap (at most about 1 MiB) and passed as --payload-file. */
  payload?: { fileName: string; text: string };
  /** ISO 8601 instant after which the merge step stops waiting for missing shards and merges what is there. */
  mergeDeadline: string;
}

/** Longest job name: pod hostnames are `<name>-<index>` and must fit 63 characters. */
export const MAX_NAME = 50;
export const REPORTS_MOUNT = '/reports';
const PAYLOAD_MOUNT = '/modelprof/payload';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kubernetes' resource.Quantity syntax. */
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
/** The Job controller writes each pod's index into this annotation (and JOB_COMPLETION_INDEX). */
const INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/**
 * The manifests for one sharded run: an optional ConfigMap with the payload, the Indexed Job
 * (`completionMode: Indexed`, `completions` = `parallelism` = shards; each pod is one shard, told
 * its index by the Job controller, waiting for the common start, writing to
 * `<store>/<name>/shard-<index>/`), and the merge Job, which waits on the same store for every
 * shard's report (or the deadline) and writes `<store>/<name>/merged/report.json` and report.html.
 * A shard is tried once (backoffLimitPerIndex 0, Kubernetes 1.29+): a retry would start after the
 * common start and measure another window, so a failed shard is reported missing instead, and the
 * other shards run on.
 * @throws SettingsError naming the field when a name, image or quantity is not one Kubernetes takes.
 */
export function shardedJobManifests(spec: ShardedJobSpec): Record<string, unknown>[] {
  checkSpec(spec);
  const labels = { 'app.kubernetes.io/name': 'modelprof', 'modelprof.dev/run': spec.name };
  const shardLabels = { ...labels, 'modelprof.dev/role': 'shard' };
  const metadata = (name: string, role: string) => ({ name, ...(spec.namespace ? { namespace: spec.namespace } : {}), labels: { ...labels, 'modelprof.dev/role': role } });
  const runDir = `${REPORTS_MOUNT}/${spec.name}`;
  const volumes: IVolume[] = [{ name: 'reports', ...('pvc' in spec.reports ? { persistentVolumeClaim: { claimName: spec.reports.pvc } } : spec.reports.volume) }];
  const mounts = [{ name: 'reports', mountPath: REPORTS_MOUNT }];
  const payloadArgs: string[] = [];
  const manifests: Record<string, unknown>[] = [];
  if (spec.payload) {
    const configMap = `${spec.name}-payload`;
    manifests.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(configMap, 'payload'),
      data: { [spec.payload.fileName]: spec.payload.text },
    } satisfies IConfigMap);
    volumes.push({ name: 'payload', configMap: { name: configMap } });
    payloadArgs.push('--payload-file', `${PAYLOAD_MOUNT}/${spec.payload.fileName}`);
  }
  const envFrom = spec.secrets.map((name) => ({ secretRef: { name } }));
  const shard: IContainer = {
    name: 'shard',
    image: spec.image,
    command: ['modelprof'],
    args: ['run', ...spec.runArgs, ...payloadArgs, '--start-at', spec.startAt, '--output', `${runDir}/shard-$(SHARD_INDEX)`],
    env: [
      { name: 'SHARD_INDEX', valueFrom: { fieldRef: { fieldPath: INDEX_ANNOTATION } } },
      { name: 'SHARD_COUNT', value: String(spec.shards) },
    ],
    ...(envFrom.length > 0 ? { envFrom } : {}),
    resources: { requests: { cpu: spec.cpu, memory: spec.memory }, limits: { memory: spec.memory } },
    volumeMounts: [...mounts, ...(spec.payload ? [{ name: 'payload', mountPath: PAYLOAD_MOUNT, readOnly: true }] : [])],
  };
  const term = { labelSelector: { matchLabels: shardLabels }, topologyKey: 'kubernetes.io/hostname' };
  const podAntiAffinity =
    spec.antiAffinity === 'required'
      ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
      : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
  manifests.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...metadata(spec.name, 'shards'), annotations: { 'modelprof.dev/exit-codes': SHARD_EXIT_CODES } },
    spec: {
      completionMode: 'Indexed',
      completions: spec.shards,
      parallelism: spec.shards,
      backoffLimitPerIndex: 0,
      maxFailedIndexes: spec.shards,
      template: {
        metadata: { labels: shardLabels },
        spec: { restartPolicy: 'Never', affinity: { podAntiAffinity }, containers: [shard], volumes },
      },
    },
  } satisfies IJob);
  manifests.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(`${spec.name}-merge`, 'merge'),
    spec: {
      backoffLimit: 2,
      template: {
        metadata: { labels: { ...labels, 'modelprof.dev/role': 'merge' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'merge',
              image: spec.image,
              command: ['modelprof'],
              args: ['merge', runDir, '--shards', String(spec.shards), '--wait-until', spec.mergeDeadline, '--allow-missing', '--output', `${runDir}/merged`],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              volumeMounts: mounts,
            },
          ],
          volumes: volumes.filter((volume) => volume.name === 'reports'),
        },
      },
    },
  } satisfies IJob);
  return manifests;
}

/** The manifests as one YAML stream, led by a comment saying when the shards start. */
export function renderManifests(spec: ShardedJobSpec, manifests: readonly Record<string, unknown>[]): string {
  const header = [
    `# modelprof: ${spec.shards} shards of one run, starting together at ${spec.startAt}.`,
    '# Apply before then (kubectl apply -f FILE); a shard scheduled later refuses to start and the merge reports it missing.',
    `# Merged report: ${REPORTS_MOUNT}/${spec.name}/merged/report.html on the reports volume, by ${spec.mergeDeadline} at the latest.`,
    `# Exit codes: ${SHARD_EXIT_CODES}`,
  ];
  return `${header.join('\n')}\n${manifests.map((manifest) => stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n')}`;
}

function checkSpec(spec: ShardedJobSpec): void {
  if (!DNS_LABEL.test(spec.name) || spec.name.length > MAX_NAME) {
    throw new SettingsError(`--name must be lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${MAX_NAME} characters, got "${spec.name}"`);
  }
  if (spec.namespace !== undefined && (!DNS_LABEL.test(spec.namespace) || spec.namespace.length > 63)) {
    throw new SettingsError(`--namespace must be a DNS-1123 label (lowercase letters, digits and "-"), got "${spec.namespace}"`);
  }
  if (!/^\S+$/.test(spec.image)) throw new SettingsError(`--image must be an image reference without spaces, e.g. registry.example.com/modelprof:0.1.0, got "${spec.image}"`);
  if (!Number.isSafeInteger(spec.shards) || spec.shards < 1) throw new SettingsError(`--shards must be a whole number of at least 1, got ${spec.shards}`);
  for (const [flag, value] of [['--cpu', spec.cpu], ['--memory', spec.memory]] as const) {
    if (!QUANTITY.test(value)) throw new SettingsError(`${flag} must be a Kubernetes quantity such as ${flag === '--cpu' ? '"2" or "500m"' : '"1Gi" or "512Mi"'}, got "${value}"`);
  }
  if ('pvc' in spec.reports && !DNS_LABEL.test(spec.reports.pvc)) throw new SettingsError(`--pvc must name a PersistentVolumeClaim (a DNS-1123 name), got "${spec.reports.pvc}"`);
  for (const secret of spec.secrets) if (!DNS_LABEL.test(secret)) throw new SettingsError(`--secret must name a Kubernetes Secret (a DNS-1123 name), got "${secret}"`);
}

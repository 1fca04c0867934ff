import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { readFileSync } from 'node:fs';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { parse, parseAllDocuments } from 'yaml';
import { renderManifests, shardedJobManifests, type ShardedJobSpec } from '../../../src/scale/k8s-job.js';

/**
 * No cluster runs here: the manifests are checked offline against the Kubernetes OpenAPI schema as
 * kubernetes-models (tommy351/kubernetes-models-ts) compiles it, and unknown fields are caught at
 * build time, since the writer's objects are typed with the same models.
 */
const SPEC: ShardedJobSpec = {
  name: 'llama-load',
  namespace: 'bench',
  image: 'registry.example.com/modelprof:0.1.0',
  shards: 4,
  startAt: '2025-06-01T12:05:00.000Z',
  runArgs: ['--url', 'http://llama.bench.svc:8000/v1/completions', '--tool', 'wrk2', '--rate', '800', '--connections', '64', '--duration', '60s', '--header', 'Authorization: Bearer ${API_KEY}'],
  reports: { pvc: 'modelprof-reports' },
  cpu: '2',
  memory: '1Gi',
  antiAffinity: 'required',
  secrets: ['llama-key'],
  payload: { fileName: 'prompts.jsonl', text: '{"prompt":"a"}\n{"prompt":"b"}\n' },
  mergeDeadline: '2025-06-01T12:08:30.000Z',
};

type Manifest = { kind: string; metadata: { name: string }; spec: any; data?: Record<string, string> };

function validate(manifest: Record<string, unknown>): void {
  if (manifest['kind'] === 'Job') new Job(manifest as never).validate();
  else if (manifest['kind'] === 'ConfigMap') new ConfigMap(manifest as never).validate();
  else assert.fail(`unexpected kind ${String(manifest['kind'])}`);
}

describe('shardedJobManifests', () => {
  const manifests = shardedJobManifests(SPEC) as unknown as Manifest[];
  const [configMap, shards, merge] = manifests as [Manifest, Manifest, Manifest];

  it('passes the Kubernetes OpenAPI schema, with every store and spread', () => {
    for (const variant of [
      SPEC,
      { ...SPEC, antiAffinity: 'preferred' as const, secrets: [] },
      { ...SPEC, reports: { volume: { csi: { driver: 'blob.csi.azure.com', volumeAttributes: { containerName: 'reports', secretName: 'blob-key' } } } }, payload: undefined },
    ]) {
      for (const manifest of shardedJobManifests(variant)) validate(manifest);
    }
  });

  it('the schema check is not a rubber stamp: a wrong field value fails it', () => {
    const broken = structuredClone(shards) as Manifest;
    broken.spec.completionMode = 'Indexd';
    assert.throws(() => validate(broken as unknown as Record<string, unknown>), /completionMode must be equal to one of the allowed values/);
  });

  it('writes an Indexed Job of one shard per pod, all started together', () => {
    assert.deepEqual(manifests.map((m) => [m.kind, m.metadata.name]), [['ConfigMap', 'llama-load-payload'], ['Job', 'llama-load'], ['Job', 'llama-load-merge']]);
    assert.equal(shards.spec.completionMode, 'Indexed');
    assert.equal(shards.spec.completions, 4);
    assert.equal(shards.spec.parallelism, 4);
    assert.equal(shards.spec.backoffLimitPerIndex, 0);
    assert.match((shards.metadata as { annotations?: Record<string, string> }).annotations?.['modelprof.dev/exit-codes'] ?? '', /^a shard exits 0 once its report is written, whatever its own verdict, and non-zero only when it could not measure or write/);
    const pod = shards.spec.template.spec;
    const [container] = pod.containers;
    assert.deepEqual(container.args.slice(0, 1), ['run']);
    assert.deepEqual(container.args.slice(-6), ['--payload-file', '/modelprof/payload/prompts.jsonl', '--start-at', '2025-06-01T12:05:00.000Z', '--output', '/reports/llama-load/shard-$(SHARD_INDEX)']);
    assert.ok(container.args.includes('Authorization: Bearer ${API_KEY}'), 'the key stays a reference to the Secret');
    assert.deepEqual(container.env, [
      { name: 'SHARD_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
      { name: 'SHARD_COUNT', value: '4' },
    ]);
    assert.deepEqual(container.envFrom, [{ secretRef: { name: 'llama-key' } }]);
    assert.deepEqual(container.resources.requests, { cpu: '2', memory: '1Gi' });
    assert.deepEqual(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, [
      { labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'modelprof', 'modelprof.dev/run': 'llama-load', 'modelprof.dev/role': 'shard' } }, topologyKey: 'kubernetes.io/hostname' },
    ]);
    assert.deepEqual(shards.spec.template.metadata.labels['modelprof.dev/role'], 'shard');
    assert.equal(configMap.data!['prompts.jsonl'], SPEC.payload!.text);
  });

  it('follows with a merge Job that waits for every shard, then merges what is there', () => {
    const [container] = merge.spec.template.spec.containers;
    assert.deepEqual(container.args, ['merge', '/reports/llama-load', '--shards', '4', '--wait-until', '2025-06-01T12:08:30.000Z', '--allow-missing', '--output', '/reports/llama-load/merged']);
    assert.deepEqual(merge.spec.template.spec.volumes, [{ name: 'reports', persistentVolumeClaim: { claimName: 'modelprof-reports' } }]);
  });

  it('renders one YAML stream that reads back to the same manifests', () => {
    const text = renderManifests(SPEC, manifests as unknown as Record<string, unknown>[]);
    assert.match(text, /^# modelprof: 4 shards of one run, starting together at 2025-06-01T12:05:00.000Z\./);
    assert.match(text, /\n# Exit codes: a shard exits 0 once its report is written/);
    assert.deepEqual(parseAllDocuments(text).map((doc) => doc.toJS()), manifests);
  });

  const refusals: [string, Partial<ShardedJobSpec>, RegExp][] = [
    ['an upper-case name', { name: 'Llama' }, /^--name must be lowercase letters/],
    ['a name too long for pod hostnames', { name: 'a'.repeat(51) }, /at most 50 characters/],
    ['an image with a space', { image: 'my image' }, /^--image must be an image reference/],
    ['a CPU that is not a quantity', { cpu: 'two' }, /^--cpu must be a Kubernetes quantity/],
    ['a memory that is not a quantity', { memory: '1 GB' }, /^--memory must be a Kubernetes quantity/],
    ['a bad claim name', { reports: { pvc: 'Reports!' } }, /^--pvc must name a PersistentVolumeClaim/],
  ];
  for (const [name, change, says] of refusals) {
    it(`refuses ${name}`, () => assert.throws(() => shardedJobManifests({ ...SPEC, ...change }), (error: Error) => says.test(error.message)));
  }
});

describe('the README\'s example manifests', () => {
  const example = (name: string): unknown => parse(readFileSync(new URL(`../../../../examples/kubernetes/${name}`, import.meta.url), 'utf8'));
  it('reports-pvc.yaml is a valid ReadWriteMany claim', () => {
    const claim = new PersistentVolumeClaim(example('reports-pvc.yaml') as never);
    claim.validate();
    assert.deepEqual(claim.spec?.accessModes, ['ReadWriteMany']);
  });
  it('reports-reader.yaml is a valid pod mounting that claim', () => {
    const pod = new Pod(example('reports-reader.yaml') as never);
    pod.validate();
    assert.equal(pod.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName, 'modelprof-reports');
  });
});

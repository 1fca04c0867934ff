import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';
import { k8sJobManifest } from '../../../src/cli/k8s-job.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const payload = join(mkdtempSync(join(tmpdir(), 'modelprof-k8s-')), 'prompts.jsonl');
writeFileSync(payload, '{"prompt":"a"}\n{"prompt":"b"}\n');
const BASE = { shards: '3', image: 'reg/modelprof:1', memory: '1Gi', antiAffinity: 'required', startDelay: '2m', secret: [] as string[], url: 'http://llama:8000/score', tool: 'wrk2', rate: '300', connections: '9', duration: '60s', pvc: 'reports' };

describe('modelprof k8s-job: from run flags to manifests', () => {
  it('passes the whole run flags to every shard and starts them --start-delay from now', () => {
    const { text, startAt } = k8sJobManifest({ ...BASE, payloadFile: payload, header: ['Authorization: Bearer ${API_KEY}'], secret: ['llama-key'] }, NOW);
    assert.equal(startAt, '2025-06-01T12:02:00.000Z');
    const [configMap, shards, merge] = parseAllDocuments(text).map((doc) => doc.toJS()) as any[];
    for (const job of [shards, merge]) new Job(job).validate();
    assert.equal(configMap.data['prompts.jsonl'], '{"prompt":"a"}\n{"prompt":"b"}\n');
    const args: string[] = shards.spec.template.spec.containers[0].args;
    assert.deepEqual(args.slice(0, 11), ['run', '--url', 'http://llama:8000/score', '--tool', 'wrk2', '--duration', '60s', '--connections', '9', '--rate', '300']);
    assert.ok(args.includes('Authorization: Bearer ${API_KEY}'));
    assert.equal(shards.metadata.name, 'modelprof-20250601-120000');
    // The merge waits until start + warm-up (3 s) + duration (60 s) + timeout (10 s) + 2 minutes.
    assert.ok(merge.spec.template.spec.containers[0].args.includes('2025-06-01T12:05:13.000Z'));
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ['a literal key in a header', { header: ['Authorization: Bearer abc123'] }, /^header "Authorization" holds a secret, which would be written into the manifest/],
    ['credentials in the URL', { url: 'http://user:pw@llama:8000/score' }, /^--url carries credentials/],
    ['fewer connections than shards', { connections: '2' }, /^--connections \(2\) must be at least the shard count \(3\)/],
    ['--output, which the manifest sets', { output: 'x' }, /^--output is set by the manifest/],
    ['no reports store', { pvc: undefined }, /^the shards need somewhere to write their reports/],
    ['both a claim and a volume', { volume: '{"nfs":{}}' }, /^give --pvc or --volume/],
    ['a volume that is not JSON', { pvc: undefined, volume: 'nfs' }, /^--volume must be a Kubernetes volume source as JSON/],
    ['a past --start-at', { startAt: '2025-06-01T11:00:00Z' }, /^--start-at 2025-06-01T11:00:00Z is 3600\.0 s in the past/],
    ['an unknown anti-affinity', { antiAffinity: 'soft' }, /^--anti-affinity must be required or preferred/],
  ];
  for (const [name, change, says] of refusals) {
    it(`refuses ${name} with one line`, () => {
      assert.throws(() => k8sJobManifest({ ...BASE, ...change }, NOW), (error: Error) => error.name === 'SettingsError' && says.test(error.message));
    });
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ToolError } from '../../../src/core/errors.js';
import { Exposition, parsePrometheusText } from '../../../src/monitors/prometheus-text.js';

const fixture = (name: string) => readFileSync(new URL(`../../../../test/fixtures/prometheus/${name}`, import.meta.url), 'utf8');
const sampleLines = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).length;

test('parses every sample line of real and published exporter outputs', async (t) => {
  const cases: { file: string; name: string; labels: Record<string, string>; value: number }[] = [
    { file: 'node-exporter.txt', name: 'node_memory_MemTotal_bytes', labels: {}, value: 25276514304 },
    { file: 'node-exporter.txt', name: 'node_cpu_seconds_total', labels: { cpu: '1', mode: 'user' }, value: 32.17 },
    {
      file: 'dcgm-exporter.txt',
      name: 'DCGM_FI_DEV_FB_USED',
      labels: {
        gpu: '0',
        UUID: 'GPU-74f7fe3b-48f2-6d8b-3cb4-e70426fb669c',
        device: 'nvidia0',
        modelName: 'Tesla T4',
        Hostname: 'dcgm-exporter-cmhft',
        container: '',
        namespace: '',
        pod: '',
      },
      value: 10194,
    },
    { file: 'triton.txt', name: 'nv_inference_queue_duration_us', labels: { model: 'my_model', version: '1' }, value: 11110 },
    {
      file: 'vllm.later.txt',
      name: 'vllm:request_success_total',
      labels: { engine: '0', model_name: 'Qwen/Qwen3-0.6B', finished_reason: 'length' },
      value: 35,
    },
    {
      file: 'torchserve.txt',
      name: 'ts_queue_latency_microseconds',
      labels: { model_name: 'resnet18', model_version: 'default', hostname: '88665a372f4b.ant.amazon.com' },
      value: 365.21,
    },
    { file: 'kserve.txt', name: 'request_predict_seconds_bucket', labels: { le: '+Inf', model_name: 'sklearn-iris' }, value: 5 },
  ];
  for (const c of cases) {
    await t.test(`${c.file}: ${c.name}`, () => {
      const text = fixture(c.file);
      const samples = parsePrometheusText(text);
      assert.equal(samples.length, sampleLines(text));
      const found = new Exposition(samples).series(c.name).find((s) => JSON.stringify(s.labels) === JSON.stringify(c.labels));
      assert.ok(found, `no ${c.name} with labels ${JSON.stringify(c.labels)}`);
      assert.equal(found.value, c.value);
    });
  }
});

test('reads the variations exporters emit', async (t) => {
  const cases: { line: string; name: string; labels: Record<string, string>; value: number }[] = [
    { line: 'up 1', name: 'up', labels: {}, value: 1 },
    { line: 'up{} 0', name: 'up', labels: {}, value: 0 },
    { line: 'vllm:num_requests_running{engine="0"} 3.0', name: 'vllm:num_requests_running', labels: { engine: '0' }, value: 3 },
    { line: 'x{gpu="0", UUID="GPU-1"} 139', name: 'x', labels: { gpu: '0', UUID: 'GPU-1' }, value: 139 },
    { line: 'x{Level="Host",Hostname="h",} 0.0', name: 'x', labels: { Level: 'Host', Hostname: 'h' }, value: 0 },
    { line: 'x{path="C:\\\\dir",say="\\"hi\\"\\nbye"} 2', name: 'x', labels: { path: 'C:\\dir', say: '"hi"\nbye' }, value: 2 },
    { line: 'x{a="}{,="} 5', name: 'x', labels: { a: '}{,=' }, value: 5 },
    { line: 'x 1.2e+06 1700000000000', name: 'x', labels: {}, value: 1.2e6 },
    { line: 'x +Inf', name: 'x', labels: {}, value: Number.POSITIVE_INFINITY },
    { line: 'x -Inf', name: 'x', labels: {}, value: Number.NEGATIVE_INFINITY },
    { line: 'x NaN', name: 'x', labels: {}, value: Number.NaN },
    { line: 'x 9223372036854775794', name: 'x', labels: {}, value: 9223372036854775794 },
    { line: 'x 7\r', name: 'x', labels: {}, value: 7 },
  ];
  for (const c of cases) {
    await t.test(JSON.stringify(c.line), () => {
      assert.deepEqual(parsePrometheusText(c.line), [{ name: c.name, labels: c.labels, value: c.value }]);
    });
  }
});

test('names the first line that is not Prometheus text format', async (t) => {
  const cases = [
    ['<html><body>Not Found</body></html>', 1],
    ['up 1\nup{job="a" 1', 2],
    ['# HELP up x\nup{job=a} 1', 2],
    ['up', 1],
    ['up one', 1],
    ['up 1 2 3', 1],
    ['up{job="a"}1', 1],
    ['9up 1', 1],
  ] as const;
  for (const [text, line] of cases) {
    await t.test(JSON.stringify(text), () => {
      assert.throws(
        () => parsePrometheusText(text),
        (error: unknown) => error instanceof ToolError && error.message.startsWith(`metrics line ${line} is not Prometheus text format`),
      );
    });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeLabelValue, SampleMetrics } from '../../../src/sample/metrics.js';
import { startSampleServer } from '../../../src/sample/server.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  type: string;
  help: string | undefined;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
 * specification (a real parser would need Python or Go, which the test machines may not have).
 */
function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith('\n'), 'the exposition must end with a line feed');
  const families = new Map<string, Family>();
  let current: string | undefined;
  const seriesSeen = new Set<string>();
  const familyOf = (sampleName: string): string => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = sampleName.slice(0, -suffix.length);
      if (sampleName.endsWith(suffix) && families.get(base)?.type === 'histogram') return base;
    }
    return sampleName;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, keyword, name, rest] = meta as unknown as [string, string, string, string];
      assert.match(name, METRIC_NAME, line);
      const family = families.get(name) ?? { type: 'untyped', help: undefined, samples: [] };
      assert.equal(family.samples.length, 0, `${keyword} for ${name} after its samples`);
      if (keyword === 'TYPE') {
        assert.ok(TYPES.has(rest), `unknown type in: ${line}`);
        family.type = rest;
      } else {
        assert.equal(family.help, undefined, `second HELP for ${name}`);
        assert.doesNotMatch(rest.replace(/\\[\\n]/g, ''), /\\/, `bad escape in HELP: ${line}`);
        family.help = rest.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      families.set(name, family);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = /^([^\s{]+)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+(-?\d+))?$/.exec(line);
    assert.ok(sample !== null, `not a sample line: ${line}`);
    const [, name, labelText, value] = sample as unknown as [string, string, string | undefined, string];
    assert.match(name, METRIC_NAME, line);
    assert.match(value, FLOAT, line);
    const labels = parseLabels(labelText ?? '', line);
    const familyName = familyOf(name);
    const family = families.get(familyName) ?? { type: 'untyped', help: undefined, samples: [] };
    if (current !== familyName) {
      assert.equal(family.samples.length, 0, `samples of ${familyName} are not grouped together`);
      current = familyName;
    }
    const series = `${name}{${JSON.stringify(Object.entries(labels).sort())}}`;
    assert.ok(!seriesSeen.has(series), `duplicate series: ${line}`);
    seriesSeen.add(series);
    family.samples.push({ name, labels, value: Number(value.replace('Inf', 'Infinity')) });
    families.set(familyName, family);
  }
  for (const [name, family] of families) if (family.type === 'histogram') checkHistogram(name, family);
  return families;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pair = /\s*([^=\s]+)\s*=\s*"((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)/y;
  let match: RegExpExecArray | null;
  while (pair.lastIndex < text.length && (match = pair.exec(text)) !== null) {
    const [, name, raw] = match as unknown as [string, string, string];
    assert.match(name, LABEL_NAME, line);
    assert.ok(!name.startsWith('__'), `reserved label name in: ${line}`);
    assert.ok(!(name in labels), `repeated label in: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  assert.equal(pair.lastIndex, text.length, `bad labels in: ${line}`);
  return labels;
}

function checkHistogram(name: string, family: Family): void {
  const buckets = family.samples.filter((sample) => sample.name === `${name}_bucket`);
  const count = family.samples.find((sample) => sample.name === `${name}_count`);
  assert.ok(family.samples.some((sample) => sample.name === `${name}_sum`), `${name} has no _sum`);
  assert.ok(count !== undefined, `${name} has no _count`);
  assert.ok(buckets.length > 0, `${name} has no buckets`);
  let previous = { le: -Infinity, value: 0 };
  for (const bucket of buckets) {
    assert.ok('le' in bucket.labels, `${name} bucket without le`);
    const le = Number(bucket.labels.le!.replace('Inf', 'Infinity'));
    assert.ok(le > previous.le, `${name} buckets not in increasing le order`);
    assert.ok(bucket.value >= previous.value, `${name} buckets are not cumulative`);
    previous = { le, value: bucket.value };
  }
  assert.equal(previous.le, Infinity, `${name} lacks the le="+Inf" bucket`);
  assert.equal(previous.value, count.value, `${name} +Inf bucket differs from _count`);
}

test('the reader used here rejects what Prometheus rejects', () => {
  const broken: [name: string, text: string][] = [
    ['no final line feed', 'a 1'],
    ['unescaped quote in label', 'a{l="x"y"} 1\n'],
    ['bad escape in label', 'a{l="x\\ty"} 1\n'],
    ['bad value', 'a 1,5\n'],
    ['bad name', '1a 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a counter\n'],
    ['duplicate series', 'a{l="x"} 1\na{l="x"} 2\n'],
    ['histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['histogram not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
  ];
  for (const [name, text] of broken) assert.throws(() => parseExposition(text), assert.AssertionError, name);
});

test('label values are escaped as the format requires', () => {
  const cases: [value: string, escaped: string][] = [
    ['200', '200'],
    ['back\\slash', 'back\\\\slash'],
    ['say "hi"', 'say \\"hi\\"'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
  ];
  for (const [value, escaped] of cases) {
    assert.equal(escapeLabelValue(value), escaped);
    const families = parseExposition(`m{l="${escapeLabelValue(value)}"} 1\n`);
    assert.equal(families.get('m')!.samples[0]!.labels.l, value, 'round trip');
  }
});

test('rendered metrics parse, with HELP and TYPE for every family', () => {
  const metrics = new SampleMetrics();
  metrics.received = 4;
  for (const [status, seconds] of [[200, 0.0004], [200, 0.003], [429, 0.00001], [408, 7]] as const) {
    metrics.recordAnswer(status, seconds);
  }
  const families = parseExposition(metrics.render({ inFlight: 2, queued: 1 }));
  for (const [name, family] of families) {
    assert.ok(family.help !== undefined && family.help.length > 0, `${name} has no HELP`);
    assert.ok(family.type !== 'untyped', `${name} has no TYPE`);
  }
  const histogram = families.get('modelprof_sample_request_duration_seconds')!;
  const bucket = (le: string): number => histogram.samples.find((sample) => sample.labels.le === le)!.value;
  assert.equal(bucket('0.001'), 2);
  assert.equal(bucket('0.005'), 3);
  assert.equal(bucket('5'), 3);
  assert.equal(bucket('10'), 4);
  const sum = histogram.samples.find((sample) => sample.name.endsWith('_sum'))!.value;
  assert.ok(Math.abs(sum - 7.00341) < 1e-9, `sum ${sum}`);
  const requests = families.get('modelprof_sample_requests_total')!.samples;
  assert.deepEqual(
    requests.map((sample) => [sample.labels.status, sample.value]),
    [['200', 2], ['408', 1], ['429', 1]],
  );
  assert.equal(families.get('modelprof_sample_requests_in_flight')!.type, 'gauge');
  assert.equal(families.get('modelprof_sample_requests_queued')!.samples[0]!.value, 1);
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds']) {
    assert.ok(families.has(name), `${name} missing`);
  }
});

test('GET /metrics from a live server parses and agrees with the counters', async () => {
  const server = await startSampleServer({});
  try {
    const payload = JSON.stringify({ data: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] });
    for (let sent = 0; sent < 7; sent++) await fetch(server.url, { method: 'POST', body: payload }).then((r) => r.text());
    await fetch(server.url, { method: 'POST', body: 'nope' }).then((r) => r.text());
    const text = await fetch(server.url.replace(/\/score$/, '/metrics')).then((r) => r.text());
    const families = parseExposition(text);
    assert.equal(families.get('modelprof_sample_requests_received_total')!.samples[0]!.value, server.counters().received);
    const byStatus = Object.fromEntries(
      families.get('modelprof_sample_requests_total')!.samples.map((sample) => [sample.labels.status!, sample.value]),
    );
    assert.deepEqual(byStatus, server.counters().byStatus);
    assert.deepEqual(byStatus, { '200': 7, '400': 1 });
  } finally {
    await server.close();
  }
});

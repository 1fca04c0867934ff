import assert from 'node:assert/strict';
import { Command } from 'commander';
import { test } from 'node:test';
import { addMonitorOptions } from '../../../src/cli/monitor-options.js';
import {
  monitorIntervalFromOptions,
  monitorSpecsFromOptions,
  serveFromOptions,
} from '../../../src/monitors/monitor-request.js';
import { SettingsError } from '../../../src/core/errors.js';
import type { MonitorRequest } from '../../../src/monitors/monitor.js';

function parse(args: string[]): MonitorRequest {
  const command = addMonitorOptions(new Command('run').exitOverride());
  command.parse(args, { from: 'user' });
  return command.opts<MonitorRequest>();
}

test('the flags become monitor specs, in a fixed order', () => {
  const opts = parse([
    '--monitor-pid', String(process.pid),
    '--prometheus', 'http://127.0.0.1:9100',
    '--prometheus', 'https://gpu-node:9400/metrics',
    '--prometheus-server', 'http://prom:9090/prefix',
    '--query', 'p99=histogram_quantile(0.99, sum by (le) (rate(x_bucket[1m])))',
    '--query', 'rps = sum(rate(nv_inference_request_success[10s]))',
    '--gpu',
    '--monitor-interval', '250',
  ]);
  assert.deepEqual(
    monitorSpecsFromOptions(opts).map((spec) => ({ ...spec, ...('url' in spec ? { url: spec.url.href } : {}) })),
    [
      { kind: 'process', pid: process.pid },
      { kind: 'prometheus', url: 'http://127.0.0.1:9100/metrics' },
      { kind: 'prometheus', url: 'https://gpu-node:9400/metrics' },
      {
        kind: 'prometheus-server',
        url: 'http://prom:9090/prefix',
        queries: [
          { name: 'p99', promql: 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[1m])))' },
          { name: 'rps', promql: 'sum(rate(nv_inference_request_success[10s]))' },
        ],
      },
      { kind: 'nvidia-smi' },
    ],
  );
  assert.equal(monitorIntervalFromOptions(opts), 250);
  assert.equal(serveFromOptions(opts), undefined);
});

test('defaults: no monitors, 1000 ms interval, --serve waits 60 s', () => {
  const opts = parse([]);
  assert.deepEqual(monitorSpecsFromOptions(opts), []);
  assert.equal(monitorIntervalFromOptions(opts), 1000);
  assert.deepEqual(serveFromOptions(parse(['--serve', 'python serve.py'])), { command: 'python serve.py', timeoutMs: 60_000 });
  assert.deepEqual(serveFromOptions(parse(['--serve', 'x', '--serve-timeout', '2m'])), { command: 'x', timeoutMs: 120_000 });
  // --serve is not a spec: its pid exists only once the server runs.
  assert.deepEqual(monitorSpecsFromOptions(parse(['--serve', 'x'])), []);
});

test('bad monitor flags are SettingsErrors naming the flag', async (t) => {
  const cases: [string[], (opts: MonitorRequest) => unknown, RegExp][] = [
    [['--monitor-pid', 'abc'], monitorSpecsFromOptions, /^--monitor-pid must be a whole number of at least 1, got "abc"$/],
    [['--monitor-pid', '0'], monitorSpecsFromOptions, /^--monitor-pid must be a whole number of at least 1/],
    [['--monitor-pid', '1', '--serve', 'x'], monitorSpecsFromOptions, /^--monitor-pid and --serve both name the process to watch/],
    [['--prometheus', '127.0.0.1:9100'], monitorSpecsFromOptions, /^--prometheus must be an http\(s\) URL such as http:\/\/127\.0\.0\.1:9100\/metrics, got "127\.0\.0\.1:9100"$/],
    [['--prometheus', 'not a url'], monitorSpecsFromOptions, /^--prometheus must be an http\(s\) URL .*, got "not a url"$/],
    [['--prometheus', 'ftp://scraper:s3cret@host/metrics'], monitorSpecsFromOptions, /got "ftp:\/\/redacted:redacted@host\/metrics"$/],
    [['--prometheus-server', 'ftp://prom'], monitorSpecsFromOptions, /^--prometheus-server must be an http\(s\) URL .*, got "ftp:\/\/prom"$/],
    [['--prometheus-server', 'http://prom:9090'], monitorSpecsFromOptions, /^--prometheus-server needs at least one --query/],
    [['--query', 'a=up'], monitorSpecsFromOptions, /^--query needs --prometheus-server/],
    [['--prometheus-server', 'http://p', '--query', 'up'], monitorSpecsFromOptions, /^--query must be name=PROMQL/],
    [['--prometheus-server', 'http://p', '--query', 'a b=up'], monitorSpecsFromOptions, /^--query must be name=PROMQL/],
    [['--prometheus-server', 'http://p', '--query', 'a='], monitorSpecsFromOptions, /^--query must be name=PROMQL/],
    [['--prometheus-server', 'http://p', '--query', 'a=up', '--query', 'a=down'], monitorSpecsFromOptions, /^--query names must be unique, "a" is given twice$/],
    [['--monitor-interval', '1.5'], monitorIntervalFromOptions, /^--monitor-interval must be a whole number of at least 1/],
    [['--monitor-interval', '50'], monitorIntervalFromOptions, /^--monitor-interval must be at least 100 ms, got 50$/],
    [['--serve', 'x', '--serve-timeout', 'soon'], serveFromOptions, /^--serve-timeout must be a duration/],
    [['--serve', 'x', '--serve-timeout', '0s'], serveFromOptions, /^--serve-timeout must be longer than 0/],
    [['--serve', '  '], serveFromOptions, /^--serve needs a command/],
  ];
  for (const [args, read, message] of cases) {
    await t.test(args.join(' '), () => {
      assert.throws(() => read(parse(args)), (error: unknown) => error instanceof SettingsError && message.test(error.message));
    });
  }
});

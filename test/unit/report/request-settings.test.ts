import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultsUsed } from '../../../src/cli/demo.js';
import { formatSummary } from '../../../src/report/console.js';
import type { ReportSettings } from '../../../src/report/report.js';
import { requestSettingRows, requestSettingsLine } from '../../../src/report/request-settings.js';
import { syntheticReport } from '../../support/sample-reports.js';

const LLM_API: NonNullable<ReportSettings['api']> = {
  name: 'openai-chat',
  model: 'sample-ngram',
  stream: true,
  ignoreEos: true,
  workload: 'synthetic: 64±16 input tokens, 32±8 output tokens',
  goodput: 'ttft<=500ms,tpot<=50ms',
};

describe('requestSettingRows: every setting that shaped the requests, named once for every surface', () => {
  const cases: [name: string, change: (settings: ReportSettings) => void, expected: [string, string][]][] = [
    ['a raw run: its payload and the tool plan', () => {}, [['api', 'raw (the payload as is; answers not checked)'], ['payload', 'PAYLOAD (1 line)'], ['arrival', 'even, 100 req/s (the wrk2 plan)']]],
    [
      'a generated LLM workload: api, model, workload and goodput, never "payload none (0 lines)"',
      (s) => {
        s.api = LLM_API;
        s.payload = { origin: 'none', lines: 0 };
      },
      [['api', 'openai-chat (streamed, ignore_eos)'], ['model', 'sample-ngram'], ['workload', LLM_API.workload!], ['goodput', LLM_API.goodput!], ['arrival', 'even, 100 req/s (the wrk2 plan)']],
    ],
    ['Poisson arrivals name their seed', (s) => (s.arrival = { kind: 'poisson', seed: 7 }), [['api', 'raw (the payload as is; answers not checked)'], ['payload', 'PAYLOAD (1 line)'], ['arrival', 'Poisson at 100 req/s (seed 7)']]],
    ['a closed loop has no arrival plan', (s) => (s.tool = 'wrk'), [['api', 'raw (the payload as is; answers not checked)'], ['payload', 'PAYLOAD (1 line)'], ['arrival', 'closed loop: each connection sends when its answer arrives']]],
  ];
  for (const [name, change, expected] of cases) {
    it(name, () => {
      const settings: ReportSettings = { ...structuredClone(syntheticReport({ seconds: 1 }).settings), tool: 'wrk2', rate: 100, payload: { origin: 'PAYLOAD', lines: 1 } };
      change(settings);
      assert.deepEqual(requestSettingRows(settings), expected);
    });
  }

  it('the console shows what an LLM run sent (workload and goodput) under the load line, and nothing extra for a raw run', () => {
    const report = structuredClone(syntheticReport({ seconds: 1 }));
    assert.equal(requestSettingsLine(report.settings), undefined);
    report.settings.api = LLM_API;
    const lines = formatSummary(report).split('\n');
    assert.equal(lines[2], '  sent: api openai-chat (streamed, ignore_eos); model sample-ngram; workload synthetic: 64±16 input tokens, 32±8 output tokens; goodput ttft<=500ms,tpot<=50ms');
  });
});

describe('defaultsUsed: the demo names the defaults it ran with, as the flags that change them', () => {
  const defaults = {
    rate: { value: '4', source: 'demo rate' },
    inputTokens: { value: '64:16', source: 'demo input tokens' },
    goodput: { value: 'ttft<=500ms,tpot<=50ms', source: 'demo goodput' },
  };
  it('lists each default in force, shell-quoted where needed', () => {
    assert.equal(defaultsUsed(defaults, { ...defaults }), "--rate 4 --input-tokens 64:16 --goodput 'ttft<=500ms,tpot<=50ms'");
  });
  it('leaves out a default a flag replaced', () => {
    assert.equal(defaultsUsed(defaults, { ...defaults, rate: { value: '9', source: '--rate' } }), "--input-tokens 64:16 --goodput 'ttft<=500ms,tpot<=50ms'");
  });
});

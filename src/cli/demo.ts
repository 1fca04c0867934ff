import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { SettingsError } from '../core/errors.js';
import { startSampleServer } from '../sample/server.js';
import type { SettingsLayer } from '../settings/layers.js';
import { assembleRunRequest, givenSettings, type RunSources } from '../settings/run-request.js';
import { addLoadOptions, layerFromOptions } from './load-options.js';
import { runAndReport } from './run.js';
import { addProgressOption, progressEverySec } from './console-session.js';

/** The seed's example payload, plus a second line so the rotation shows. */
const DEMO_PAYLOAD = '{"data": [[1,2,3,4,5,6,7,8,9,10], [10,9,8,7,6,5,4,3,2,1]]}';

/** What the demo profiles unless flags or the seed's variables say otherwise. */
const DEMO_LAYER: SettingsLayer = {
  tool: { value: 'wrk2', source: 'demo tool' },
  rate: { value: '200', source: 'demo rate' },
  connections: { value: '8', source: 'demo connections' },
  duration: { value: '10s', source: 'demo duration' },
  warmup: { value: '2s', source: 'demo warmup' },
  payload: { value: DEMO_PAYLOAD, source: 'demo payload' },
};

/**
 * With --api openai-chat or openai-completions the demo profiles the sample endpoint's small
 * language model: synthetic prompts, a few requests a second (each costs tens of ms of CPU), goodput.
 */
const LLM_DEMO_LAYER: SettingsLayer = {
  tool: { value: 'wrk2', source: 'demo tool' },
  rate: { value: '4', source: 'demo rate' },
  connections: { value: '4', source: 'demo connections' },
  duration: { value: '10s', source: 'demo duration' },
  warmup: { value: '2s', source: 'demo warmup' },
  model: { value: 'sample-ngram', source: 'demo model' },
  inputTokens: { value: '64:16', source: 'demo input tokens' },
  outputTokens: { value: '32:8', source: 'demo output tokens' },
  goodput: { value: 'ttft<=500ms,tpot<=50ms', source: 'demo goodput' },
};

/** The APIs the sample endpoint speaks: raw at /score, and its OpenAI-compatible routes. */
const SAMPLE_APIS = ['raw', 'openai-chat', 'openai-completions'];

export function registerDemo(program: Command): void {
  addProgressOption(addLoadOptions(
    program
      .command('demo')
      .description('start the bundled sample endpoint on 127.0.0.1 and profile it (what `npm start` runs); exits 0 once its report is written, whatever the verdict, and says what `run` would exit'),
    { defaults: { ...DEMO_LAYER, url: { value: 'the sample endpoint', source: 'demo url' } }, unreadVariables: ['url', 'endpoint', 'deployment'] },
  ))
    .option('--json', 'print report.json to stdout instead of the summary')
    .action(async (options: Record<string, unknown>) => {
      // A fresh key each time: the demo shows that keys reach the endpoint but never the report.
      const key = randomBytes(16).toString('hex');
      const server = await startSampleServer({ key, deployment: 'blue' });
      try {
        const target: SettingsLayer = {
          url: { value: server.url, source: 'demo url' },
          headers: { value: { Authorization: `Bearer ${key}`, 'azureml-model-deployment': 'blue' }, source: 'demo headers' },
        };
        const { url: _url, headers: _headers, ...flags } = layerFromOptions(options);
        const api = flags.api?.value.toLowerCase() ?? 'raw';
        if (!SAMPLE_APIS.includes(api)) throw new SettingsError(`--api ${api}: the sample endpoint speaks ${SAMPLE_APIS.join(', ')}`);
        const llm = api !== 'raw';
        // The OpenAI routes sit beside /score; --model appends the route.
        if (llm) target.url = { value: server.url.replace(/\/score$/, ''), source: 'demo url' };
        const defaults = llm ? LLM_DEMO_LAYER : DEMO_LAYER;
        const sources: RunSources = {
          layers: [target, flags],
          // The sample endpoint is the target: the seed's target variables do not apply.
          environment: { ...process.env, SCORING_URI: '', SCORING_HEADERS: '', DEPLOYMENT: '', ONLINE_ENDPOINT: '' },
          env: process.env,
          commandDefaults: defaults,
        };
        const request = assembleRunRequest(sources);
        if (!options['json']) {
          process.stderr.write(`modelprof: sample endpoint at ${server.url}\n`);
          const used = defaultsUsed(defaults, givenSettings(sources));
          if (used !== '') process.stderr.write(`modelprof: demo defaults (a flag overrides each): ${used}\n`);
        }
        process.exitCode = await runAndReport({ ...request, json: options['json'] === true, progressEverySec: progressEverySec(options) }, { demo: true });
      } finally {
        await server.close();
      }
    });
}

/**
 * The demo's own defaults that this run uses (neither a flag nor a variable replaced them), as the
 * flags that would set them, e.g. `--rate 4 --goodput 'ttft<=500ms,tpot<=50ms'`.
 */
export function defaultsUsed(defaults: SettingsLayer, given: SettingsLayer): string {
  return Object.entries(defaults)
    .filter(([key, value]) => value !== undefined && given[key as keyof SettingsLayer]?.source === value.source && typeof value.value === 'string')
    .map(([key, value]) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} ${shellWord(String(value!.value))}`)
    .join(' ');
}

/** `text` as one shell word: as is when plain, else single-quoted. */
function shellWord(text: string): string {
  return /^[\w.:/@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

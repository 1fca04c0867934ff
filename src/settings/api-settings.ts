import { SettingsError } from '../core/errors.js';
import { positiveInteger, positiveNumber } from '../core/numbers.js';
import { formatGoodput, parseGoodput } from '../record/goodput.js';
import { API_NAMES, type ApiName } from '../target/apis/api.js';
import { apiAdapter, withModelRoute } from '../target/apis/registry.js';
import { workloadFrom, type WorkloadSpec } from '../target/workload/workload-spec.js';
import { readDataset } from '../target/workload/dataset.js';
import { parseTokenCount } from '../target/workload/synthetic.js';
import { readTrace } from '../target/workload/trace.js';
import type { Given, SettingsLayer } from './layers.js';
import type { ApiSettings, ArrivalSettings, EngineName, Payload, ToolName } from './settings.js';

export interface ResolvedApi {
  api: ApiSettings;
  arrival: ArrivalSettings;
  url: URL;
  payload: Payload;
  /** Set when a trace sets how long the load runs: the trace's span at its speed-up, s. */
  traceSeconds?: number;
  /** With traceSeconds: the trace's mean rate, its requests over that span, req/s. */
  traceRps?: number;
}

/**
 * Resolves --api, --model, the workload (--input-tokens/--output-tokens, --dataset, --trace),
 * --arrival and --goodput, checking how they combine: a workload needs an API that shapes requests,
 * replaces the payload, and only the builtin engine reads answers or follows other plans.
 */
export function resolveApi(given: SettingsLayer, context: { url: URL; payload: Payload; tool: ToolName; engine: EngineName }): ResolvedApi {
  const name = (given.api ? oneOf(given.api, API_NAMES) : 'raw') as ApiName;
  const adapter = apiAdapter(name);
  const model = given.model ? nonEmpty(given.model) : undefined;
  const url = model === undefined ? context.url : withModelRoute(context.url, adapter, model);
  const stream = given.stream ? booleanOf(given.stream) : true;
  const input = given.inputTokens ? parseTokenCount(given.inputTokens.value, given.inputTokens.source) : undefined;
  const output = given.outputTokens ? parseTokenCount(given.outputTokens.value, given.outputTokens.source) : undefined;
  const seed = given.seed ? positiveInteger(given.seed.value, given.seed.source) : 1;
  const sources = [given.inputTokens, given.dataset, given.trace].filter((each): each is Given => each !== undefined);
  if (sources.length > 1) throw new SettingsError(`${sources[0]!.source} and ${sources[1]!.source} both give the requests: choose one workload`);
  const workloadGiven = sources[0];
  if (output && !input && !given.dataset) {
    throw new SettingsError(`${given.outputTokens!.source} shapes synthetic or dataset requests: give --input-tokens or --dataset with it (a trace sets its own lengths)`);
  }
  if (workloadGiven && name === 'raw') throw new SettingsError(`${workloadGiven.source} needs --api to shape its requests (openai-chat, openai-completions, kserve-v1, kserve-v2 or torchserve)`);
  if (workloadGiven && context.payload.bodies.length > 0) {
    throw new SettingsError(`${workloadGiven.source} and the payload (${context.payload.origin}) both give the requests: choose one`);
  }
  const ignoreEos = given.ignoreEos ? booleanOf(given.ignoreEos) : output !== undefined || given.trace !== undefined;

  let workload: WorkloadSpec | undefined;
  let traceSeconds: number | undefined;
  let traceRps: number | undefined;
  if (input) {
    workload = { kind: 'synthetic', input, ...(output ? { output } : {}), seed };
  } else if (given.dataset) {
    const dataset = readDataset(given.dataset.value, given.dataset.source);
    const items = Array.from({ length: dataset.size }, (_, index) => dataset.item(index)).map((item) =>
      output && item.outputTokens === undefined ? { ...item, outputTokens: output.mean } : item,
    );
    workload = { kind: 'dataset', items, origin: given.dataset.value };
  } else if (given.trace) {
    const entries = readTrace(given.trace.value, given.trace.source);
    workload = { kind: 'trace', entries, origin: given.trace.value, seed };
  }

  let arrival: ArrivalSettings = { kind: 'even' };
  if (given.trace) {
    const speedup = given.traceSpeedup ? positiveNumber(given.traceSpeedup.value, given.traceSpeedup.source) : 1;
    arrival = { kind: 'trace', speedup };
    const entries = (workload as Extract<WorkloadSpec, { kind: 'trace' }>).entries;
    traceSeconds = entries[entries.length - 1]!.offsetMs / speedup / 1000;
    traceRps = entries.length / Math.max(traceSeconds, 0.001);
    if (given.arrival && given.arrival.value.toLowerCase() !== 'trace') throw new SettingsError(`${given.arrival.source}: a trace brings its own arrival times; leave it out with --trace`);
  } else {
    if (given.traceSpeedup) throw new SettingsError(`${given.traceSpeedup.source} speeds up a trace: give --trace with it`);
    const kind = given.arrival ? oneOf(given.arrival, ['even', 'poisson']) : 'even';
    if (kind === 'poisson') arrival = { kind: 'poisson', seed };
  }
  if (arrival.kind !== 'even' && context.tool === 'wrk') {
    throw new SettingsError(`${arrival.kind === 'trace' ? given.trace!.source : given.arrival!.source} plans when requests start: it needs an open-loop tool (--tool wrk2 or labench), not the closed loop of wrk`);
  }
  const goodput = given.goodput ? formatGoodput(parseGoodput(given.goodput.value, given.goodput.source)) : undefined;
  if (goodput !== undefined && name === 'raw') throw new SettingsError(`${given.goodput!.source} judges answers: it needs --api (openai-chat or openai-completions for TTFT and TPOT)`);
  if (context.engine === 'external') {
    const builtinOnly = [given.api, given.model, given.inputTokens, given.dataset, given.trace, given.arrival, given.goodput].find((each) => each !== undefined && each.implied !== 'default');
    if (builtinOnly && (name !== 'raw' || arrival.kind !== 'even' || workload || goodput)) {
      throw new SettingsError(`${builtinOnly.source} needs the builtin engine (--engine builtin): the external programs neither read answers nor follow these plans`);
    }
  }

  const payload = name === 'raw' || context.payload.bodies.length === 0 ? context.payload : shapePayload(context.payload, name, { model, stream, ignoreEos });
  if (name !== 'raw' && !workload && payload.bodies.length === 0) {
    throw new SettingsError(`--api ${name} needs requests: a payload (--payload or --payload-file) or a workload (--input-tokens, --dataset or --trace)`);
  }
  const api: ApiSettings = {
    name,
    ...(model !== undefined ? { model } : {}),
    stream,
    ignoreEos,
    ...(workload ? { workload } : {}),
    ...(workload ? { workloadDescription: workloadFrom(workload).description } : {}),
    ...(goodput !== undefined ? { goodput } : {}),
  };
  return { api, arrival, url, payload, ...(traceSeconds !== undefined && traceRps !== undefined ? { traceSeconds, traceRps } : {}) };
}

/** Payload lines made fit for the API; each mistake names its line. */
function shapePayload(payload: Payload, name: ApiName, options: { model: string | undefined; stream: boolean; ignoreEos: boolean }): Payload {
  const adapter = apiAdapter(name);
  const requestOptions = { ...(options.model !== undefined ? { model: options.model } : {}), stream: options.stream, ignoreEos: options.ignoreEos };
  const bodies = payload.bodies.map((line, index) => adapter.fromPayload(line, requestOptions, payload.bodies.length === 1 ? `the payload (${payload.origin})` : `payload line ${index + 1} (${payload.origin})`));
  return { ...payload, bodies };
}

function oneOf(given: Given, allowed: readonly string[]): string {
  const value = given.value.trim().toLowerCase();
  if (!allowed.includes(value)) throw new SettingsError(`${given.source} must be one of ${allowed.join(', ')}, got "${given.value}"`);
  return value;
}

function nonEmpty(given: Given): string {
  const value = given.value.trim();
  if (value === '') throw new SettingsError(`${given.source} must name a model, got an empty string`);
  return value;
}

function booleanOf(given: Given): boolean {
  const value = given.value.trim().toLowerCase();
  if (value === 'true' || value === 'yes' || value === '1') return true;
  if (value === 'false' || value === 'no' || value === '0') return false;
  throw new SettingsError(`${given.source} must be true or false, got "${given.value}"`);
}

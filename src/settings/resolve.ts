import { resolve } from 'node:path';
import { parseToolPath } from './tool-path-setting.js';
import { SettingsError } from '../core/errors.js';
import { LOAD_MODELS } from '../load/models/registry.js';
import { inlinePayload, readPayloadFile } from '../target/payload.js';
import { withinBound, type BoundName } from './bounds.js';
import { parseDuration } from './duration.js';
import { checkEngineOwnedHeaders, expandHeaderVariables } from './headers.js';
import { mergeLayers, type Given, type SettingsLayer } from './layers.js';
import { checkToolReadsSettings } from './tool-settings.js';
import { resolveApi } from './api-settings.js';
import { ENGINES, TOOLS, type EngineName, type Payload, type Settings, type ToolName } from './settings.js';
import { positiveInteger, positiveNumber } from '../core/numbers.js';

/** The seed's defaults, plus modelprof's for what the seed leaves open. */
export const DEFAULTS = {
  tool: 'wrk',
  engine: 'builtin',
  duration: '300s',
  warmup: '3s',
  connections: '1',
  threads: '1',
  rate: '50',
  clients: '1',
  timeout: '10s',
  output: 'outputs',
} as const;

const DEFAULT_LAYER: SettingsLayer = Object.fromEntries(
  Object.entries(DEFAULTS).map(([key, value]) => [key, { value, source: `default ${key}`, implied: 'default' as const }]),
);

/**
 * Resolves layers (highest precedence first) into validated Settings. Every invalid value stops here,
 * before any request, with a message naming the setting as the user gave it.
 */
export function resolveSettings(layers: readonly SettingsLayer[], env: NodeJS.ProcessEnv): Settings {
  const given = mergeLayers([...layers, DEFAULT_LAYER]);
  const baseUrl = parseTargetUrl(given.url);
  const { headers, secret: secretHeaders } = expandHeaderVariables(given.headers?.value ?? {}, env);
  // The seed's default SCORING_HEADERS route to DEPLOYMENT through this header: every request carries it.
  if (given.deployment && !Object.keys(headers).some((name) => name.toLowerCase() === 'azureml-model-deployment')) {
    headers['azureml-model-deployment'] = given.deployment.value.trim();
  }
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const tool = oneOf(given.tool!, TOOLS) as ToolName;
  const engine = oneOf(given.engine!, ENGINES) as EngineName;
  const { api, arrival, url, payload, traceSeconds, traceRps } = resolveApi(given, {
    url: baseUrl,
    payload: resolvePayload(given, contentType === undefined || /json/i.test(contentType)),
    tool,
    engine,
  });
  if ((payload.bodies.length > 0 || api.workload) && contentType === undefined) headers['Content-Type'] = 'application/json';
  checkEngineOwnedHeaders(headers, url, payload.bodies);

  const connections = bounded('connections', given.connections!, wholeNumber);
  const threads = bounded('threads', given.threads!, wholeNumber);
  // A trace brings its own rate (its requests over its span, at its speed-up) unless one is given.
  const rate = traceRps !== undefined && given.rate!.implied === 'default' ? traceRps : bounded('rate', given.rate!, (given) => positiveNumber(given.value, given.source));
  const clients = bounded('clients', given.clients!, wholeNumber);
  LOAD_MODELS[tool].validate({ tool, connections, threads, clients, rate }, (key) => given[key]!.source);
  const method = (given.method?.value ?? (payload.bodies.length > 0 || api.workload ? 'POST' : 'GET')).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new SettingsError(`${given.method!.source} must be an HTTP method like GET or POST, got "${method}"`);
  const output = given.output!.value;
  if (output.trim() === '') throw new SettingsError(`${given.output!.source} must be a folder path`);

  const warmupSec = bounded('warmup', given.warmup!, (warmup) => parseDuration(warmup.value, warmup.source));
  const settings: Settings = {
    url,
    method,
    headers,
    payload,
    tool,
    engine,
    durationSec:
      traceSeconds === undefined
        ? bounded('duration', given.duration!, positiveDuration)
        : withinBound('duration', traceDuration(given.duration!, traceSeconds, warmupSec), given.duration!.source, given.duration!.value),
    warmupSec,
    connections,
    threads,
    rate,
    clients,
    timeoutSec: bounded('timeout', given.timeout!, timeoutDuration),
    // Absolute, so external tools run from inside it still find their files.
    outputDir: resolve(output),
    outputSource: given.output!.source,
    ...(api.name !== 'raw' || api.goodput ? { api } : {}),
    ...(arrival.kind !== 'even' ? { arrival } : {}),
    ...(secretHeaders.length > 0 ? { secretHeaders } : {}),
  };
  // Every value is valid by now; whether the tool reads each one comes after.
  const notes = checkToolReadsSettings(given, tool, engine);
  if (given.toolPath) parseToolPath(given.toolPath.value, given.toolPath.source);
  return { ...settings, ...(notes.length > 0 ? { notes } : {}), ...(given.toolPath ? { toolPath: given.toolPath.value } : {}) };
}

function parseTargetUrl(given: Given | undefined): URL {
  if (!given) {
    throw new SettingsError(
      'no target: set --url (or SCORING_URI) to the scoring URL, e.g. http://127.0.0.1:5001/score, or name an Azure ML deployment with SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE, ONLINE_ENDPOINT and DEPLOYMENT',
    );
  }
  let url: URL;
  try {
    url = new URL(given.value);
  } catch {
    throw new SettingsError(`${given.source} must be an absolute http:// or https:// URL, and this one does not parse`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingsError(`${given.source} must be an http:// or https:// URL, got a "${url.protocol}" URL`);
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new SettingsError(`${given.source} has user info with a broken %-escape: write it as %XX with two hex digits`);
  }
  return url;
}

function resolvePayload(given: SettingsLayer, requireJson: boolean): Payload {
  // A payload file beats an inline body wherever each was set, as the seed's inputs.payload beats PAYLOAD.
  if (given.payloadFile) return readPayloadFile(given.payloadFile.value, given.payloadFile.source, requireJson);
  if (given.payload) return inlinePayload(given.payload.value, given.payload.source, requireJson);
  return { bodies: [], origin: 'none' };
}

/** Parses a setting and holds it to its bound in BOUNDS. */
function bounded(name: BoundName, given: Given, parse: (given: Given) => number): number {
  return withinBound(name, parse(given), given.source, given.value);
}

function wholeNumber(given: Given): number {
  return positiveInteger(given.value, given.source);
}

function oneOf(given: Given, allowed: readonly string[]): string {
  const value = given.value.toLowerCase();
  if (!allowed.includes(value)) throw new SettingsError(`${given.source} must be one of ${allowed.join(', ')}, got "${given.value}"`);
  return value;
}



function positiveDuration(given: Given): number {
  const seconds = parseDuration(given.value, given.source);
  if (seconds <= 0) throw new SettingsError(`${given.source} must be longer than 0, got "${given.value}"`);
  return seconds;
}

/**
 * A trace replay runs as long as the trace at its speed-up (its last request included): a duration
 * given explicitly may cut it shorter, the default never does.
 */
function traceDuration(given: Given, traceSeconds: number, warmupSec: number): number {
  // To the millisecond, the last request's own included.
  const whole = Math.round((traceSeconds - warmupSec) * 1000 + 1) / 1000;
  if (whole <= 0) throw new SettingsError(`the warm-up (${warmupSec}s) is as long as the whole trace (${traceSeconds}s at its speed-up): nothing would be measured`);
  if (given.implied === 'default') return whole;
  return Math.min(positiveDuration(given), whole);
}

/** Timeouts are enforced to the millisecond (the engine's clock and sweep), so a shorter one is refused rather than not kept. */
function timeoutDuration(given: Given): number {
  const seconds = positiveDuration(given);
  if (seconds < 0.001) throw new SettingsError(`${given.source} must be at least 1ms (timeouts are enforced to the millisecond), got "${given.value}"`);
  return seconds;
}

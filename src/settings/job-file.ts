import { dirname, resolve } from 'node:path';
import { SettingsError } from '../core/errors.js';
import { readSchema } from '../core/schema.js';
import { isMapping, readYamlFile } from '../core/yaml-file.js';
import type { MonitorRequest } from '../monitors/monitor.js';
import { settingsFromEnvironment } from './environment.js';
import type { ScalarKey, SettingsLayer } from './layers.js';

/** A job file's contents (or the --set overrides), shaped like schema/job.schema.json. */
export type JobDocument = Record<string, unknown>;

/** What a job file asks for beyond the load settings. */
export interface JobExtras {
  experimentName?: string;
  displayName?: string;
  sla?: string;
  /** The monitors block, under the names of the run command's flags. */
  monitors?: MonitorRequest;
  insecure?: boolean;
}

interface SchemaNode {
  type?: string | string[];
  enum?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
}

const JOB_SCHEMA = readSchema('job.schema.json') as SchemaNode;

/** Reads and checks a YAML (or JSON) job file; every mistake names the file, the key and what was expected. */
export function readJobFile(path: string): JobDocument {
  const contents = readYamlFile(path, `job file "${path}"`);
  if (!isMapping(contents)) throw new SettingsError(`job file "${path}" must be a mapping of keys such as target, tool and settings`);
  checkAgainstSchema(contents, JOB_SCHEMA, '', `job file "${path}"`);
  return contents as JobDocument;
}

/** `--set key.path=value` overrides, as a document of their own (they rank above the file). */
export function setOverrides(assignments: readonly string[]): JobDocument {
  const document: JobDocument = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw new SettingsError(`--set must be key.path=value, e.g. settings.rate=200, got "${assignment.split('=')[0]}"`);
    const path = assignment.slice(0, equals).trim().split('.');
    const raw = assignment.slice(equals + 1);
    let node: Record<string, unknown> = document;
    let schema: SchemaNode | undefined = JOB_SCHEMA;
    path.forEach((key, index) => {
      const where = path.slice(0, index + 1).join('.');
      const child = schemaChild(schema!, key, path.slice(0, index).join('.'), '--set');
      schema = child;
      if (index === path.length - 1) {
        node[key] = typedValue(raw, child, where);
      } else {
        node[key] ??= {};
        node = node[key] as Record<string, unknown>;
      }
    });
  }
  checkAgainstSchema(document, JOB_SCHEMA, '', '--set');
  return document;
}

/**
 * Turns a checked job document into settings layers: its own keys, then its
 * environment_variables block (the seed's names) below them. `origin` names it in messages
 * ("job.yml", "--set"); relative payload files resolve against `baseDir`.
 */
export function jobLayers(document: JobDocument, origin: string, baseDir: string): { layers: SettingsLayer[]; extras: JobExtras } {
  const layer: SettingsLayer = {};
  const put = (key: ScalarKey, value: unknown, path: string): void => {
    if (value !== undefined) layer[key] = { value: String(value), source: `${origin} ${path}` };
  };
  const target = (document['target'] ?? {}) as Record<string, unknown>;
  const payload = (document['payload'] ?? {}) as Record<string, unknown>;
  const settings = (document['settings'] ?? {}) as Record<string, unknown>;
  put('url', target['url'], 'target.url');
  put('method', target['method'], 'target.method');
  if (target['headers']) {
    const headers = Object.fromEntries(Object.entries(target['headers'] as Record<string, unknown>).map(([name, value]) => [name, String(value)]));
    layer.headers = { value: headers, source: `${origin} target.headers` };
  }
  if (typeof payload['file'] === 'string') put('payloadFile', resolve(baseDir, payload['file']), 'payload.file');
  put('payload', payload['body'], 'payload.body');
  put('api', target['api'], 'target.api');
  put('model', target['model'], 'target.model');
  const workload = (document['workload'] ?? {}) as Record<string, unknown>;
  for (const [key, name] of [['inputTokens', 'input_tokens'], ['outputTokens', 'output_tokens'], ['traceSpeedup', 'trace_speedup'], ['arrival', 'arrival'], ['seed', 'seed'], ['goodput', 'goodput'], ['stream', 'stream'], ['ignoreEos', 'ignore_eos']] as const) {
    put(key, workload[name], `workload.${name}`);
  }
  for (const [key, name] of [['dataset', 'dataset'], ['trace', 'trace']] as const) {
    if (typeof workload[name] === 'string') put(key, resolve(baseDir, workload[name]), `workload.${name}`);
  }
  put('tool', document['tool'], 'tool');
  put('engine', document['engine'], 'engine');
  put('toolPath', document['tool_path'], 'tool_path');
  put('output', document['output'], 'output');
  for (const key of ['duration', 'warmup', 'connections', 'threads', 'rate', 'clients', 'timeout'] as const) {
    put(key, settings[key], `settings.${key}`);
  }
  const variables = Object.fromEntries(
    Object.entries((document['environment_variables'] ?? {}) as Record<string, unknown>).map(([name, value]) => [name, String(value)]),
  );
  const extras: JobExtras = {};
  if (typeof document['experiment_name'] === 'string') extras.experimentName = document['experiment_name'];
  if (typeof document['display_name'] === 'string') extras.displayName = document['display_name'];
  if (typeof document['sla'] === 'string') extras.sla = document['sla'];
  if (typeof target['insecure'] === 'boolean') extras.insecure = target['insecure'];
  if (document['monitors']) extras.monitors = monitorRequest(document['monitors'] as Record<string, unknown>);
  return { layers: [layer, settingsFromEnvironment(variables)], extras };
}

function monitorRequest(block: Record<string, unknown>): MonitorRequest {
  const options: MonitorRequest = {};
  if (block['monitor_pid'] !== undefined) options.monitorPid = String(block['monitor_pid']);
  if (typeof block['serve'] === 'string') options.serve = block['serve'];
  if (block['serve_timeout'] !== undefined) options.serveTimeout = String(block['serve_timeout']);
  if (Array.isArray(block['prometheus'])) options.prometheus = block['prometheus'].map(String);
  if (typeof block['prometheus_server'] === 'string') options.prometheusServer = block['prometheus_server'];
  if (block['queries']) options.query = Object.entries(block['queries'] as Record<string, string>).map(([name, promql]) => `${name}=${promql}`);
  if (typeof block['gpu'] === 'boolean') options.gpu = block['gpu'];
  if (block['interval_ms'] !== undefined) options.monitorInterval = String(block['interval_ms']);
  return options;
}

/** Checks keys and value types against the schema, suggesting the nearest key for a typo. */
function checkAgainstSchema(value: unknown, schema: SchemaNode, path: string, origin: string): void {
  const where = path === '' ? 'the top level' : `"${path}"`;
  if (schema.enum) {
    if (!schema.enum.includes(value as string)) throw new SettingsError(`${origin}: ${where} must be one of ${schema.enum.join(', ')}, got ${JSON.stringify(value)}`);
    return;
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((type) => hasType(value, type))) {
    throw new SettingsError(`${origin}: ${where} must be ${types.map(describeType).join(' or ')}, got ${describeValue(value)}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, index) => checkAgainstSchema(item, schema.items!, `${path}[${index}]`, origin));
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      checkAgainstSchema(child, schemaChild(schema, key, path, origin), path === '' ? key : `${path}.${key}`, origin);
    }
  }
}

function schemaChild(schema: SchemaNode, key: string, parentPath: string, origin: string): SchemaNode {
  const known = schema.properties?.[key];
  if (known) return known;
  if (typeof schema.additionalProperties === 'object') return schema.additionalProperties;
  if (schema.additionalProperties === true) return {};
  const full = parentPath === '' ? key : `${parentPath}.${key}`;
  const candidates = Object.keys(schema.properties ?? {});
  const nearest = nearestKey(key, candidates);
  const hint = nearest ? ` (did you mean "${parentPath === '' ? nearest : `${parentPath}.${nearest}`}"?)` : ` (known: ${candidates.join(', ')})`;
  throw new SettingsError(`${origin}: unknown key "${full}"${hint}`);
}

function typedValue(raw: string, schema: SchemaNode, path: string): unknown {
  const types = schema.type === undefined ? ['string'] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('boolean') && /^(true|false)$/.test(raw)) return raw === 'true';
  if (types.includes('array')) return raw.split(',').map((item) => item.trim()).filter(Boolean);
  if (types.includes('object')) throw new SettingsError(`--set ${path} names a section; set one of its keys, e.g. ${path}.<key>=value`);
  return raw;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

/** A JSON Schema type in words, for messages: "a whole number", "a list". */
export function describeType(type: string): string {
  return { integer: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false', array: 'a list', object: 'a mapping' }[type] ?? type;
}

/** What a value is, in words, for messages: "a list", 'string "x"'. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'nothing';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The known key closest to a typo, by edit distance, when it is close enough to be the likely intent. */
export function nearestKey(typo: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(typo.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(typo.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The folder a job file's relative paths are read from. */
export function jobBaseDir(path: string): string {
  return dirname(resolve(path));
}

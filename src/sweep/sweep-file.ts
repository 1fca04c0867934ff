import type { ErrorObject } from 'ajv';
import { lazySchema } from '../core/schema.js';
import { isMapping, readYamlFile } from '../core/yaml-file.js';
import { SettingsError } from '../core/errors.js';
import { describeType, describeValue, nearestKey } from '../settings/job-file.js';

/** One deployment entry of sweep.yml, as written (see schema/sweep.schema.json). */
export interface DeploymentEntry {
  name: string;
  description?: string;
  url: string;
  method?: string;
  headers?: Record<string, string | number>;
  insecure?: boolean;
  serve?: string;
  serve_timeout?: string | number;
  instance_type?: string;
  instance_count?: number;
  price_per_hour?: number;
  cores_per_instance?: number;
  max_concurrent_requests_per_instance?: number;
}

export const GRID_KEYS = ['tool', 'threads', 'connections', 'clients', 'rate'] as const;
export type GridKey = (typeof GRID_KEYS)[number];
export type GridEntry = { [K in GridKey]?: K extends 'tool' ? string[] : number[] };

/** sweep.yml's contents after the schema check. */
export interface SweepDocument {
  name?: string;
  description?: string;
  deployments: DeploymentEntry[];
  grid?: GridEntry;
  payload?: Record<string, unknown>;
  tool?: string;
  engine?: string;
  tool_path?: string;
  settings?: Record<string, unknown>;
  monitors?: Record<string, unknown>;
  sla?: string;
  cooldown?: string | number;
  output?: string;
  currency?: string;
}

// verbose: errors carry the schema they broke, so an unknown key can be matched against its known siblings.
const validator = lazySchema<SweepDocument>('sweep.schema.json', { references: ['job.schema.json'], verbose: true });

/** Reads and checks a sweep file; every mistake names the file, the key and what was expected. */
export function readSweepFile(path: string): SweepDocument {
  const origin = `sweep file "${path}"`;
  const contents = readYamlFile(path, origin);
  if (!isMapping(contents)) throw new SettingsError(`${origin} must be a mapping with a deployments list`);
  const validate = validator();
  if (!validate(contents)) throw new SettingsError(`${origin}: ${describeError(validate.errors![0]!)}`);
  const seen = new Set<string>();
  contents.deployments.forEach((deployment, index) => {
    if (seen.has(deployment.name)) throw new SettingsError(`${origin}: deployments[${index}].name "${deployment.name}" is used twice; names must be unique`);
    seen.add(deployment.name);
  });
  return contents;
}

function describeError(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((joined, part) => (/^\d+$/.test(part) ? `${joined}[${part}]` : joined === '' ? part : `${joined}.${part}`), '');
  const child = (key: string): string => (path === '' ? key : `${path}.${key}`);
  const where = path === '' ? 'the top level' : `"${path}"`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const nearest = nearestKey(key, known);
      return `unknown key "${child(key)}"${nearest ? ` (did you mean "${child(nearest)}"?)` : ` (known: ${known.join(', ')})`}`;
    }
    case 'required':
      return `"${child((error.params as { missingProperty: string }).missingProperty)}" is required`;
    case 'type': {
      const type = (error.params as { type: string | string[] }).type;
      const types = (Array.isArray(type) ? type : String(type).split(',')).map(describeType);
      return `${where} must be ${types.join(' or ')}, got ${describeValue(error.data)}`;
    }
    case 'enum':
      return `${where} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}, got ${JSON.stringify(error.data)}`;
    case 'pattern':
      return `${where} must be letters, digits, ".", "_" or "-" (it names a folder), got ${JSON.stringify(error.data)}`;
    default:
      return `${where} ${error.message ?? 'is not valid'}, got ${describeValue(error.data)}`;
  }
}

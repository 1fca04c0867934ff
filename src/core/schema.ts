import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { packageFile } from './package-files.js';

/** A schema file's contents; `name` is its path inside schema/, e.g. "job.schema.json". */
export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(packageFile(`schema/${name}`), 'utf8')) as Record<string, unknown>;
}

export interface SchemaOptions {
  /** Other schemas the checked one refers to by $id. */
  references?: readonly string[];
  /** Report every problem (reports, job manifests), or stop at the first (settings files, for one clear line). */
  allErrors?: boolean;
  /** Errors carry the schema and data they broke, for messages that suggest the nearest key. */
  verbose?: boolean;
}

/** A validator for one shipped schema: Ajv in strict mode, with the standard formats. */
export function compileSchema<T>(name: string, options: SchemaOptions = {}): ValidateFunction<T> {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, strictRequired: false, allErrors: options.allErrors ?? false, verbose: options.verbose ?? false });
  // ajv-formats is CommonJS; its default export is the plugin function.
  (addFormatsModule as unknown as (instance: Ajv) => void)(ajv);
  for (const reference of options.references ?? []) ajv.addSchema(readSchema(reference));
  return ajv.compile<T>(readSchema(name));
}

/**
 * compileSchema on first use: compiling takes tens of milliseconds of CPU, and every modelprof
 * command loads the modules that hold validators, while few of them validate anything.
 */
export function lazySchema<T>(name: string, options: SchemaOptions = {}): () => ValidateFunction<T> {
  let validate: ValidateFunction<T> | undefined;
  return () => (validate ??= compileSchema<T>(name, options));
}

/** Every way `data` departs from the schema behind `validate`, one line each; empty when it is valid. */
export function schemaProblems(validate: ValidateFunction, data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(top level)'} ${error.message ?? 'is not valid'}`);
}

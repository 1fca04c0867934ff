import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const schema = JSON.parse(readFileSync(new URL('../../../schema/report.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: true });
// ajv-formats is CommonJS; its default export is the plugin function.
(addFormatsModule as unknown as (instance: Ajv) => void)(ajv);
const validate = ajv.compile(schema);

/** Every way `data` departs from schema/report.schema.json, one per line; empty when it is a valid report. */
export function reportSchemaProblems(data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(top level)'} ${error.message ?? 'is not valid'}`);
}

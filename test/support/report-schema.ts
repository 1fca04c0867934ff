import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const schema = JSON.parse(readFileSync(new URL('../../../schema/report.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: true });
(addFormatsModule as unknown as (ajv: Ajv) => void)(ajv);
const validate = ajv.compile(schema);

/** Fails the test with every schema violation listed when `report` is not a valid report.json. */
export function assertValidReport(report: unknown): void {
  const ok = validate(report);
  assert.ok(ok, `report.json does not match schema/report.schema.json:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

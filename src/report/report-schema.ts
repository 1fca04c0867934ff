import { lazySchema, schemaProblems } from '../core/schema.js';

const validator = lazySchema('report.schema.json', { allErrors: true });

/** Every way `data` departs from schema/report.schema.json, one per line; empty when it is a valid report. */
export function reportSchemaProblems(data: unknown): string[] {
  return schemaProblems(validator(), data);
}

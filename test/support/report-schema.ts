import assert from 'node:assert/strict';
import { reportSchemaProblems } from '../../src/report/report-schema.js';

/** Fails the test with every schema violation listed when `report` is not a valid report.json. */
export function assertValidReport(report: unknown): void {
  const problems = reportSchemaProblems(report);
  assert.deepEqual(problems, [], `report.json does not match schema/report.schema.json:\n${problems.join('\n')}`);
}

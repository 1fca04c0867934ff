/**
 * Reading the JSON a tool prints (the done() hook's line for wrk and wrk2, LaBench's summary): it
 * is tool output, so every shape is checked, and each reader words its own error through `fail`.
 */

/** The parsed text, or `fail('it is not valid JSON')`. */
export function parseToolJson(text: string, fail: (problem: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw fail('it is not valid JSON');
  }
}

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole number from 0 that a double holds exactly. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

import { readBoundedFile } from '../core/bounded-file.js';
import { SettingsError } from '../core/errors.js';
import { jsonProblem } from '../core/json-problem.js';
import type { Payload } from '../settings/settings.js';

/** U+FEFF at the start of a file: editors' "UTF-8 with BOM" mark, never part of the first body. */
const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Reads a payload file as the seed defines it: one request body per line, used in rotation.
 * Blank lines are skipped; a leading byte order mark is dropped. With a JSON content type every
 * line must be valid JSON, and an error names the line as an editor numbers it.
 */
export function readPayloadFile(path: string, source: string, requireJson: boolean): Payload {
  let text = readBoundedFile(path, `${source} "${path}"`, 'payload');
  if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(BYTE_ORDER_MARK.length);
  const lines = text.split(/\r?\n/).map((body, index) => ({ body, line: index + 1 })).filter(({ body }) => body.trim() !== '');
  if (lines.length === 0) throw new SettingsError(`${source} "${path}" is empty: expected one request body per line`);
  if (requireJson) {
    for (const { body, line } of lines) assertJson(body, `${source} "${path}" line ${line}`);
  }
  return { bodies: lines.map(({ body }) => body), origin: path };
}

/** A single body given inline (PAYLOAD or --payload). */
export function inlinePayload(body: string, source: string, requireJson: boolean): Payload {
  if (body.trim() === '') throw new SettingsError(`${source} is empty: expected a request body`);
  if (requireJson) assertJson(body, source);
  return { bodies: [body], origin: source };
}

/** The error never quotes the body: a payload file named by mistake (a key file) must not reach the terminal. */
function assertJson(body: string, where: string): void {
  try {
    JSON.parse(body);
  } catch (error) {
    throw new SettingsError(`${where} is not valid JSON (${jsonProblem(body, error)}); set a non-JSON Content-Type header to send it as is`);
  }
}

import { readFileSync } from 'node:fs';
import { SettingsError } from '../core/errors.js';
import type { Payload } from '../settings/settings.js';

/**
 * Reads a payload file as the seed defines it: one request body per line, used in rotation.
 * Blank lines are skipped. With a JSON content type every line must be valid JSON.
 */
export function readPayloadFile(path: string, source: string, requireJson: boolean): Payload {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SettingsError(`${source} "${path}" cannot be read (${code})`);
  }
  const bodies = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (bodies.length === 0) throw new SettingsError(`${source} "${path}" is empty: expected one request body per line`);
  if (requireJson) {
    bodies.forEach((body, index) => assertJson(body, `${source} "${path}" line ${index + 1}`));
  }
  return { bodies, origin: path };
}

/** A single body given inline (PAYLOAD or --payload). */
export function inlinePayload(body: string, source: string, requireJson: boolean): Payload {
  if (body.trim() === '') throw new SettingsError(`${source} is empty: expected a request body`);
  if (requireJson) assertJson(body, source);
  return { bodies: [body], origin: source };
}

function assertJson(body: string, where: string): void {
  try {
    JSON.parse(body);
  } catch (error) {
    throw new SettingsError(`${where} is not valid JSON (${(error as Error).message}); set a non-JSON Content-Type header to send it as is`);
  }
}

import { SettingsError } from '../../core/errors.js';
import { isObject } from './answer-base.js';

/** A payload line as a JSON object, or a SettingsError naming `where` and what `api` expects. */
export function payloadObject(line: string, where: string, api: string, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch {
    throw new SettingsError(`${where} is not JSON: --api ${api} expects ${expected}`);
  }
  if (!isObject(value)) throw new SettingsError(`${where} is not a JSON object: --api ${api} expects ${expected}`);
  return value;
}

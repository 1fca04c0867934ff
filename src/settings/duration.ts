import { SettingsError } from '../core/errors.js';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses the seed's duration strings: `30` (seconds), `30s`, `500ms`, `5m`, `1h`, `1.5s`, and days
 * (`7d`), in which find-max's --max-time bound is stated.
 * `setting` names the flag or variable for the error message.
 */
export function parseDuration(text: string, setting: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) {
    throw new SettingsError(`${setting} must be a duration like 30, 30s, 500ms, 5m, 1h or 1d, got "${text}"`);
  }
  return Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']!;
}

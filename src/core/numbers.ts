import { SettingsError } from './errors.js';

/**
 * Numbers given as text (flags, variables, job-file values). Each names the setting as the user gave
 * it (`name`: "--rate", "TARGET_RPS", "job.yml settings.rate") and quotes what was given, in one line.
 */

/** A whole number of at least 1 ("8"; not "8.5", "0x8" or ""). */
export function positiveInteger(text: string, name: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new SettingsError(`${name} must be a whole number of at least 1, got "${text}"`);
  }
  return value;
}

/** A finite number greater than 0. */
export function positiveNumber(text: string, name: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new SettingsError(`${name} must be a number greater than 0, got "${text}"`);
  return value;
}

/** A finite number of at least 0. */
export function nonNegativeNumber(text: string, name: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new SettingsError(`${name} must be a number of at least 0, got "${text}"`);
  return value;
}

/** "5%" or "0.05" -> 0.05; strictly between 0 and 1. */
export function share(text: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value < 1)) throw new SettingsError(`${name} must be a share between 0 and 1, such as 5% or 0.05, got "${text}"`);
  return value;
}

/** Rounds to `digits` decimals (3 by default: microseconds of a millisecond figure), as reports store figures. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

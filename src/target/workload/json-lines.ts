import { readFileSync } from 'node:fs';
import { SettingsError } from '../../core/errors.js';

/**
 * Reads a JSONL file given by `setting`, one record a line (blank lines skipped), each parsed by
 * `parseLine` with the place to name in its errors ("--dataset "x.jsonl" line 3").
 */
export function readJsonLines<T>(path: string, setting: string, parseLine: (line: string, where: string) => T): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SettingsError(`${setting} "${path}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const records: T[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() !== '') records.push(parseLine(line, `${setting} "${path}" line ${index + 1}`));
  });
  if (records.length === 0) throw new SettingsError(`${setting} "${path}" is empty: expected one JSON request per line`);
  return records;
}

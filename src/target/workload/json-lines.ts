import { readBoundedFile, type FileKind } from '../../core/bounded-file.js';
import { SettingsError } from '../../core/errors.js';

/**
 * Reads a JSONL file given by `setting`, one record a line (blank lines skipped), each parsed by
 * `parseLine` with the place to name in its errors ("--dataset "x.jsonl" line 3"), within the
 * bounds of its `kind` of file.
 */
export function readJsonLines<T>(path: string, setting: string, kind: FileKind, parseLine: (line: string, where: string) => T): T[] {
  const text = readBoundedFile(path, `${setting} "${path}"`, kind);
  const records: T[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() !== '') records.push(parseLine(line, `${setting} "${path}" line ${index + 1}`));
  });
  if (records.length === 0) throw new SettingsError(`${setting} "${path}" is empty: expected one JSON request per line`);
  return records;
}

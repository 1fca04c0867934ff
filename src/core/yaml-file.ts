import { parseDocument } from 'yaml';
import { readBoundedFile } from './bounded-file.js';
import { SettingsError } from './errors.js';

/**
 * Aliases a file may expand to before it is refused: an "alias bomb" (a billion laughs) nests
 * aliases so that a few lines expand to gigabytes. The yaml library's own default.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads a YAML (or JSON) settings file; `origin` names it in errors (`job file "job.yml"`). An
 * unreadable file, bad YAML or an alias bomb is one SettingsError naming the file and, for YAML, the line.
 */
export function readYamlFile(path: string, origin: string): unknown {
  const text = readBoundedFile(path, origin, 'settings');
  const document = parseDocument(text, { prettyErrors: false });
  const problem = document.errors[0];
  if (problem) {
    const line = text.slice(0, problem.pos[0]).split('\n').length;
    throw new SettingsError(`${origin} line ${line} is not valid YAML: ${problem.message.split('\n')[0]}`);
  }
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml library throws a ReferenceError for an alias bomb and for an alias to an unknown anchor.
    const why = /resource exhaustion/i.test((error as Error).message) ? 'its aliases expand far beyond the file (an "alias bomb"?)' : (error as Error).message.split('\n')[0];
    throw new SettingsError(`${origin} is not usable YAML: ${why}`);
  }
}

/** True for a YAML mapping (not a list, a scalar or an empty file). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

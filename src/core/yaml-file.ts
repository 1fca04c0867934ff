import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { SettingsError } from './errors.js';

/**
 * Reads a YAML (or JSON) settings file; `origin` names it in errors (`job file "job.yml"`). An
 * unreadable file or bad YAML is one SettingsError naming the file and, for YAML, the line.
 */
export function readYamlFile(path: string, origin: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SettingsError(`${origin} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const document = parseDocument(text, { prettyErrors: false });
  const problem = document.errors[0];
  if (problem) {
    const line = text.slice(0, problem.pos[0]).split('\n').length;
    throw new SettingsError(`${origin} line ${line} is not valid YAML: ${problem.message.split('\n')[0]}`);
  }
  return document.toJS();
}

/** True for a YAML mapping (not a list, a scalar or an empty file). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { SettingsError } from '../core/errors.js';
import { TOOLS, type ToolName } from './settings.js';

/**
 * --tool-path (TOOL_PATH, tool_path) as given: entries separated by commas, each `TOOL=PATH` (the
 * program, or a folder holding it, for that tool) or a plain PATH: a folder searched for every tool
 * before PATH, or a file that is the program of the one tool in question.
 */
export interface ToolPathEntries {
  forTool: Partial<Record<ToolName, string>>;
  plain: string[];
}

/** Reads --tool-path; a SettingsError names an entry that is not TOOL=PATH or PATH. */
export function parseToolPath(spec: string | undefined, source = '--tool-path'): ToolPathEntries {
  const entries: ToolPathEntries = { forTool: {}, plain: [] };
  if (spec === undefined) return entries;
  for (const entry of spec.split(',').map((part) => part.trim())) {
    const named = /^([A-Za-z0-9]+)=(.*)$/.exec(entry);
    if (entry === '' || (named && named[2] === '')) throw new SettingsError(`${source} "${spec}" has an empty entry: expected TOOL=PATH or PATH, separated by commas`);
    if (!named) {
      entries.plain.push(entry);
      continue;
    }
    const tool = named[1]!.toLowerCase();
    if (!(TOOLS as readonly string[]).includes(tool)) throw new SettingsError(`${source} "${entry}": ${named[1]} is not one of ${TOOLS.join(', ')}`);
    if (entries.forTool[tool as ToolName] !== undefined) throw new SettingsError(`${source} names ${tool} twice`);
    entries.forTool[tool as ToolName] = named[2]!;
  }
  return entries;
}

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SettingsError } from '../core/errors.js';
import type { ToolName } from '../settings/settings.js';
import { parseToolPath } from '../settings/tool-path-setting.js';

/** A program named by --tool-path for a tool, as `which` would take it: an executable file. */
export interface GivenProgram {
  /** The entry as the user wrote it, for messages. */
  entry: string;
  /** Executable files to try, in order (a folder gives the tool's names inside it). */
  candidates: string[];
}

/**
 * What --tool-path says about `tool`: the program it names (TOOL=PATH, or a plain file when one
 * tool is in question), or else the folders to search before PATH. A path that does not exist, a
 * file that is not executable, or a folder without the program is a SettingsError: nothing falls
 * back silently to another program.
 */
export async function toolPathFor(
  tool: ToolName,
  names: readonly string[],
  spec: string | undefined,
): Promise<{ given?: GivenProgram; folders: string[] }> {
  const entries = parseToolPath(spec);
  const named = entries.forTool[tool];
  const folders: string[] = [];
  const plainFiles: string[] = [];
  for (const path of entries.plain) {
    const info = await existing(path, path);
    (info.isDirectory() ? folders : plainFiles).push(resolve(path));
  }
  if (named !== undefined) return { given: await givenProgram(`${tool}=${named}`, named, names), folders };
  if (plainFiles.length > 1) throw new SettingsError(`--tool-path names ${plainFiles.length} programs without saying which tool each is: write TOOL=PATH`);
  if (plainFiles.length === 1) return { given: await givenProgram(entries.plain.find((path) => resolve(path) === plainFiles[0])!, plainFiles[0]!, names), folders };
  return { folders };
}

async function givenProgram(entry: string, path: string, names: readonly string[]): Promise<GivenProgram> {
  const info = await existing(entry, path);
  if (info.isDirectory()) {
    const candidates: string[] = [];
    for (const name of names) if (await isExecutableFile(resolve(path, name))) candidates.push(resolve(path, name));
    if (candidates.length === 0) throw new SettingsError(`--tool-path ${entry}: that folder holds no executable ${names.join(' or ')}`);
    return { entry, candidates };
  }
  if (!(await isExecutableFile(path))) throw new SettingsError(`--tool-path ${entry}: not an executable file`);
  return { entry, candidates: [resolve(path)] };
}

async function existing(entry: string, path: string): Promise<import('node:fs').Stats> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new SettingsError(`--tool-path ${entry}: no such file or folder`);
  return info;
}

export async function isExecutableFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true && (await access(path, constants.X_OK).then(() => true, () => false));
}

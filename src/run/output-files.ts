import { constants } from 'node:fs';
import { access, mkdir, open, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { OutputError, SettingsError } from '../core/errors.js';

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

/**
 * Creates the output folder and proves a file can be created in it, before any load, so a bad
 * path fails at once with one line (exit 2, nothing sent) rather than after the run.
 */
export async function prepareOutputDir(dir: string, flag = '--output'): Promise<void> {
  try {
    await makeFolders(dir);
    await access(dir, constants.W_OK);
    const probe = join(dir, `.modelprof-write-check-${process.pid}`);
    await writeFile(probe, '', { flag: 'wx' });
    await unlink(probe);
  } catch (error) {
    throw new SettingsError(`${flag} "${dir}" cannot be used (${codeOf(error)}): give a writable folder`);
  }
}

/**
 * mkdir -p one folder at a time: Node's own recursive mkdir never returns under /proc, where a
 * folder cannot be made (it retries the ENOENT for ever).
 */
async function makeFolders(dir: string): Promise<void> {
  const parts = resolve(dir).split(sep).filter((part) => part !== '');
  let path: string = sep;
  for (const part of parts) {
    path = join(path, part);
    await mkdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/**
 * Proves before any load that `path` can be written later: an existing regular file is opened for
 * writing (not truncated), a device or pipe must be writable, and a new file is created in its
 * folder and removed again. `flag` names the setting in the one-line error (exit 2).
 */
export async function checkWritableFile(path: string, flag: string): Promise<void> {
  try {
    const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (found?.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    if (found?.isFile()) await (await open(path, 'r+')).close();
    else if (found) await access(path, constants.W_OK);
    else {
      await (await open(path, 'wx')).close();
      await unlink(path);
    }
  } catch (error) {
    const code = codeOf(error);
    const why = code === 'ENOENT' ? `its folder ${dirname(path)} does not exist` : `it cannot be written (${code})`;
    throw new SettingsError(`${flag} "${path}": ${why}`);
  }
}

/**
 * Readers never see half a file: writes beside it, then renames over it. A path that is not a
 * regular file (/dev/stdout, a pipe) is written in place, never renamed over. On failure nothing
 * is left behind, and the OutputError (exit 5) names the file and the system's reason.
 */
export async function writeFileAtomically(path: string, contents: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  try {
    if (existing && !existing.isFile()) {
      await writeFile(path, contents);
      return;
    }
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, contents, { mode: 0o644 });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  } catch (error) {
    throw new OutputError(`cannot write ${path} (${codeOf(error)})`);
  }
}

import { rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { ToolName } from '../settings/settings.js';
import type { ToolProcessOutcome } from './tool-process.js';

/**
 * Writes a file only its owner can read or write: generated scripts and configs carry the request
 * headers, which may be keys. An existing file is removed first, since overwriting keeps its mode.
 */
export async function writePrivateFile(path: string, contents: string): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, contents, { mode: 0o600, flag: 'wx' });
}

/** Where a tool's raw output was kept: paths of the files written. */
export interface KeptOutput {
  stdoutPath: string;
  stderrPath: string;
  commandPath: string;
  /** Set when they could not be written (disk full): why. The run's figures do not depend on them. */
  unkept?: string;
}

/** Keeps the command line and everything the tool printed in the run folder, before any parsing. */
export async function keepToolOutput(runDir: string, tool: ToolName, command: readonly string[], outcome: ToolProcessOutcome): Promise<KeptOutput> {
  const kept: KeptOutput = {
    stdoutPath: join(runDir, `${tool}-stdout.txt`),
    stderrPath: join(runDir, `${tool}-stderr.txt`),
    commandPath: join(runDir, `${tool}-command.txt`),
  };
  try {
    await writeFile(kept.stdoutPath, outcome.stdout);
    await writeFile(kept.stderrPath, outcome.stderr);
    await writeFile(kept.commandPath, `${command.map(shellWord).join(' ')}\n`);
  } catch (error) {
    await Promise.all([kept.stdoutPath, kept.stderrPath, kept.commandPath].map((path) => rm(path, { force: true })));
    kept.unkept = `${tool}'s output could not be kept in ${runDir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  return kept;
}

/** A kept file as the report lists it: relative to the output folder when inside it. */
export function artifactName(outputDir: string, path: string): string {
  const inside = relative(outputDir, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

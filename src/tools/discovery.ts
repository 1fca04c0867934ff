import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { SettingsError, ToolError } from '../core/errors.js';
import type { ToolName } from '../settings/settings.js';
import { readGoBuildInfo } from './go-build-info.js';
import { isExecutableFile, toolPathFor } from './tool-path.js';

/** Whether a tool can be run, and which program that is. */
export interface ToolDiscovery {
  tool: ToolName;
  found: boolean;
  /** The program that will run, when found. */
  path?: string;
  /** How the program names its own version, as the report shows it, e.g. "wrk debian/4.1.0-3+b2". */
  version?: string;
  /** One line: why the tool cannot be used and how to get it; absent when found. */
  problem?: string;
}

export interface FoundTool {
  path: string;
  version: string;
}

export const HOW_TO_GET: Record<ToolName, string> = {
  wrk: 'install it with "apt-get install wrk" (Debian, Ubuntu) or "brew install wrk" (macOS), or build it from https://github.com/wg/wrk',
  wrk2:
    'build it from its source (git clone https://github.com/giltene/wrk2 && cd wrk2 && make), then put its binary, ' +
    'which is named wrk, on PATH as wrk2 or pass --tool-path',
  labench:
    'build it from its source (git clone https://github.com/microsoft/LaBench && cd LaBench && go build), ' +
    'then put labench on PATH or pass --tool-path',
};

/** Long enough for a program to print its usage; short enough that `modelprof tools` stays quick. */
const PROBE_TIMEOUT_MS = 5_000;
/** Symbols of LaBench's own package: present in every LaBench binary, stripped or not. */
const LABENCH_PACKAGE = Buffer.from('labench/bench');

/** The discovery of a found tool, or the ToolError (exit 4) that says how to get it. */
export function requireTool(discovery: ToolDiscovery): FoundTool {
  if (!discovery.found || !discovery.path) throw new ToolError(discovery.problem ?? `${discovery.tool} was not found`);
  return { path: discovery.path, version: discovery.version ?? `${discovery.tool} (version unknown)` };
}

/**
 * Finds wrk or wrk2. wrk2's binary is also called wrk, so programs are told apart by behaviour:
 * both print "wrk <version> [<event api>] ..." for -v; run without -R, wrk2 refuses at once
 * ("Throughput MUST be specified with the --rate or -R option") while wrk goes on to connect, here
 * to port 0 on 127.0.0.1, which refuses at once. A program --tool-path names must be the tool: if it
 * is not, that is a SettingsError, never a silent fall-back to another program.
 */
export async function discoverWrkFamily(tool: 'wrk' | 'wrk2', toolPath?: string): Promise<ToolDiscovery> {
  const names = tool === 'wrk2' ? ['wrk2', 'wrk'] : ['wrk'];
  const { given, folders } = await toolPathFor(tool, names, toolPath);
  const misfits: string[] = [];
  for (const path of given?.candidates ?? (await searchPaths(names, folders))) {
    const version = await wrkVersion(path);
    const kind = version === undefined ? 'unknown' : await wrkKind(path);
    if (kind === tool) return { tool, found: true, path, version: `${tool} ${version}` };
    misfits.push(
      kind === 'unknown'
        ? `${path} does not print wrk's version for -v`
        : `${path} is ${kind} (wrk ${version}), which ${kind === 'wrk2' ? 'requires' : 'runs without'} -R`,
    );
  }
  if (given) throw new SettingsError(`--tool-path ${given.entry} is not ${tool}: ${misfits.join('; ')}`);
  return { tool, found: false, problem: missingProblem(tool, folders, misfits) };
}

/**
 * Finds LaBench. It has no version flag, and run without a config it would start a benchmark from
 * ./labench.yaml, so it is recognised by its package name inside the binary and never run here;
 * its version is what Go recorded at build time.
 */
export async function discoverLabench(toolPath?: string): Promise<ToolDiscovery> {
  const names = ['labench', 'LaBench'];
  const { given, folders } = await toolPathFor('labench', names, toolPath);
  const misfits: string[] = [];
  for (const path of given?.candidates ?? (await searchPaths(names, folders))) {
    const binary = await readFile(path).catch(() => Buffer.alloc(0));
    if (!binary.includes(LABENCH_PACKAGE)) {
      misfits.push(`${path} does not look like LaBench (no ${LABENCH_PACKAGE.toString()} package inside)`);
      continue;
    }
    const build = readGoBuildInfo(binary);
    const revision = build?.vcsRevision ? ` rev ${build.vcsRevision.slice(0, 7)}` : '';
    const built = build ? `built with ${build.goVersion}` : 'version unknown';
    return { tool: 'labench', found: true, path, version: `labench${revision} (no version flag; ${built})` };
  }
  if (given) throw new SettingsError(`--tool-path ${given.entry} is not labench: ${misfits.join('; ')}`);
  return { tool: 'labench', found: false, problem: missingProblem('labench', folders, misfits) };
}

function missingProblem(tool: ToolName, folders: readonly string[], misfits: string[]): string {
  const where = folders.length > 0 ? `not in --tool-path ${folders.join(', ')} nor on PATH` : 'not on PATH';
  const seen = misfits.length > 0 ? `; ${misfits.join('; ')}` : '';
  return `${tool} is not installed (${where}${seen}): ${HOW_TO_GET[tool]}`;
}

/**
 * Executable files that may be the tool, in the order they are tried: the --tool-path folders,
 * then PATH, each name in turn, as `which` would.
 */
async function searchPaths(names: readonly string[], folders: readonly string[]): Promise<string[]> {
  const places: string[] = folders.flatMap((folder) => names.map((name) => resolve(folder, name)));
  const path = (process.env['PATH'] ?? '').split(delimiter).filter((folder) => folder !== '');
  for (const name of names) places.push(...path.map((folder) => resolve(join(folder, name))));

  const seen = new Set<string>();
  const found: string[] = [];
  for (const place of places) {
    if (!(await isExecutableFile(place))) continue;
    const real = await realpath(place);
    if (seen.has(real)) continue;
    seen.add(real);
    found.push(place);
  }
  return found;
}

async function wrkKind(path: string): Promise<'wrk' | 'wrk2' | 'unknown'> {
  const { stdout, stderr } = await probe(path, ['-t', '1', '-c', '1', '-d', '1s', 'http://127.0.0.1:0/']);
  const said = `${stdout}\n${stderr}`;
  if (/--rate or -R/.test(said)) return 'wrk2';
  if (/^unable to connect to 127\.0\.0\.1:0\b/m.test(said)) return 'wrk';
  return 'unknown';
}

/** `-v` prints "wrk <version> [<event api>] Copyright (C) 2012 Will Glozer" (wrk2 says "wrk" too); undefined when it does not. */
async function wrkVersion(path: string): Promise<string | undefined> {
  const { stdout } = await probe(path, ['-v']);
  return /^wrk (\S+) \[\w+\]/m.exec(stdout)?.[1];
}

/** Runs a program briefly and returns what it printed, whatever its exit status. */
function probe(path: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(path, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20, env: { PATH: process.env['PATH'] ?? '' } }, (_error, stdout, stderr) =>
      done({ stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { ToolError } from '../core/errors.js';
import type { ToolName } from '../settings/settings.js';
import { readGoBuildInfo } from './go-build-info.js';

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
 * run without -R, wrk2 refuses at once ("Throughput MUST be specified with the --rate or -R
 * option") while wrk goes on to connect, here to port 0 on 127.0.0.1, which refuses at once.
 */
export async function discoverWrkFamily(tool: 'wrk' | 'wrk2', toolPath?: string): Promise<ToolDiscovery> {
  const misfits: string[] = [];
  for (const path of await candidatePaths(tool === 'wrk2' ? ['wrk2', 'wrk'] : ['wrk'], toolPath)) {
    const kind = await wrkKind(path);
    if (kind === tool) return { tool, found: true, path, version: `${tool} ${await wrkVersion(path)}` };
    misfits.push(
      kind === 'unknown' ? `${path} does not behave like wrk or wrk2` : `${path} is ${kind}, which ${kind === 'wrk2' ? 'requires' : 'runs without'} -R`,
    );
  }
  return { tool, found: false, problem: missingProblem(tool, toolPath, misfits) };
}

/**
 * Finds LaBench. It has no version flag, and run without a config it would start a benchmark from
 * ./labench.yaml, so it is recognised by its package name inside the binary and never run here;
 * its version is what Go recorded at build time.
 */
export async function discoverLabench(toolPath?: string): Promise<ToolDiscovery> {
  const misfits: string[] = [];
  for (const path of await candidatePaths(['labench', 'LaBench'], toolPath)) {
    const binary = await readFile(path).catch(() => Buffer.alloc(0));
    if (!binary.includes(LABENCH_PACKAGE)) {
      misfits.push(`${path} does not look like LaBench`);
      continue;
    }
    const build = readGoBuildInfo(binary);
    const revision = build?.vcsRevision ? ` rev ${build.vcsRevision.slice(0, 7)}` : '';
    const built = build ? `built with ${build.goVersion}` : 'version unknown';
    return { tool: 'labench', found: true, path, version: `labench${revision} (no version flag; ${built})` };
  }
  return { tool: 'labench', found: false, problem: missingProblem('labench', toolPath, misfits) };
}

function missingProblem(tool: ToolName, toolPath: string | undefined, misfits: string[]): string {
  const where = toolPath ? `not at --tool-path ${toolPath} nor on PATH` : 'not on PATH';
  const seen = misfits.length > 0 ? `; ${misfits.join('; ')}` : '';
  return `${tool} is not installed (${where}${seen}): ${HOW_TO_GET[tool]}`;
}

/**
 * Executable files that may be the tool, in the order they are tried: --tool-path (a file, or
 * a folder holding one of `names`), then PATH, each name in turn, as `which` would.
 */
async function candidatePaths(names: readonly string[], toolPath?: string): Promise<string[]> {
  const places: string[] = [];
  if (toolPath) {
    const info = await stat(toolPath).catch(() => undefined);
    if (info?.isFile()) places.push(resolve(toolPath));
    if (info?.isDirectory()) places.push(...names.map((name) => resolve(toolPath, name)));
  }
  const folders = (process.env['PATH'] ?? '').split(delimiter).filter((folder) => folder !== '');
  for (const name of names) places.push(...folders.map((folder) => resolve(join(folder, name))));

  const seen = new Set<string>();
  const found: string[] = [];
  for (const place of places) {
    const info = await stat(place).catch(() => undefined);
    if (!info?.isFile() || !(await access(place, constants.X_OK).then(() => true, () => false))) continue;
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

/** `-v` prints "wrk <version> [<event api>] Copyright (C) 2012 Will Glozer" (wrk2 says "wrk" too). */
async function wrkVersion(path: string): Promise<string> {
  const { stdout } = await probe(path, ['-v']);
  return /^wrk (\S+) \[\w+\]/m.exec(stdout)?.[1] ?? '(version unknown)';
}

/** Runs a program briefly and returns what it printed, whatever its exit status. */
function probe(path: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(path, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20, env: { PATH: process.env['PATH'] ?? '' } }, (_error, stdout, stderr) =>
      done({ stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

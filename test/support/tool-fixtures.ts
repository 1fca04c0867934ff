import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Settings, ToolName } from '../../src/settings/settings.js';
import type { ToolDiscovery } from '../../src/tools/discovery.js';
import type { FinishedTool } from '../../src/tools/tool-outcome.js';
import type { ToolProcessOutcome } from '../../src/tools/tool-process.js';
import type { ServerCounts } from './scoring-server.js';

/** test/fixtures in the source tree (these tests run from dist/test/tools). */
const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);

export function fixtureText(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8');
}

export function fixtureCounts(folder: string): ServerCounts {
  return JSON.parse(fixtureText(`${folder}/server-counts.json`)) as ServerCounts;
}

/**
 * Whether a real program can be used. Missing, the test fails under CI when `requiredInCi`
 * (CI installs Debian's wrk and puts ../shared/tools' wrk2 and labench on PATH) and is skipped
 * with the reason otherwise.
 */
export function programAvailable(t: TestContext, discovery: ToolDiscovery, requiredInCi: boolean): boolean {
  if (discovery.found) return true;
  if (requiredInCi && process.env['CI'] === 'true') assert.fail(`CI must run the real ${discovery.tool}: ${discovery.problem ?? ''}`);
  t.skip(`${discovery.tool} is not available here (${discovery.problem ?? 'not found'})`);
  return false;
}

/** A finished run rebuilt from a captured fixture folder, for the exit and error paths. */
export function finishedFromFixture(tool: ToolName, folder: string, settings: Settings): FinishedTool {
  const outcome: ToolProcessOutcome = {
    stdout: fixtureText(`${folder}/stdout.txt`),
    stderr: fixtureText(`${folder}/stderr.txt`),
    exitCode: Number(fixtureText(`${folder}/exit-code.txt`).trim()),
    exitSignal: null,
    interrupted: false,
    overran: false,
    startTime: new Date(0),
    endTime: new Date(1000),
  };
  const path = (file: string): string => fileURLToPath(new URL(`${folder}/${file}`, FIXTURES));
  return { tool, settings, outcome, kept: { stdoutPath: path('stdout.txt'), stderrPath: path('stderr.txt'), commandPath: path('command.txt') }, limitSec: 60 };
}

import { join } from 'node:path';
import type { RunResult } from '../record/result.js';
import type { Settings } from '../settings/settings.js';
import type { ToolAdapter, ToolRunContext } from './adapter.js';
import { writePrivateFile } from './artifacts.js';
import { discoverWrkFamily, requireTool } from './discovery.js';
import { runTool, type ToolRunFacts } from './tool-run.js';
import { toolEnvironment } from './tool-secrets.js';
import { buildWrkScript, type WrkResultHook } from './wrk-lua.js';

/** What sets wrk and wrk2 apart: both run a generated Lua script and print the same kind of summary. */
export interface WrkFamilyTool<T extends { runtimeSec: number }> {
  tool: 'wrk' | 'wrk2';
  /** What the generated script's done() hook prints. */
  hook: WrkResultHook;
  /** The command line; throws a SettingsError for settings the program cannot express. */
  argumentsFor(settings: Settings, scriptPath: string): string[];
  parse(stdout: string): T;
  toResult(output: T, facts: ToolRunFacts): RunResult;
}

/** The adapter of wrk or wrk2: the script goes into the run folder as <tool>-script.lua and is kept. */
export function wrkFamilyAdapter<T extends { runtimeSec: number }>(family: WrkFamilyTool<T>): ToolAdapter {
  const { tool } = family;
  return {
    tool,
    // wrk's SSL_CTX never sets a verify mode: any certificate is accepted.
    verifiesTls: false,
    discover: (toolPath) => discoverWrkFamily(tool, toolPath),
    check: (settings) => void family.argumentsFor(settings, `${tool}-script.lua`),
    async run(settings: Settings, context: ToolRunContext): Promise<RunResult> {
      const scriptPath = join(context.runDir, `${tool}-script.lua`);
      const args = family.argumentsFor(settings, scriptPath);
      const found = requireTool(await discoverWrkFamily(tool, settings.toolPath));
      await writePrivateFile(scriptPath, buildWrkScript(settings, family.hook));
      const { output, facts } = await runTool({
        tool,
        settings,
        context,
        found,
        args,
        env: toolEnvironment(settings),
        inputs: [scriptPath],
        parse: (stdout) => family.parse(stdout),
        seconds: (parsed) => parsed.runtimeSec,
      });
      return family.toResult(output, facts);
    },
  };
}

import type { EngineContext, LoadEngine } from '../load/engine.js';
import { startClockProgress } from '../load/live-progress.js';
import { verifyTlsForProgram } from '../load/tls-verification.js';
import type { RunResult } from '../record/result.js';
import { SYSTEM_WAIT_CLOCK, waitUntil } from '../scale/start-at.js';
import { TOOLS, type Settings, type ToolName } from '../settings/settings.js';
import { SettingsError } from '../core/errors.js';
import type { ToolAdapter, ToolDiscovery, ToolRunContext } from './adapter.js';
import { parseToolPath } from '../settings/tool-path-setting.js';
import { isExecutableFile } from './tool-path.js';
import { requireTool } from './discovery.js';
import { labenchAdapter } from './labench.js';
import { stoppedRunResult } from './external-result.js';
import { ToolStoppedError } from './tool-run.js';
import { wrk2Adapter } from './wrk2.js';
import { wrkAdapter } from './wrk.js';

export const TOOL_ADAPTERS: Record<ToolName, ToolAdapter> = { wrk: wrkAdapter, wrk2: wrk2Adapter, labench: labenchAdapter };

/**
 * Runs the real program for settings.tool with the same settings the builtin engine would use.
 * A missing program is a ToolError that says how to get it; settings the program cannot
 * express (e.g. 2.5 s for wrk) are a SettingsError before anything is sent.
 */
export function runExternal(settings: Settings, context: ToolRunContext): Promise<RunResult> {
  return TOOL_ADAPTERS[settings.tool].run(settings, context);
}

/**
 * Every tool's discovery, in the order of TOOLS. A plain file in --tool-path would be the program
 * of one tool, and this asks for all: it is refused, asking for TOOL=PATH.
 */
export async function discoverTools(toolPath?: string): Promise<ToolDiscovery[]> {
  for (const path of parseToolPath(toolPath).plain) {
    if (await isExecutableFile(path)) throw new SettingsError(`--tool-path ${path} is a program: say which tool it is (e.g. --tool-path wrk2=${path}), or name the tool (modelprof tools wrk2)`);
  }
  return Promise.all(TOOLS.map((tool) => TOOL_ADAPTERS[tool].discover(toolPath)));
}

/** The external tools behind the LoadEngine seam that the run command uses. */
export const externalEngine: LoadEngine = {
  check: (settings: Settings) => TOOL_ADAPTERS[settings.tool].check(settings),
  // A missing program is said before "profiling for 5s", not after it.
  prepare: async (settings: Settings) => void requireTool(await TOOL_ADAPTERS[settings.tool].discover(settings.toolPath)),
  run: async (settings: Settings, context: EngineContext) => {
    // modelprof checks the TLS peer before a program that may not (wrk, wrk2) is handed the target.
    const tls = await verifyTlsForProgram(settings, { name: settings.tool, verifies: TOOL_ADAPTERS[settings.tool].verifiesTls });
    // A shard's program starts at the common start (--start-at); it knows no such option itself.
    if (settings.startAtMs !== undefined) await waitUntil(settings.startAtMs, SYSTEM_WAIT_CLOCK, context.signal);
    const stopProgress = context.onProgress ? startClockProgress(context.onProgress, settings, settings.tool) : undefined;
    try {
      const result = await runExternal(settings, {
        runDir: context.runDir ?? settings.outputDir,
        ...(context.signal ? { signal: context.signal } : {}),
      }).catch((error: unknown) => {
        if (error instanceof ToolStoppedError) return stoppedRunResult(error.facts);
        throw error;
      });
      return tls ? { ...result, tls } : result;
    } finally {
      stopProgress?.();
    }
  },
};

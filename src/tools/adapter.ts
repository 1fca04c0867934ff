import type { RunResult } from '../record/result.js';
import type { Settings, ToolName } from '../settings/settings.js';
import type { ToolDiscovery } from './discovery.js';

export type { ToolDiscovery } from './discovery.js';

export interface ToolRunContext {
  /** Folder for the generated script or config and the raw output; already created. */
  runDir: string;
  /** Ctrl-C: the program is stopped (SIGINT, then SIGTERM), what it printed is kept, and the result is marked partial. */
  signal?: AbortSignal;
}

/**
 * One external load program: how to find it, and how to run it and read what it printed.
 * Adapters implement this and are listed in ./registry.ts; this file imports none of them.
 */
export interface ToolAdapter {
  readonly tool: ToolName;
  /** Whether the program verifies a TLS peer's certificate itself (LaBench does; wrk and wrk2 never do). */
  readonly verifiesTls: boolean;
  discover(toolPath?: string): Promise<ToolDiscovery>;
  /** Throws the SettingsError run() would throw for settings the program cannot express, before anything starts. */
  check(settings: Settings): void;
  run(settings: Settings, context: ToolRunContext): Promise<RunResult>;
}

import type { RunResult } from '../record/result.js';
import type { Settings } from '../settings/settings.js';

/** Live figures for the progress line, once a second. */
export interface Progress {
  phase: 'warmup' | 'measuring' | 'draining';
  /** Seconds into the measured window. */
  elapsedSec: number;
  requests: number;
  errors: number;
  /** Completions in the last whole second. */
  rps: number;
  p99Ms: number | undefined;
}

export interface EngineContext {
  /** Aborting stops the load early; the result is then marked partial. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Folder for artifacts (raw tool output, scripts), created by the caller. */
  runDir?: string;
  /** Header values that change while the run lasts (a renewed token); see HeaderUpdates. */
  headerUpdates?: HeaderUpdates;
}

/**
 * New values for some request headers during a run, e.g. the Authorization of an Azure ML token
 * renewed before it expires. An engine that can apply them subscribes once the load starts and
 * unsubscribes when it ends; requests sent after an update carry the new values.
 */
export interface HeaderUpdates {
  subscribe(apply: (headers: Readonly<Record<string, string>>) => void): () => void;
}

/** Who sends the load: the builtin workers or an external program. One method, like Vegeta's Attacker. */
export interface LoadEngine {
  /** Throws a SettingsError for settings this engine cannot run as asked, before anything starts. */
  check?(settings: Settings): void;
  run(settings: Settings, context: EngineContext): Promise<RunResult>;
}

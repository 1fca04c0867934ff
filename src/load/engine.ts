import type { RunResult } from '../record/result.js';
import type { Settings } from '../settings/settings.js';

/** Live figures for the progress line, a few times a second. */
export interface Progress {
  phase: 'warmup' | 'measuring' | 'draining';
  /** Seconds into the measured window (0 during the warm-up, at most durationSec). */
  elapsedSec: number;
  /** The measured window's planned length, s. */
  durationSec?: number;
  /** The warm-up's length, s. */
  warmupSec?: number;
  /** During the warm-up: seconds of it done. */
  warmupElapsedSec?: number;
  /** Requests of the measured window answered or failed so far. */
  requests: number;
  errors: number;
  /** Completions (warm-up included) per second over the last second. */
  rps: number;
  /** Latency percentiles so far (of the seconds handed over), ms. */
  p50Ms?: number | undefined;
  p99Ms: number | undefined;
  /** Open-loop models: how late sends leave against their plan so far (p99), ms. */
  sendLagP99Ms?: number;
  /** Set for an external program, which reports nothing until it ends: only the time is known. */
  program?: string;
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
  /** Finds what the run needs (an external program), throwing its ToolError before the run is announced. */
  prepare?(settings: Settings): Promise<void>;
  run(settings: Settings, context: EngineContext): Promise<RunResult>;
}

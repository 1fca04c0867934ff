import type { RunResult } from '../record/result.js';
import type { Settings } from '../settings/settings.js';
import type { ToolRunFacts } from './tool-run.js';

/** What an adapter reads from the tool's output; externalRunResult adds the rest from the facts. */
export type ExternalFigures = Omit<RunResult, 'engine' | 'engineVersion' | 'startTime' | 'endTime' | 'artifacts' | 'partial'>;

/**
 * An external run's RunResult: the tool's figures, and from the facts the program's version, the
 * times, the kept files, the facts' notes after the tool's own and, for an interrupted run, the
 * partial mark (the verdict's warning comes from judgeProgramRun).
 */
export function externalRunResult(figures: ExternalFigures, facts: ToolRunFacts): RunResult {
  const result: RunResult = {
    engine: 'external',
    engineVersion: facts.engineVersion,
    startTime: facts.startTime,
    endTime: facts.endTime,
    ...figures,
    notes: [...figures.notes, ...(facts.notes ?? [])],
    artifacts: facts.artifacts,
  };
  if (facts.partial) result.partial = facts.partial;
  return result;
}

/** The note for a tool with no warm-up phase (wrk, LaBench): the warm-up asked for was not run. */
export function noWarmupNote(toolName: string, settings: Settings): string {
  return settings.warmupSec > 0
    ? `${toolName} has no warm-up phase: the ${settings.warmupSec} s warm-up was not run, and the figures include the start of the run.`
    : `${toolName} has no warm-up phase: the figures include the start of the run.`;
}

import { ERROR_KINDS, type ErrorKind, type RunResult } from '../record/result.js';
import type { Settings } from '../settings/settings.js';
import type { ToolRunFacts } from './tool-run.js';
import { PROBE_INTERVAL_MS, type LivenessRecord } from './liveness-probe.js';

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
  if (facts.service) result.service = facts.service;
  if (facts.liveness) result.notes.push(livenessNote(facts.liveness));
  return result;
}

/** The note for a tool with no warm-up phase (wrk, LaBench): the warm-up asked for was not run. */
export function noWarmupNote(toolName: string, settings: Settings): string {
  return settings.warmupSec > 0
    ? `${toolName} has no warm-up phase: the ${settings.warmupSec} s warm-up was not run, and the figures include the start of the run.`
    : `${toolName} has no warm-up phase: the figures include the start of the run.`;
}

/** What modelprof's own probe of the target did, apart from the program's requests. */
export function livenessNote(liveness: LivenessRecord): string {
  const failed = liveness.failed === 0 ? 'all connected' : `${liveness.failed} did not connect (${liveness.refused} refused)`;
  return `Availability comes from modelprof's own probe, a TCP connect to the target every ${PROBE_INTERVAL_MS} ms while the program ran (no request sent; not in the counts above): ${liveness.probes} probes, ${failed}.`;
}

/** What the tally of wrk or wrk2 needs to know of the run: whether the port refused, whether it was stopped early. */
export function toolRunOf(facts: ToolRunFacts): { portRefused: boolean; interrupted: boolean } {
  return { portRefused: (facts.liveness?.refused ?? 0) > 0, interrupted: facts.partial !== undefined };
}

/**
 * The RunResult of a program stopped before it printed anything (LaBench on a signal): no request
 * counts or latency, only the settings, the times, the kept files and modelprof's own probe of the
 * target, marked partial with why.
 */
export function stoppedRunResult(facts: ToolRunFacts): RunResult {
  const byKind = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, 0])) as Record<ErrorKind, number>;
  const reason = `${facts.settings.tool} printed no results when it was stopped: what it sent and measured is not known`;
  return externalRunResult(
    {
      measuredSeconds: (facts.endTime.getTime() - facts.startTime.getTime()) / 1000,
      warmup: { seconds: 0, requests: 0 },
      requests: { total: 0, ok: 0, errors: 0 },
      errors: { byKind, byStatus: {} },
      latency: {},
      timeline: [],
      validity: { valid: false, loadHeld: false, reasons: [reason], warnings: [`partial run: ${facts.partial ?? 'interrupted'}`], checks: { achievedRps: 0 } },
      notes: [],
    },
    facts,
  );
}

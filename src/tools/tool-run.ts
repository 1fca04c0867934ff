import { readFile, rm } from 'node:fs/promises';
import { InterruptedError } from '../core/errors.js';
import type { RunResult } from '../record/result.js';
import type { Settings, ToolName } from '../settings/settings.js';
import type { ToolRunContext } from './adapter.js';
import { artifactName, keepToolOutput } from './artifacts.js';
import type { FoundTool } from './discovery.js';
import { outcomeRemarks, parseToolOutput } from './tool-outcome.js';
import { runToolProcess } from './tool-process.js';
import { startLivenessProbe, type LivenessRecord } from './liveness-probe.js';

/** Beyond DURATION, time for the last answers (up to one timeout each way) and for printing. */
const SLACK_SEC = 30;

/** What an adapter knows besides the tool's output when it shapes the RunResult. */
export interface ToolRunFacts {
  settings: Settings;
  engineVersion: string;
  startTime: Date;
  endTime: Date;
  /** Kept files, as the report lists them. */
  artifacts: string[];
  /** Set when the run was interrupted. */
  partial?: string;
  /** About how the run ended, e.g. a non-zero exit after complete results. */
  notes?: string[];
  /** modelprof's own probe of the target while the program ran (see liveness-probe.ts). */
  liveness?: LivenessRecord;
  /** The probe's seconds over the sending window, for the outage rule. */
  service?: NonNullable<RunResult['service']>;
}

export interface ToolInvocation<T> {
  tool: ToolName;
  settings: Settings;
  context: ToolRunContext;
  found: FoundTool;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Files written for the run (script, config): kept as artifacts. */
  inputs: string[];
  /** Files the tool writes besides stdout (LaBench's .hgrm): removed before, read after, kept. */
  outputs?: string[];
  /** Reads stdout and the `outputs` (undefined where the tool wrote none); throws a ToolError when it cannot. */
  parse(stdout: string, outputs: (string | undefined)[]): T;
  /** Seconds the parsed figures cover, for the partial-run message. */
  seconds(output: T): number;
}

/**
 * Runs a prepared tool to its end, keeps everything it printed, and parses it. Failures become
 * the errors parseToolOutput describes; a parsed run comes back with the facts for its RunResult.
 */
export async function runTool<T>(invocation: ToolInvocation<T>): Promise<{ output: T; facts: ToolRunFacts }> {
  const { tool, settings, context, found, args } = invocation;
  const outputs = invocation.outputs ?? [];
  await Promise.all(outputs.map((path) => rm(path, { force: true })));
  const limitSec = settings.durationSec + 2 * settings.timeoutSec + SLACK_SEC;
  // The programs print no timeline: modelprof watches whether the target still listens.
  const probe = startLivenessProbe(settings.url);
  const outcome = await runToolProcess({
    tool,
    command: found.path,
    args,
    cwd: context.runDir,
    limitSec,
    ...(invocation.env ? { env: invocation.env } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  }).catch((error: unknown) => {
    probe.stop(Date.now());
    throw error;
  });
  const liveness = probe.stop(outcome.startTime.getTime());
  const windowSec = Math.min(settings.durationSec, (outcome.endTime.getTime() - outcome.startTime.getTime()) / 1000);
  const kept = await keepToolOutput(context.runDir, tool, [found.path, ...args], outcome);
  const written = await Promise.all(outputs.map((path) => readFile(path, 'utf8').catch(() => undefined)));
  const finished = { tool, settings, outcome, kept, limitSec };
  const keptFiles = kept.unkept === undefined ? [kept.commandPath, kept.stdoutPath, kept.stderrPath] : [];
  const files = [...invocation.inputs, ...keptFiles, ...outputs.filter((_, i) => written[i] !== undefined)];
  const facts = (remarks: { partial?: string; notes: string[] }): ToolRunFacts => ({
    settings,
    engineVersion: found.version,
    startTime: outcome.startTime,
    endTime: outcome.endTime,
    artifacts: files.map((path) => artifactName(settings.outputDir, path)),
    liveness,
    service: { seconds: liveness.seconds, windowSec, basis: 'probe' },
    notes: kept.unkept === undefined ? remarks.notes : [...remarks.notes, `${kept.unkept}; the figures were read from memory`],
    ...(remarks.partial ? { partial: remarks.partial } : {}),
  });
  let output: T;
  try {
    output = parseToolOutput(finished, () => invocation.parse(outcome.stdout, written));
  } catch (error) {
    // Stopped before it printed (LaBench prints nothing on a signal): the report keeps what modelprof knows.
    if (!(error instanceof InterruptedError) || !outcome.interrupted) throw error;
    const seconds = (outcome.endTime.getTime() - outcome.startTime.getTime()) / 1000;
    throw new ToolStoppedError(error.message, facts({ partial: `interrupted (Ctrl-C) after ${seconds.toFixed(1)} s; ${tool} prints no results when stopped, so no request count or latency is known`, notes: [] }));
  }
  return { output, facts: facts(outcomeRemarks(finished, invocation.seconds(output))) };
}

/** The program was stopped by the user before it printed any result; `facts` hold what modelprof itself knows. */
export class ToolStoppedError extends InterruptedError {
  constructor(
    message: string,
    readonly facts: ToolRunFacts,
  ) {
    super(message);
  }
}

import { InterruptedError, ModelprofError, TargetError, ToolError } from '../core/errors.js';
import { REDACTED, redactUrl } from '../core/redact.js';
import type { Settings, ToolName } from '../settings/settings.js';
import type { KeptOutput } from './artifacts.js';
import type { ToolProcessOutcome } from './tool-process.js';

/** Header values shorter than this would blank out ordinary words and are not worth hiding. */
const MIN_HIDDEN_LENGTH = 4;

/** A tool run that has ended, with its output already kept on disk. */
export interface FinishedTool {
  tool: ToolName;
  settings: Settings;
  outcome: ToolProcessOutcome;
  kept: KeptOutput;
  limitSec: number;
}

/**
 * Parses what a finished tool printed, or throws the error that says why it cannot be used:
 * the tool hung, was interrupted before printing results, failed (its first line quoted),
 * or printed something the parser does not recognise (the parser's message, naming the line).
 */
export function parseToolOutput<T>(run: FinishedTool, parse: () => T): T {
  const { tool, outcome, kept } = run;
  if (outcome.overran) {
    throw new ToolError(`${tool} did not finish within ${run.limitSec} s and was stopped; what it printed is in ${kept.stdoutPath}`);
  }
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    if (outcome.interrupted) {
      throw new InterruptedError(`${tool} was stopped (Ctrl-C) before it printed its results; what it printed is in ${kept.stdoutPath}`);
    }
    throw exitError(run) ?? new ToolError(`${redactToolText(error.message, run.settings)}; raw output kept in ${kept.stdoutPath}`);
  }
}

/** Notes and the partial marker for a run whose output parsed. */
export function outcomeRemarks(run: FinishedTool, measuredSeconds: number): { partial?: string; notes: string[] } {
  const { tool, outcome } = run;
  const notes: string[] = [];
  if (outcome.exitCode !== 0 && !outcome.interrupted) {
    notes.push(`${tool} ${describeEnd(outcome)} after printing complete results; its stderr is kept in ${run.kept.stderrPath}.`);
  }
  if (!outcome.interrupted) return { notes };
  return { partial: `interrupted (Ctrl-C) after ${measuredSeconds.toFixed(1)} s; the figures cover what ${tool} measured until then`, notes };
}

/** Tool output as it may be shown to the user: header values and the URL's query hidden. */
export function redactToolText(text: string, settings: Settings): string {
  let safe = text;
  for (const value of Object.values(settings.headers)) {
    if (value.length >= MIN_HIDDEN_LENGTH) safe = safe.split(value).join(REDACTED);
  }
  const query = settings.url.search;
  if (query.length > 1) safe = safe.split(query).join(new URL(redactUrl(settings.url)).search);
  return safe;
}

function exitError(run: FinishedTool): ModelprofError | undefined {
  const { tool, outcome } = run;
  if (outcome.exitCode === 0) return undefined;
  const first = firstLine(outcome.stderr) ?? firstLine(outcome.stdout);
  const said = first === undefined ? ' without printing anything' : `: ${JSON.stringify(redactToolText(first, run.settings))}`;
  const message = `${tool} ${describeEnd(outcome)}${said} (output kept in ${run.kept.stdoutPath} and ${run.kept.stderrPath})`;
  // wrk and wrk2 check the target once before starting and stop there when it refuses.
  return first !== undefined && /^unable to connect to /.test(first) ? new TargetError(message) : new ToolError(message);
}

function describeEnd(outcome: ToolProcessOutcome): string {
  return outcome.exitCode === null ? `was killed by ${outcome.exitSignal ?? 'a signal'}` : `exited with code ${outcome.exitCode}`;
}

function firstLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '');
}

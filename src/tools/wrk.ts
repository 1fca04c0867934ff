import { LATENCY_PERCENTILES, type LatencySummary, type RunResult } from '../record/result.js';
import type { Settings } from '../settings/settings.js';
import { judgeProgramRun } from '../judge/validity.js';
import type { ToolAdapter } from './adapter.js';
import { countsOfWrkFamily, wrkFamilyRemarks, wrkFamilyTally } from './error-counts.js';
import { externalRunResult, toolRunOf, noWarmupNote } from './external-result.js';
import { OutputLines } from './output-lines.js';
import { checkConnectionsPerThread, checkMethodReadable, commandLineUrl, wholeSecondsArgument } from './tool-arguments.js';
import { isCount, isJsonObject, parseToolJson } from './tool-json.js';
import type { ToolRunFacts } from './tool-run.js';
import { wrkFamilyAdapter } from './wrk-family-adapter.js';
import { readScriptCounts, WRK_RESULT_MARKER, type ScriptCounts } from './wrk-lua.js';
import { agreesWithShownTime, readWrkDistribution, readWrkHeader, readWrkThreadStats, readWrkTotals, type WrkShownPercent, type WrkSocketErrors } from './wrk-text.js';

/** What wrk printed, read from its text summary and the generated done() hook's JSON line. */
export interface WrkDoneOutput {
  threads: number;
  connections: number;
  runtimeSec: number;
  /** Every message wrk parsed as a complete answer, of any status (interim 1xx ones included). */
  requests: number;
  bytes: number;
  socketErrors: WrkSocketErrors;
  /** wrk's own count of answers with status > 399. */
  statusErrors: number;
  /** The script's counts: requests sent, answers per status, close-delimited answers. */
  script: ScriptCounts;
  /** Absent when wrk recorded no latency (no answer came within the timeout). */
  latency?: LatencySummary;
}

const SHOWN_PERCENTILE_NAMES: Record<WrkShownPercent, keyof LatencySummary> = { '50': 'p50', '75': 'p75', '90': 'p90', '99': 'p99' };

/**
 * Reads wrk's stdout when it ran the script from buildWrkScript(…, 'summary'). Every figure the
 * JSON line gives is checked against wrk's own text where the text shows it too, so an altered or
 * truncated output is a ToolError naming the line, never a wrong number.
 */
export function parseWrkDoneOutput(stdout: string): WrkDoneOutput {
  const lines = new OutputLines('wrk', 'stdout', stdout);
  const header = readWrkHeader(lines);
  const stats = readWrkThreadStats(lines);
  const shownPercentiles = readWrkDistribution(lines).map((row) => ({ ...row, name: SHOWN_PERCENTILE_NAMES[row.percent]! }));
  const totals = readWrkTotals(lines);
  const jsonLine = lines.nextLineNumber;
  const json = lines.expect(new RegExp(`^${WRK_RESULT_MARKER} (\\{.*\\})$`), `the ${WRK_RESULT_MARKER} line printed by modelprof's done() hook`);
  lines.expectEnd();

  const fail = (problem: string): Error => lines.unexpectedAt(jsonLine, problem);
  const result = readDoneJson(json[1]!, { threads: header.threads, requests: totals.requests, statusErrors: totals.statusErrors }, fail);
  for (const kind of ['connect', 'read', 'write', 'timeout'] as const) {
    if (result.errors[kind] !== totals.socketErrors[kind]) {
      throw fail(`it counts ${result.errors[kind]} ${kind} errors, wrk's summary ${totals.socketErrors[kind]}`);
    }
  }
  if (result.errors.status !== totals.statusErrors) throw fail(`it counts ${result.errors.status} status errors, wrk's summary ${totals.statusErrors}`);
  if (!agreesWithShownTime(result.durationUs / 1000, totals.runtimeShown)) {
    throw fail(`its duration ${result.durationUs} us does not match the ${totals.runtimeShown} in wrk's summary`);
  }

  const output: WrkDoneOutput = {
    threads: header.threads,
    connections: header.connections,
    runtimeSec: result.durationUs / 1e6,
    requests: totals.requests,
    bytes: result.bytes,
    socketErrors: totals.socketErrors,
    statusErrors: totals.statusErrors,
    script: result.script,
  };
  if (!result.latencyUs) return output;

  const latency = Object.fromEntries(Object.entries(result.latencyUs).map(([name, us]) => [name, us / 1000])) as LatencySummary;
  for (const [name, shown] of Object.entries(stats.latencyShown)) {
    if (!agreesWithShownTime(latency[name as keyof typeof stats.latencyShown]!, shown)) {
      throw lines.unexpectedAt(stats.latencyLine, `its ${name} does not match the ${result.latencyUs[name]} us of the ${WRK_RESULT_MARKER} line`);
    }
  }
  for (const { name, shown, line } of shownPercentiles) {
    if (!agreesWithShownTime(latency[name]!, shown)) {
      throw lines.unexpectedAt(line, `it does not match the ${result.latencyUs[name]} us of the ${WRK_RESULT_MARKER} line`);
    }
  }
  return { ...output, latency };
}

interface DoneJson {
  script: ScriptCounts;
  durationUs: number;
  bytes: number;
  errors: Record<'connect' | 'read' | 'write' | 'status' | 'timeout', number>;
  latencyUs: Record<string, number> | null;
}

function readDoneJson(text: string, summary: Parameters<typeof readScriptCounts>[1], fail: (problem: string) => Error): DoneJson {
  const object = (candidate: unknown, what: string): Record<string, unknown> => {
    if (!isJsonObject(candidate)) throw fail(`${what} is not an object`);
    return candidate;
  };
  const count = (candidate: unknown, what: string): number => {
    if (!isCount(candidate)) throw fail(`${what} is not a count`);
    return candidate;
  };
  const root = object(parseToolJson(text, fail), 'the line');
  const script = readScriptCounts(root, summary, fail);
  const errors = object(root['errors'], 'errors');
  let latencyUs: Record<string, number> | null = null;
  if (root['latencyUs'] !== null) {
    const latency = object(root['latencyUs'], 'latencyUs');
    latencyUs = {};
    for (const name of ['min', 'max', 'mean', 'stdev', ...LATENCY_PERCENTILES.map(({ key }) => key)]) {
      const us = latency[name];
      if (typeof us !== 'number' || !Number.isFinite(us) || us < 0) throw fail(`latencyUs.${name} is not a time`);
      latencyUs[name] = us;
    }
    // wrk's own statistics break when it takes interim (1xx) answers for final ones; they are not used then.
    const ordered = LATENCY_PERCENTILES.map(({ key }) => latencyUs![key]!);
    const interim = Object.keys(script.statuses).some((status) => Number(status) < 200);
    if (!interim && (ordered.some((us, i) => i > 0 && us < ordered[i - 1]!) || latencyUs['min']! > ordered[0]! || ordered.at(-1)! > latencyUs['max']!)) {
      throw fail('its latency percentiles are not in order');
    }
    if (interim) latencyUs = null;
  }
  return {
    script,
    durationUs: count(root['durationUs'], 'durationUs'),
    bytes: count(root['bytes'], 'bytes'),
    errors: {
      connect: count(errors['connect'], 'errors.connect'),
      read: count(errors['read'], 'errors.read'),
      write: count(errors['write'], 'errors.write'),
      status: count(errors['status'], 'errors.status'),
      timeout: count(errors['timeout'], 'errors.timeout'),
    },
    latencyUs,
  };
}

/**
 * Shapes wrk's figures into a RunResult, with requests counted as the target would count them
 * (see wrkFamilyTally): a read error that cost no request is not a request.
 */
export function wrkRunResult(output: WrkDoneOutput, facts: ToolRunFacts): RunResult {
  const { socketErrors } = output;
  const tally = wrkFamilyTally(countsOfWrkFamily('wrk', output, toolRunOf(facts)));
  const remarks = wrkFamilyRemarks('wrk', tally);
  const limits = [
    noWarmupNote('wrk', facts.settings),
    'wrk measures latency from the actual send (closed loop) and, before reporting, adds synthetic samples for answers slower than twice the mean cycle time (its stats_correct): its p99 under stalls is back-filled, not measured.',
  ];
  const notes = [
    'wrk gives no per-second timeline.',
    ...(socketErrors.connect > 0 ? ['wrk does not say why a connection failed: its connect errors are reported as connect_error.'] : []),
    ...(socketErrors.timeout > 0
      ? [`wrk counts an answer that came after the ${facts.settings.timeoutSec} s timeout as a timeout error and records no latency for it.`]
      : []),
    ...remarks.notes,
  ];
  const achievedRps = output.runtimeSec > 0 ? tally.answered / output.runtimeSec : 0;
  return externalRunResult(
    {
      measuredSeconds: output.runtimeSec,
      warmup: { seconds: 0, requests: 0 },
      requests: tally.requests,
      errors: tally.errors,
      latency: output.latency ?? {},
      timeline: [],
      validity: judgeProgramRun({
        tool: 'wrk',
        program: 'wrk',
        achievedRps,
        // A closed loop cannot fail to keep its plan; only a run that sent nothing says nothing.
        reasons: tally.requests.total > 0 ? [] : ['wrk sent no request'],
        warnings: remarks.warnings,
        ...(facts.partial ? { partial: facts.partial } : {}),
      }),
      notes,
      limits: [...limits, ...remarks.limits],
    },
    facts,
  );
}

/** wrk's command line: no secrets (headers and the query are in the script). */
export function wrkArguments(settings: Settings, scriptPath: string): string[] {
  checkConnectionsPerThread(settings);
  checkMethodReadable(settings);
  return [
    '--threads', String(settings.threads),
    '--connections', String(settings.connections),
    '--duration', wholeSecondsArgument('wrk', 'duration', settings.durationSec),
    '--timeout', wholeSecondsArgument('wrk', 'timeout', settings.timeoutSec),
    '--latency',
    '--script', scriptPath,
    commandLineUrl(settings),
  ];
}

export const wrkAdapter: ToolAdapter = wrkFamilyAdapter({
  tool: 'wrk',
  hook: 'summary',
  argumentsFor: wrkArguments,
  parse: parseWrkDoneOutput,
  toResult: wrkRunResult,
});

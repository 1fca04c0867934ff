import type { LatencySummary, RunResult } from '../record/result.js';
import type { Settings } from '../settings/settings.js';
import { judgeProgramRun } from '../judge/validity.js';
import type { ToolAdapter } from './adapter.js';
import { countsOfWrkFamily, wrkFamilyRemarks, wrkFamilyTally } from './error-counts.js';
import { externalRunResult, toolRunOf } from './external-result.js';
import { OutputLines } from './output-lines.js';
import { checkConnectionsPerThread, checkMethodReadable, commandLineUrl, wholeNumberArgument, wholeSecondsArgument } from './tool-arguments.js';
import { isJsonObject, parseToolJson } from './tool-json.js';
import type { ToolRunFacts } from './tool-run.js';
import { wrkFamilyAdapter } from './wrk-family-adapter.js';
import { readScriptCounts, WRK_RESULT_MARKER, type ScriptCounts } from './wrk-lua.js';
import { agreesWithShownTime, readWrkHeader, readWrkThreadStats, readWrkTotals, wrkTimeMs, type WrkSocketErrors } from './wrk-text.js';

/** wrk2 measures each thread's latency for this long, then throws that histogram away (CALIBRATE_DELAY_MS). */
const CALIBRATION_SEC = 10;
/** ...plus 5 ms per connection of the thread, by which it staggers its connects. */
const CONNECT_STAGGER_SEC = 0.005;
/** A run shorter than this leaves under 10 s of latency after calibration. */
const SHORTEST_GOOD_DURATION_SEC = 2 * CALIBRATION_SEC;
/**
 * wrk2 counts only completed requests, so requests still in flight at the end (rate × latency)
 * are missing from the achieved rate: 1% leaves room for that and still flags a run whose
 * connections or target could not keep the planned rate (wrk2 catches up at twice the rate,
 * so a lasting shortfall means it could not).
 */

const SHOWN_PERCENTS = ['50.000', '75.000', '90.000', '99.000', '99.900', '99.990', '99.999', '100.000'] as const;
const CORRECTED_TITLE = 'Recorded Latency';
const UNCORRECTED_TITLE = 'Uncorrected Latency (measured without taking delayed starts into account)';

export interface Wrk2SpectrumRow {
  ms: number;
  percentile: number;
  totalCount: number;
}

/** One of wrk2's HdrHistogram printouts: the short distribution and the detailed spectrum. */
export interface Wrk2Histogram {
  /**
   * The "Latency Distribution" rows: wrk2's own value at exactly these percentiles. Printed with 2
   * decimals; the spectrum's 3-decimal figure replaces the printed one where the two agree.
   * Empty when the histogram holds nothing.
   */
  shown: { percent: number; ms: number }[];
  /** The "Detailed Percentile spectrum" rows, in ms with 3 decimals; the last is at 1.000000 ("inf"). */
  spectrum: Wrk2SpectrumRow[];
  /** Absent when nothing was recorded (wrk2 prints -nan). */
  meanMs?: number;
  stdevMs?: number;
  maxMs: number;
  totalCount: number;
}

export interface Wrk2Text {
  threads: number;
  connections: number;
  /** One per thread that finished its ~10 s calibration. */
  calibrations: { meanLatencyMs: number; samplingIntervalMs: number }[];
  /** Latency from each request's planned start (coordinated omission corrected); needs --latency. */
  corrected?: Wrk2Histogram;
  /** Latency from the actual send; needs -U. */
  uncorrected?: Wrk2Histogram;
  /** Every message wrk2 parsed as a complete answer, over the whole run (calibration and interim 1xx included). */
  requests: number;
  runtimeSec: number;
  socketErrors: WrkSocketErrors;
  /** wrk2's own count of answers with status > 399. */
  statusErrors: number;
}

/** wrk2's text and the generated script's counts (requests sent, answers per status). */
export interface Wrk2Output extends Wrk2Text {
  script: ScriptCounts;
}

/**
 * Reads wrk2's stdout as modelprof runs it: wrk2's own text, then the MODELPROF_WRK_RESULT line of
 * the generated script. The distribution rows are checked against the spectrum, the spectrum
 * against its own totals, Requests/sec against the count, the script's counts against wrk2's: a
 * truncated or altered output is a ToolError that names the line, never a wrong number.
 */
export function parseWrk2Output(stdout: string): Wrk2Output {
  const lines = new OutputLines('wrk2', 'stdout', stdout);
  const text = readWrk2Text(lines);
  const jsonLine = lines.nextLineNumber;
  const json = lines.expect(new RegExp(`^${WRK_RESULT_MARKER} (\\{.*\\})$`), `the ${WRK_RESULT_MARKER} line printed by modelprof's done() hook`);
  lines.expectEnd();
  const fail = (problem: string): Error => lines.unexpectedAt(jsonLine, problem);
  const root = parseToolJson(json[1]!, fail);
  if (!isJsonObject(root)) throw fail('it is not a JSON object');
  return { ...text, script: readScriptCounts(root, text, fail) };
}

/** Reads wrk2's own text, as wrk2 prints it without a script (nothing may follow it). */
export function parseWrk2Text(stdout: string): Wrk2Text {
  const lines = new OutputLines('wrk2', 'stdout', stdout);
  const text = readWrk2Text(lines);
  lines.expectEnd();
  return text;
}

function readWrk2Text(lines: OutputLines): Wrk2Text {
  const header = readWrkHeader(lines);
  const calibrations = lines
    .acceptAll(/^ {2}Thread calibration: mean lat\.: (\d+\.\d+)ms, rate sampling interval: (\d+)ms$/)
    .map((match) => ({ meanLatencyMs: Number(match[1]), samplingIntervalMs: Number(match[2]) }));
  if (calibrations.length > header.threads) {
    throw lines.unexpectedAt(lines.nextLineNumber - 1, `${calibrations.length} calibration lines for ${header.threads} threads`);
  }
  const stats = readWrkThreadStats(lines);
  const corrected = lines.accept(titleLine(CORRECTED_TITLE)) ? readHistogram(lines, CORRECTED_TITLE) : undefined;
  let uncorrected: Wrk2Histogram | undefined;
  if (lines.accept(/^\s*$/)) {
    lines.expect(titleLine(UNCORRECTED_TITLE), `the "${UNCORRECTED_TITLE}" distribution`);
    uncorrected = readHistogram(lines, UNCORRECTED_TITLE);
  }
  const totals = readWrkTotals(lines);

  if (corrected && uncorrected && corrected.totalCount !== uncorrected.totalCount) {
    throw lines.unexpectedAt(totals.requestsLine, `the corrected histogram holds ${corrected.totalCount} values, the uncorrected ${uncorrected.totalCount}`);
  }
  if (corrected && corrected.totalCount > 0 && !agreesWithShownTime(corrected.maxMs, stats.latencyShown.max)) {
    throw lines.unexpectedAt(stats.latencyLine, `its Max does not match the histogram's ${corrected.maxMs} ms`);
  }
  return {
    threads: header.threads,
    connections: header.connections,
    calibrations,
    requests: totals.requests,
    runtimeSec: totals.runtimeSec,
    socketErrors: totals.socketErrors,
    statusErrors: totals.statusErrors,
    ...(corrected ? { corrected } : {}),
    ...(uncorrected ? { uncorrected } : {}),
  };
}

function titleLine(title: string): RegExp {
  return new RegExp(`^ {2}Latency Distribution \\(HdrHistogram - ${title.replace(/[()]/g, '\\$&')}\\)$`);
}

function readHistogram(lines: OutputLines, title: string): Wrk2Histogram {
  const shownRows: { percent: number; shown: string; line: number }[] = [];
  for (const percent of SHOWN_PERCENTS) {
    const line = lines.nextLineNumber;
    const row = lines.expect(new RegExp(`^ ?${percent.replace('.', '\\.')}%\\s+(\\S+)\\s*$`), `the ${percent}% row of the ${title} distribution`);
    shownRows.push({ percent: Number(percent), shown: row[1]!, line });
  }
  lines.expect(/^\s*$/, 'a blank line before the spectrum');
  lines.expect(/^ {2}Detailed Percentile spectrum:$/, `the "Detailed Percentile spectrum" of the ${title} distribution`);
  lines.expect(/^\s+Value\s+Percentile\s+TotalCount 1\/\(1-Percentile\)$/, 'the spectrum column header');
  lines.expect(/^\s*$/, 'a blank line after the spectrum header');
  const firstRowLine = lines.nextLineNumber;
  const spectrum = lines
    .acceptAll(/^\s+(\d+\.\d{3})\s+(\d\.\d{6})\s+(\d+)\s+(?:\d+\.\d\d|inf)$/)
    .map((match) => ({ ms: Number(match[1]), percentile: Number(match[2]), totalCount: Number(match[3]), inf: match[0].endsWith('inf') }));
  const lastRowLine = lines.nextLineNumber - 1;
  const meanLine = lines.expect(/^#\[Mean\s+=\s+(-?nan|\d+\.\d{3}), StdDeviation\s+=\s+(-?nan|\d+\.\d{3})\]$/, 'the spectrum\'s "#[Mean = …]" line');
  const maxLine = lines.nextLineNumber;
  const max = lines.expect(/^#\[Max\s+=\s+(\d+\.\d{3}), Total count\s+=\s+(\d+)\]$/, 'the spectrum\'s "#[Max = …, Total count = …]" line');
  lines.expect(/^#\[Buckets\s+=\s+\d+, SubBuckets\s+=\s+\d+\]$/, 'the spectrum\'s "#[Buckets = …]" line');
  lines.expect(/^-{58}$/, 'the dashed line that closes the histogram');

  const totalCount = Number(max[2]);
  const last = spectrum.at(-1);
  if (!last || !last.inf || last.percentile !== 1) {
    throw lines.unexpectedAt(lastRowLine, 'the spectrum must end with a row at percentile 1.000000 marked "inf"');
  }
  spectrum.forEach((row, i) => {
    const previous = spectrum[i - 1];
    const outOfOrder = previous && (row.ms < previous.ms || row.percentile < previous.percentile || row.totalCount < previous.totalCount);
    if (outOfOrder || (row.inf && i < spectrum.length - 1)) throw lines.unexpectedAt(firstRowLine + i, 'the spectrum rows are not in order');
  });
  if (last.totalCount !== totalCount) throw lines.unexpectedAt(maxLine, `the spectrum ends at count ${last.totalCount}, not ${totalCount}`);

  const histogram: Wrk2Histogram = {
    shown: [],
    spectrum: spectrum.map(({ ms, percentile, totalCount: count }) => ({ ms, percentile, totalCount: count })),
    maxMs: Number(max[1]),
    totalCount,
  };
  if (totalCount === 0) return histogram;
  if (meanLine[1]!.endsWith('nan') || meanLine[2]!.endsWith('nan')) throw lines.unexpectedAt(maxLine - 1, `no mean for ${totalCount} values`);
  histogram.meanMs = Number(meanLine[1]);
  histogram.stdevMs = Number(meanLine[2]);
  histogram.shown = shownRows.map((row) => {
    // HdrHistogram's value at a percentile is the first bucket whose cumulative count reaches
    // round(percentile × total): it lies between the spectrum rows around that count.
    const needed = Math.max(1, Math.floor((row.percent / 100) * totalCount + 0.5));
    const below = spectrum.filter((r) => r.totalCount < needed).at(-1)?.ms ?? 0;
    const above = spectrum.find((r) => r.totalCount >= needed)!.ms;
    // The spectrum has 3 decimals in ms, the printed row 2 in its unit: take the finer figure where they agree.
    if (agreesWithShownTime(above, row.shown)) return { percent: row.percent, ms: above };
    const ms = wrkTimeMs(row.shown);
    if (ms === undefined || !(agreesWithShownTime(below, row.shown) || (ms >= below && ms <= above))) {
      throw lines.unexpectedAt(row.line, `it is not between the spectrum's ${below} ms and ${above} ms for that percentile`);
    }
    return { percent: row.percent, ms };
  });
  return histogram;
}

/** A latency summary from one histogram; empty when it holds nothing. */
export function wrk2Latency(histogram: Wrk2Histogram | undefined): LatencySummary {
  if (!histogram || histogram.totalCount === 0) return {};
  const atPercentile = (percentile: number): number | undefined => histogram.spectrum.find((row) => row.percentile === percentile)?.ms;
  const shown = (percent: number): number | undefined => histogram.shown.find((row) => row.percent === percent)?.ms;
  const summary: LatencySummary = {
    min: histogram.spectrum[0]!.ms,
    p50: atPercentile(0.5) ?? shown(50),
    p75: atPercentile(0.75) ?? shown(75),
    p90: atPercentile(0.9) ?? shown(90),
    p95: atPercentile(0.95),
    p99: shown(99),
    p999: shown(99.9),
    p9999: shown(99.99),
    max: histogram.maxMs,
  };
  if (histogram.meanMs !== undefined) summary.mean = histogram.meanMs;
  if (histogram.stdevMs !== undefined) summary.stdev = histogram.stdevMs;
  // Spectrum rows are bucket upper edges and may pass the exact maximum; no percentile can.
  return Object.fromEntries(
    Object.entries(summary)
      .filter(([, ms]) => ms !== undefined)
      .map(([name, ms]) => [name, name === 'mean' || name === 'stdev' ? ms : Math.min(ms!, histogram.maxMs)]),
  ) as LatencySummary;
}

/** The warning for a DURATION too short for wrk2's calibration, if it is. */
export function wrk2DurationWarning(durationSec: number): string | undefined {
  if (durationSec >= SHORTEST_GOOD_DURATION_SEC) return undefined;
  if (durationSec <= CALIBRATION_SEC) {
    return `DURATION ${durationSec} s is too short for wrk2: it ends before its ~${CALIBRATION_SEC} s calibration, so its latency covers the whole run including start-up; run ${SHORTEST_GOOD_DURATION_SEC + CALIBRATION_SEC} s or more.`;
  }
  return `DURATION ${durationSec} s is short for wrk2: after its ~${CALIBRATION_SEC} s calibration only about ${durationSec - CALIBRATION_SEC} s of latency is measured; run ${SHORTEST_GOOD_DURATION_SEC + CALIBRATION_SEC} s or more.`;
}

/**
 * Shapes wrk2's figures into a RunResult. wrk2 does not split its counts at calibration, so
 * requests, errors and throughput cover the whole run while latency covers what followed the
 * calibration; warmup says how many answers that left out of the latency.
 */
export function wrk2RunResult(output: Wrk2Output, facts: ToolRunFacts): RunResult {
  const { settings } = facts;
  const { socketErrors } = output;
  const tally = wrkFamilyTally(countsOfWrkFamily('wrk2', output, toolRunOf(facts)));
  const remarks = wrkFamilyRemarks('wrk2', tally);
  const recorded = output.corrected?.totalCount ?? 0;
  const calibrated = output.calibrations.length > 0;
  const calibrationSec = CALIBRATION_SEC + (output.connections / output.threads) * CONNECT_STAGGER_SEC;
  const achievedRps = output.runtimeSec > 0 ? tally.answered / output.runtimeSec : 0;

  const reasons: string[] = [];
  const warnings: string[] = [...remarks.warnings];
  if (tally.requests.total === 0) reasons.push('wrk2 sent no request');
  // Answers that all came during calibration leave nothing measured; no answer at all is the target's failure.
  else if (recorded === 0 && tally.answered > 0) {
    reasons.push(
      calibrated
        ? `wrk2 recorded no latency after its ~${CALIBRATION_SEC} s calibration: no request completed in the measured part of the run`
        : 'wrk2 recorded no latency: no request completed',
    );
  }
  const durationWarning = wrk2DurationWarning(settings.durationSec);
  if (durationWarning) warnings.push(durationWarning);

  const limits = [
    calibrated
      ? `wrk2 calibrates for its first ~${CALIBRATION_SEC} s and keeps no latency from it: latency covers the ${recorded} answers after calibration, while request and error counts and throughput cover the whole ${output.runtimeSec.toFixed(2)} s run, including the ${Math.max(0, tally.answered - recorded)} answers during calibration (warmup.requests), because wrk2 does not split them.`
      : 'wrk2 ended before its calibration, so its latency covers the whole run, start-up included.',
    ...(settings.warmupSec > 0 ? [`wrk2 has no warm-up of its own besides calibration: the ${settings.warmupSec} s warm-up was not run.`] : []),
    // usec_to_next_send: round(us / 1000 + 0.5) ms, so every send waits up to ~1 ms past its plan.
    'wrk2 sleeps in whole milliseconds, rounded up: its corrected latency includes up to ~1 ms of its own send delay.',
  ];
  const notes = [
    'latency is wrk2\'s corrected latency (from each request\'s planned start); latencyUncorrected is from the actual send.',
    'wrk2 gives no per-second timeline.',
    ...(socketErrors.timeout > 0
      ? [`wrk2 reported ${socketErrors.timeout} timeouts: connections found waiting longer than ${settings.timeoutSec} s at its checks every 2 s, not requests; a late answer is still counted and recorded, so they are not errors here.`]
      : []),
    ...remarks.notes,
    ...(durationWarning ? [durationWarning] : []),
  ];
  return externalRunResult(
    {
      measuredSeconds: output.runtimeSec,
      // The calibration is left out of wrk2's latency only: its counts, and so the throughput, cover the whole run.
      warmup: calibrated ? { seconds: calibrationSec, requests: Math.max(0, tally.answered - recorded), excluded: 'latency' } : { seconds: 0, requests: 0 },
      requests: tally.requests,
      errors: tally.errors,
      latency: wrk2Latency(output.corrected),
      ...(output.uncorrected ? { latencyUncorrected: wrk2Latency(output.uncorrected) } : {}),
      timeline: [],
      validity: judgeProgramRun({ tool: 'wrk2', program: 'wrk2', achievedRps, targetRps: settings.rate, reasons, warnings, ...(facts.partial ? { partial: facts.partial } : {}) }),
      notes,
      limits: [...limits, ...remarks.limits],
    },
    facts,
  );
}

/** wrk2's command line: no secrets (headers and the query are in the script). */
export function wrk2Arguments(settings: Settings, scriptPath: string): string[] {
  checkConnectionsPerThread(settings);
  checkMethodReadable(settings);
  return [
    '--threads', String(settings.threads),
    '--connections', String(settings.connections),
    '--duration', wholeSecondsArgument('wrk2', 'duration', settings.durationSec),
    '--timeout', wholeSecondsArgument('wrk2', 'timeout', settings.timeoutSec),
    '--rate', String(wholeNumberArgument('wrk2', 'rate', settings.rate)),
    '--latency',
    '--u_latency',
    '--script', scriptPath,
    commandLineUrl(settings),
  ];
}

export const wrk2Adapter: ToolAdapter = wrkFamilyAdapter({
  tool: 'wrk2',
  hook: 'statuses',
  argumentsFor: wrk2Arguments,
  parse: parseWrk2Output,
  toResult: wrk2RunResult,
});

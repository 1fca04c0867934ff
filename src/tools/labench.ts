import { join } from 'node:path';
import { ToolError } from '../core/errors.js';
import { LATENCY_PERCENTILES, type ErrorKind, type LatencySummary, type RunResult } from '../record/result.js';
import { judgeProgramRun } from '../judge/validity.js';
import type { Settings } from '../settings/settings.js';
import type { ToolAdapter, ToolRunContext } from './adapter.js';
import { writePrivateFile } from './artifacts.js';
import { discoverLabench, requireTool } from './discovery.js';
import { buildLabenchConfig, DOLLAR_VARIABLE } from './labench-config.js';
import { zeroErrorKinds } from './error-counts.js';
import { externalRunResult, noWarmupNote } from './external-result.js';
import { OutputLines } from './output-lines.js';
import { isCount, isJsonObject, parseToolJson } from './tool-json.js';
import { runTool, type ToolRunFacts } from './tool-run.js';
import { toolEnvironment } from './tool-secrets.js';

const TABLE_BORDER = /^\+[-+]+\+$/;
const METRIC_ROWS = [
  'Total Requests',
  'Successful Requests',
  'Failed Requests',
  'Time Elapsed (sec)',
  'Request Rate (req/sec)',
  'Throughput (req/sec)',
  'AvgRequestTime (ms)',
  'Timely Ticks',
  'Timely Sends',
] as const;

export interface LabenchOutput {
  ticks: { total: number; timely: number; missed: number };
  sends: { total: number; timely: number; late: number };
  requestRate: number;
  clients: number;
  successTotal: number;
  errorTotal: number;
  elapsedSec: number;
  throughput: number;
  /** Failures as LaBench words them (Go error texts) -> count. */
  errors: Record<string, number>;
  /** The percentile file: latency of successful requests in ms at each listed percentile (0..1). */
  percentiles: { percentile: number; ms: number }[];
}

/**
 * Reads LaBench's stdout (run with OutputJSON true) and its .hgrm percentile file. The JSON line
 * is the source; the ticks and sends lines, the Errors list, the summary line and both tables must
 * agree with it, so a truncated or altered output is a ToolError naming the line.
 */
export function parseLabenchOutput(stdout: string, hgrm: string): LabenchOutput {
  const lines = new OutputLines('labench', 'stdout', stdout);
  lines.expect(/^timeStart = .+$/, 'a first line like "timeStart = 2026-11-24 00:03:11 +0000 UTC"');
  lines.expect(/^Protocol: \S+$/, 'a line like "Protocol: HTTP/1.1"');
  lines.accept(/^Clients: \d+$/);
  lines.expect(/^ExpectedInterval = \S+, Detected OS timer resolution = \S+$/, 'the "ExpectedInterval = …" line');
  lines.accept(/^WARNING! Detected OS timer resolution may not be sufficient for desired request rate$/);
  lines.expect(/^Using (?:sleeping|tight) ticker$/, 'a line like "Using sleeping ticker"');
  const ticksLine = lines.nextLineNumber;
  const ticks = lines.expect(/^Ticks=(\d+), TimelyTicks = (\d+), MissedTicks = (\d+), (?:\d+\.\d\d|NaN)% good$/, 'the "Ticks=…" line');
  const sendsLine = lines.nextLineNumber;
  const sends = lines.expect(/^Sends=(\d+), TimelySends = (\d+), LateSends\s+= (\d+), (?:\d+\.\d\d|NaN)% good$/, 'the "Sends=…" line');
  const listed: Record<string, number> = {};
  let errorsLine = 0;
  if (lines.accept(/^$/)) {
    errorsLine = lines.nextLineNumber;
    lines.expect(/^Errors:$/, 'the "Errors:" list');
    for (const row of lines.acceptAll(/^(\d+) = (.+)$/)) listed[row[2]!] = (listed[row[2]!] ?? 0) + Number(row[1]);
    lines.expect(/^$/, 'a blank line after the Errors list');
  }
  lines.expect(/^timeEnd\s+= .+$/, 'the "timeEnd = …" line');
  lines.expect(/^$/, 'a blank line before the summary');
  const summaryLine = lines.nextLineNumber;
  const summary = lines.expect(
    /^\{SuccessRate: [\d.]+%, Throughput: [\d.]+ req\/s, AvgRequestTime: [\d.]+ ms, Connections: (\d+), RequestRate: (\d+), RequestTotal: (\d+), SuccessTotal: (\d+), ErrorTotal: (\d+), TimeElapsed: (\S+)\}$/,
    'the "{SuccessRate: …}" summary line',
  );
  lines.expect(/^$/, 'a blank line before the JSON');
  const jsonLine = lines.nextLineNumber;
  const json = lines.expect(/^Json Output: (\{.*\})$/, 'the "Json Output: {…}" line (modelprof runs LaBench with OutputJSON: true)');
  lines.expect(/^$/, 'a blank line before the metrics table');
  const metrics = readTable(lines, 'METRIC');
  let tabledErrors: { total: number; line: number } | undefined;
  if (lines.accept(/^$/)) {
    const line = lines.nextLineNumber;
    const rows = readTable(lines, 'ERROR');
    tabledErrors = { total: rows.reduce((sum, row) => sum + row.absolute, 0), line };
  }
  lines.expectEnd();

  const fail = (line: number, problem: string): Error => lines.unexpectedAt(line, problem);
  const result = readLabenchJson(json[1]!, (problem) => fail(jsonLine, problem));
  const total = result.successTotal + result.errorTotal;
  const output: LabenchOutput = {
    ticks: ticksUnstored(ticks) ? ticksFromJson(result) : { total: Number(ticks[1]), timely: Number(ticks[2]), missed: Number(ticks[3]) },
    sends: { total: Number(sends[1]), timely: Number(sends[2]), late: Number(sends[3]) },
    requestRate: result.requestRate,
    clients: result.connections,
    successTotal: result.successTotal,
    errorTotal: result.errorTotal,
    elapsedSec: result.elapsedNs / 1e9,
    throughput: result.throughput,
    errors: result.errors,
    percentiles: [],
  };
  if (output.ticks.timely + output.ticks.missed !== output.ticks.total || output.ticks.timely !== result.ticksTimely) {
    throw fail(ticksLine, `it does not match the JSON's TicksTimely ${result.ticksTimely}`);
  }
  if (output.sends.timely + output.sends.late !== output.sends.total || output.sends.timely !== result.sendsTimely || output.sends.total !== total) {
    throw fail(sendsLine, `it does not match the JSON's SendsTimely ${result.sendsTimely} and ${total} requests`);
  }
  const summaryFigures = [Number(summary[1]), Number(summary[2]), Number(summary[3]), Number(summary[4]), Number(summary[5])];
  const jsonFigures = [result.connections, Math.round(result.requestRate), total, result.successTotal, result.errorTotal];
  const elapsed = goDurationSeconds(summary[6]!);
  if (summaryFigures.some((figure, i) => figure !== jsonFigures[i]) || elapsed === undefined || Math.abs(elapsed - output.elapsedSec) > 1e-6) {
    throw fail(summaryLine, 'it does not match the JSON line');
  }
  const listedTotal = Object.values(listed).reduce((a, b) => a + b, 0);
  const sameErrors =
    Object.keys(listed).length === Object.keys(result.errors).length && Object.entries(listed).every(([text, count]) => result.errors[text] === count);
  if (!sameErrors || listedTotal !== result.errorTotal) {
    throw fail(errorsLine || sendsLine, `the Errors list (${listedTotal}) does not match the JSON's ${result.errorTotal} errors`);
  }
  if (tabledErrors ? tabledErrors.total !== result.errorTotal : result.errorTotal > 0) {
    throw fail(tabledErrors?.line ?? lines.nextLineNumber - 1, `the ERROR table does not add up to the JSON's ${result.errorTotal} errors`);
  }
  const expectedMetrics: Record<string, number> = {
    'Total Requests': total,
    'Successful Requests': result.successTotal,
    'Failed Requests': result.errorTotal,
    'Timely Ticks': result.ticksTimely,
    'Timely Sends': result.sendsTimely,
  };
  for (const name of METRIC_ROWS) {
    const row = metrics.find((candidate) => candidate.name === name);
    if (!row) throw fail(lines.nextLineNumber - 1, `the METRIC table has no "${name}" row`);
    const expected = expectedMetrics[name];
    if (expected !== undefined && row.absolute !== expected) throw fail(row.line, `it does not match the JSON's ${expected}`);
  }
  output.percentiles = parsePercentileFile(hgrm);
  return output;
}

/**
 * LaBench prints its ticks line as soon as its workers finish, while its ticker goroutine stores
 * its counts only after closing the tick channel that ends them (bench.go, tickerFunc): a busy
 * machine can run the print first, which then reads "Ticks=0, TimelyTicks = 0, MissedTicks = 0,
 * NaN% good" however many ticks there were. The JSON, built later, has them.
 */
function ticksUnstored(line: RegExpMatchArray): boolean {
  return line[1] === '0' && line[2] === '0' && line[3] === '0' && / NaN% good$/.test(line[0]);
}

/** The ticks from the JSON: TicksTimely, and the total from TicksTimelyRatio (percent of all ticks). */
function ticksFromJson(json: LabenchJson): LabenchOutput['ticks'] {
  const total = json.ticksTimelyRatio > 0 ? Math.round((json.ticksTimely * 100) / json.ticksTimelyRatio) : json.ticksTimely;
  return { total, timely: json.ticksTimely, missed: total - json.ticksTimely };
}

interface LabenchJson {
  connections: number;
  requestRate: number;
  successTotal: number;
  errorTotal: number;
  elapsedNs: number;
  throughput: number;
  errors: Record<string, number>;
  ticksTimely: number;
  /** Timely ticks as a percentage of all ticks. */
  ticksTimelyRatio: number;
  sendsTimely: number;
}

function readLabenchJson(text: string, fail: (problem: string) => Error): LabenchJson {
  const root = parseToolJson(text, fail);
  if (!isJsonObject(root)) throw fail('it is not a JSON object');
  const count = (name: string): number => {
    const figure = root[name];
    if (!isCount(figure)) throw fail(`${name} is not a count`);
    return figure;
  };
  const rate = (name: string): number => {
    const figure = root[name];
    if (typeof figure !== 'number' || !Number.isFinite(figure) || figure < 0) throw fail(`${name} is not a number`);
    return figure;
  };
  const errors = root['Errors'];
  if (!isJsonObject(errors)) throw fail('Errors is not an object');
  for (const [text, n] of Object.entries(errors)) {
    if (!isCount(n)) throw fail(`the count of "${text.slice(0, 60)}" is not a count`);
  }
  return {
    connections: count('Connections'),
    requestRate: rate('RequestRate'),
    successTotal: count('SuccessTotal'),
    errorTotal: count('ErrorTotal'),
    elapsedNs: count('TimeElapsed'),
    throughput: rate('Throughput'),
    errors: errors as Record<string, number>,
    ticksTimely: count('TicksTimely'),
    ticksTimelyRatio: rate('TicksTimelyRatio'),
    sendsTimely: count('SendsTimely'),
  };
}

/**
 * A tablewriter table: border, header row whose first column is `first`, border, rows, border.
 * A wrapped cell continues on rows whose count is empty; those rows are not returned.
 */
function readTable(lines: OutputLines, first: string): { name: string; absolute: number; line: number }[] {
  const border = lines.expect(TABLE_BORDER, `the ${first} table`)[0];
  // tablewriter draws every border of a table alike, so a cut one shows.
  const sameBorder = new RegExp(`^${border.replace(/[+]/g, '\\+')}$`);
  lines.expect(new RegExp(`^\\|\\s+${first}\\s+\\|\\s+ABSOLUTE\\s+\\|\\s+PERCENTAGE %\\s+\\|$`), `the ${first} table's header`);
  lines.expect(sameBorder, `the border under the ${first} table's header`);
  const rows: { name: string; absolute: number; line: number }[] = [];
  for (;;) {
    const line = lines.nextLineNumber;
    const row = lines.accept(/^\| (.*?)\s+\|\s+(\d+(?:\.\d+)?)?\s+\|\s+(?:\d+\.\d\d)?\s+\|$/);
    if (!row) break;
    if (row[2] !== undefined) rows.push({ name: row[1]!.trim(), absolute: Number(row[2]), line });
  }
  lines.expect(sameBorder, `the border that closes the ${first} table`);
  return rows;
}

/** LaBench's .hgrm file: a header, a blank line, then "value percentile 0 1/(1-percentile)" rows ending at +Inf. */
export function parsePercentileFile(hgrm: string): { percentile: number; ms: number }[] {
  const lines = new OutputLines('labench', 'percentile file', hgrm);
  lines.expect(/^Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)$/, 'the header "Value    Percentile    TotalCount    1/(1-Percentile)"');
  lines.expect(/^$/, 'a blank line after the header');
  const firstLine = lines.nextLineNumber;
  const rows = lines.acceptAll(/^(\d+\.\d{6})\s+(\d\.\d{6})\s+\d+\s+(\d+\.\d{6}|\+Inf)$/);
  lines.expectEnd();
  const percentiles = rows.map((row) => ({ ms: Number(row[1]), percentile: Number(row[2]), inf: row[3] === '+Inf' }));
  const last = percentiles.at(-1);
  if (!last || !last.inf || last.percentile !== 1 || percentiles[0]!.percentile !== 0) {
    throw lines.unexpectedAt(firstLine + Math.max(0, percentiles.length - 1), 'the rows must run from percentile 0.000000 to a last row at 1.000000 marked +Inf');
  }
  percentiles.forEach((row, i) => {
    const previous = percentiles[i - 1];
    if ((previous && (row.percentile <= previous.percentile || row.ms < previous.ms)) || (row.inf && i < percentiles.length - 1)) {
      throw lines.unexpectedAt(firstLine + i, 'the rows are not in order');
    }
  });
  return percentiles.map(({ percentile, ms }) => ({ percentile, ms }));
}

/** Go's time.Duration.String(), e.g. "5.00003473s", "1m0.5s", "950ms", in seconds. */
function goDurationSeconds(text: string): number | undefined {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };
  if (text === '0s') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce((seconds, part) => seconds + Number(part[1]) * units[part[2]!]!, 0);
}

/** How a LaBench failure text (a Go error) maps onto modelprof's error kinds. */
export function labenchErrorKind(text: string): { kind: ErrorKind; status?: string } {
  const status = /^Expected \d+ got (\d+)$/.exec(text);
  if (status) return { kind: 'http_status', status: status[1]! };
  if (/connection refused/i.test(text)) return { kind: 'connect_refused' };
  if (/Client\.Timeout exceeded|context deadline exceeded|timeout awaiting response headers|i\/o timeout/i.test(text)) return { kind: 'timeout' };
  // Go's errServerClosedIdle: the server closed the idle connection as the request was written to it.
  if (/server closed idle connection/i.test(text)) return { kind: 'reuse_race' };
  if (/connection reset by peer|broken pipe|(?:^|: )(?:unexpected )?EOF$/i.test(text)) return { kind: 'connection_reset' };
  if (/\bdial tcp\b|no such host/i.test(text)) return { kind: 'connect_error' };
  // Go refusing the answer's framing: malformed, conflicting lengths, a coding it does not read.
  if (/malformed HTTP|transport connection broken: (?:http: message cannot contain multiple Content-Length|unsupported transfer encoding)/i.test(text)) {
    return { kind: 'protocol' };
  }
  return { kind: 'other' };
}

/**
 * LaBench latency from its percentile file. Its file lists percentiles on a logarithmic scale
 * (…, 99.0625%, …, 99.9023%, …): a percentile it does not list is read at the first listed one
 * above it, which can only overstate it. Returns which listed percentiles were used.
 */
export function labenchLatency(percentiles: LabenchOutput['percentiles']): { latency: LatencySummary; readAbove: string[] } {
  const latency: LatencySummary = { min: percentiles[0]!.ms, max: percentiles.at(-1)!.ms };
  const readAbove: string[] = [];
  for (const { key, percent } of LATENCY_PERCENTILES) {
    // The file gives percentiles as fractions.
    const wanted = percent / 100;
    const row = percentiles.find((candidate) => candidate.percentile >= wanted - 1e-9)!;
    latency[key] = row.ms;
    if (Math.abs(row.percentile - wanted) > 1e-9) readAbove.push(`${key} at ${(row.percentile * 100).toFixed(4)}%`);
  }
  return { latency, readAbove };
}

/** Shapes LaBench's figures into a RunResult; its timely ticks and sends decide validity. */
export function labenchRunResult(output: LabenchOutput, facts: ToolRunFacts): RunResult {
  const byKind = zeroErrorKinds();
  const byStatus: Record<string, number> = {};
  for (const [text, count] of Object.entries(output.errors)) {
    const { kind, status } = labenchErrorKind(text);
    byKind[kind] += count;
    if (status) byStatus[status] = (byStatus[status] ?? 0) + count;
  }
  const timelyTicks = output.ticks.total > 0 ? output.ticks.timely / output.ticks.total : undefined;
  const timelySends = output.sends.total > 0 ? output.sends.timely / output.sends.total : undefined;
  const { latency, readAbove } = output.successTotal > 0 ? labenchLatency(output.percentiles) : { latency: {}, readAbove: [] };
  const otherErrors = byKind.other;
  const limits = [
    noWarmupNote('LaBench', facts.settings),
    'LaBench records the latency of successful requests only, from the actual send (not the tick): it is uncorrected; timely sends say how close the two were.',
    ...(output.successTotal > 0 ? [bucketLimit(latency, readAbove)] : []),
    "LaBench's own average truncates every latency to whole milliseconds, so no mean is given.",
  ];
  const notes = [
    'LaBench gives no per-second timeline.',
    ...(output.successTotal === 0 ? ['No request succeeded, so LaBench recorded no latency.'] : []),
    ...(Object.keys(byStatus).some((status) => Number(status) < 400)
      ? ['LaBench counts every status other than 200 as a failure, 2xx and 3xx included.']
      : []),
    ...(otherErrors > 0 ? [`${otherErrors} failures are worded in a way modelprof does not recognise and are counted as other; LaBench's texts are in its stdout.`] : []),
  ];
  return externalRunResult(
    {
      measuredSeconds: output.elapsedSec,
      warmup: { seconds: 0, requests: 0 },
      requests: {
        total: output.successTotal + output.errorTotal,
        ok: output.successTotal,
        errors: output.errorTotal,
        missed: output.ticks.missed,
      },
      errors: { byKind, byStatus },
      latency,
      timeline: [],
      validity: judgeProgramRun({
        tool: 'labench',
        program: 'LaBench',
        // The rate sent, as the builtin reports it: LaBench's own Throughput counts successes only.
        achievedRps: output.elapsedSec > 0 ? (output.successTotal + output.errorTotal) / output.elapsedSec : 0,
        targetRps: output.requestRate,
        missedTicks: output.ticks.missed,
        ...(timelyTicks !== undefined ? { timelyTicks } : {}),
        ...(timelySends !== undefined ? { timelySends } : {}),
        // No success is the target's failure (TARGET ERROR, exit 4), not the generator's: the ticks and sends judge the load.
        reasons: [],
        warnings: [],
        ...(facts.partial ? { partial: facts.partial } : {}),
      }),
      notes,
      limits,
    },
    facts,
  );
}

/** LaBench's bucket width, and the percentiles it makes equal in this run (e.g. p50 = p75 = p90). */
function bucketLimit(latency: LatencySummary, readAbove: string[]): string {
  const runs: string[] = [];
  let run: (typeof LATENCY_PERCENTILES)[number][] = [];
  for (const percentile of [...LATENCY_PERCENTILES, undefined]) {
    if (percentile && run.length > 0 && latency[percentile.key] === latency[run[0]!.key]) {
      run.push(percentile);
      continue;
    }
    if (run.length > 1) runs.push(`${run.map(({ label }) => label).join(' = ')} = ${Number(latency[run[0]!.key]!.toFixed(3))} ms`);
    run = percentile ? [percentile] : [];
  }
  const equal = runs.length > 0 ? `, so percentiles closer than that show one value (${runs.join('; ')})` : '';
  const above = readAbove.length > 0 ? `; percentiles it does not list were read at the next one it lists (${readAbove.join(', ')})` : '';
  return `LaBench's histogram has ~0.52 ms buckets and its percentile file gives each bucket's upper edge${equal}${above}.`;
}

export const labenchAdapter: ToolAdapter = {
  tool: 'labench',
  // Go's net/http verifies the chain and host name on every connection.
  verifiesTls: true,
  discover: discoverLabench,
  check: (settings) => void buildLabenchConfig(settings, 'labench-res.hgrm'),
  async run(settings: Settings, context: ToolRunContext): Promise<RunResult> {
    const configPath = join(context.runDir, 'labench-config.yaml');
    const hgrmPath = join(context.runDir, 'labench-res.hgrm');
    const config = buildLabenchConfig(settings, hgrmPath);
    const found = requireTool(await discoverLabench(settings.toolPath));
    await writePrivateFile(configPath, config);
    const { output, facts } = await runTool({
      tool: 'labench',
      settings,
      context,
      found,
      args: [configPath],
      env: toolEnvironment(settings, { [DOLLAR_VARIABLE]: '$' }),
      inputs: [configPath],
      outputs: [hgrmPath],
      parse: (stdout, [hgrm]) => {
        if (hgrm === undefined) throw new ToolError(`labench wrote no percentile file (${hgrmPath})`);
        return parseLabenchOutput(stdout, hgrm);
      },
      seconds: (parsed) => parsed.elapsedSec,
    });
    return labenchRunResult(output, facts);
  },
};

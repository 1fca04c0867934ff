import { Command } from 'commander';
import { checkGeneratorLimits } from '../load/machine-limits.js';
import { formatNumber } from '../report/format.js';
import { findMax, type FindMaxRecord } from '../find-max/find-max.js';
import { FIND_MAX_LOAD_DEFAULTS, findMaxSearchFrom, refuseFixedRate, SEARCH_DEFAULTS, type FindMaxSearch, type SearchInput } from '../find-max/find-max-options.js';
import { formatTable } from '../report/text-table.js';
import { withServedTarget } from '../target/served-process.js';
import { addProgressOption, withConsoleSession } from './console-session.js';
import { EXIT } from './exit-codes.js';
import { invalidRunNote, untrustedMark } from '../report/point-figures.js';
import { generatorDelayName, untrustedLegend } from '../report/validity-text.js';
import { addLoadOptions, runRequestFrom, type CommandRunRequest } from './load-options.js';
import { addMonitorOptions } from './monitor-options.js';
import { collect } from './collect.js';
import { writeErr, writeOut } from './colour.js';

export function registerFindMax(program: Command): void {
  const command = program
    .command('find-max')
    .description('find the highest constant rate the endpoint holds within an SLA: ramp to a bracket, then bisect it')
    .option('--sla <clauses>', 'what each point must meet, e.g. "p99<=200ms, error_rate<1%" (or sla in the job file)')
    .option('--start-rate <rps>', 'the lowest rate, tried first (req/s)', SEARCH_DEFAULTS.startRate)
    .option('--max-rate <rps>', 'never go above this rate (req/s)')
    .option('--factor <x>', 'ramp multiplier until a rate fails', SEARCH_DEFAULTS.factor)
    .option('--precision <share>', 'stop when the bracket is this narrow, e.g. 5% or 0.05', SEARCH_DEFAULTS.precision)
    .option('--no-confirm', 'measure the ends of the final bracket once, not twice (faster, more exposed to noise)')
    .option('--max-time <duration>', 'bound on the whole search; no point starts that would end after it', SEARCH_DEFAULTS.maxTime)
    .option('--cooldown <duration>', 'idle time between points', SEARCH_DEFAULTS.cooldown)
    .option('--price-per-hour <price>', 'price of one instance per hour: reports the cost per million requests at the answer')
    .option('--instances <n>', 'instances behind the endpoint (Azure instance_count)', SEARCH_DEFAULTS.instances)
    .option('--cores <n>', 'cores per instance: reports core-hours per million requests at the answer')
    .option('-f, --file <job.yml>', 'job file (schema/job.schema.json); its rate is not used')
    .option('--set <key=value>', 'override a job-file key (repeatable)', collect)
    .option('--json', 'print find-max.json to stdout instead of the table; its maxRate is the answer in req/s');
  addProgressOption(addMonitorOptions(addLoadOptions(command, { defaults: FIND_MAX_LOAD_DEFAULTS })));
  // The rate is what find-max searches: --rate is refused, so help does not offer it.
  command.options.find((option) => option.long === '--rate')?.hideHelp();
  command.action(async (options: Record<string, unknown>) => {
    process.exitCode = await runFindMax(findMaxCommandFrom(options, command, process.env));
  });
}

/** Everything one `modelprof find-max` needs, resolved and validated before any request. */
interface FindMaxCommand {
  run: CommandRunRequest;
  search: FindMaxSearch;
}

const FLAG_NAMES: Record<keyof SearchInput | 'rate' | 'sla' | 'tool', string> = {
  startRate: '--start-rate',
  maxRate: '--max-rate',
  factor: '--factor',
  precision: '--precision',
  confirm: '--no-confirm',
  maxTime: '--max-time',
  cooldown: '--cooldown',
  pricePerHour: '--price-per-hour',
  instances: '--instances',
  cores: '--cores',
  rate: '--rate',
  sla: '--sla',
  tool: '--tool',
};

/** Resolves the load like `run` does (flags > --set > job file > environment > find-max's defaults), then the search. */
function findMaxCommandFrom(options: Record<string, unknown>, command: Command, env: NodeJS.ProcessEnv): FindMaxCommand {
  if (command.getOptionValueSource('rate') === 'cli') refuseFixedRate((key) => FLAG_NAMES[key]);
  const run = runRequestFrom(options, command, env, FIND_MAX_LOAD_DEFAULTS);
  const text = (key: keyof SearchInput): string | undefined => (options[key] === undefined ? undefined : String(options[key]));
  const input: SearchInput = {
    ...definedText('startRate', text('startRate')),
    ...definedText('maxRate', text('maxRate')),
    ...definedText('factor', text('factor')),
    ...definedText('precision', text('precision')),
    confirm: options['confirm'] !== false,
    ...definedText('maxTime', text('maxTime')),
    ...definedText('cooldown', text('cooldown')),
    ...definedText('pricePerHour', text('pricePerHour')),
    ...definedText('instances', text('instances')),
    ...definedText('cores', text('cores')),
  };
  return { run, search: findMaxSearchFrom(run, input, (key) => FLAG_NAMES[key]) };
}

function definedText(key: keyof SearchInput, value: string | undefined): SearchInput {
  return value === undefined ? {} : { [key]: value };
}

/** Starts the served target if asked, searches with Ctrl-C handling and a live line, prints, and returns the exit code. */
async function runFindMax({ run, search }: FindMaxCommand): Promise<number> {
  const { settings } = run;
  checkGeneratorLimits(settings);
  const latencyKinds = ['percentile', 'latency', 'token-percentile', 'token-latency'];
  if (!search.sla.clauses.some((clause) => latencyKinds.includes(clause.ref.kind))) {
    // Above capacity an open-loop target mostly queues rather than fails: only latency shows it.
    writeErr('modelprof: note: the SLA has no latency clause; only the 97% served-rate check bounds the search from above\n');
  }
  const consoleOptions = { stopMessage: 'modelprof: stopping; writing what was measured (Ctrl-C again to quit at once)', progressEverySec: run.progressEverySec, logPrefix: '  ', quiet: run.json };
  return withConsoleSession(consoleOptions, (session) =>
    withServedTarget(run.serve, settings.url, async (servedPid, served) => {
      const monitors = servedPid === undefined ? run.monitors : [...run.monitors, { kind: 'process' as const, pid: servedPid }];
      if (!run.json) {
        process.stderr.write(`modelprof: searching for the highest rate within "${search.sla.text}" from ${search.startRate} req/s, for up to ${search.maxTimeSec}s\n`);
      }
      const { record, recordPath } = await findMax({
        ...search,
        settings,
        monitors,
        monitorIntervalMs: run.monitorIntervalMs,
        signal: session.signal,
        log: session.log,
        onProgress: session.onProgress,
        ...(served ? { servedTarget: served } : {}),
      });
      session.clear();
      if (run.json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      else writeOut(`${formatFindMax(record)}\n\nrecord: ${recordPath}\n`);
      return exitCodeOf(record);
    }, session.signal),
  );
}

/**
 * 0 with an answer the search stands by (the bracket closed, or the SLA held up to --max-rate), 1 when
 * even the lowest rate breaks the SLA, 3 when the search stopped before it could say (time bound, a
 * point without a verdict): its maxRate is then only a lower bound.
 */
export function exitCodeOf(record: FindMaxRecord): number {
  if (record.stop === 'aborted') return EXIT.interrupted;
  if (record.maxRate !== null && (record.stop === 'precision' || record.stop === 'ceiling')) return EXIT.ok;
  if (record.stop === 'lowest-rate-fails') return EXIT.slaFailed;
  return EXIT.runInvalid;
}

/** A point whose window held no request of its own: it has no latency figure. */
const measuredNothing = (point: FindMaxRecord['points'][number]): boolean => !point.valid && point.p50Ms === undefined;

/** The curve as measured (in rate order), then the answer and its cost. */
export function formatFindMax(record: FindMaxRecord): string {
  const rows = [...record.points]
    .sort((a, b) => a.rate - b.rate)
    .map((p) => [
      String(p.rate),
      p.servedRps.toFixed(1),
      p.p50Ms === undefined ? '-' : `${p.p50Ms.toFixed(1)}${untrustedMark(p, 'p50')}`,
      p.p99Ms === undefined ? '-' : `${p.p99Ms.toFixed(1)}${untrustedMark(p, 'p99')}`,
      `${(p.errorRate * 100).toFixed(2)}%`,
      !p.counted ? 'interrupted' : p.verdict === 'invalid' ? 'no verdict' : `${p.verdict === 'pass' ? 'meets SLA' : 'breaks SLA'}${p.valid ? '' : measuredNothing(p) ? ' (nothing measured)' : ' (run invalid)'}`,
    ]);
  // A verdict on an invalid run was judged clause by clause: say why the run is invalid, once per rate.
  // A point that measured nothing failed on that alone (the target fell behind from the warm-up on).
  const notes = new Set<string>();
  for (const p of record.points.filter((each) => each.counted && each.verdict !== 'invalid')) {
    const invalid = invalidRunNote(p, `${p.rate} req/s`);
    if (measuredNothing(p)) notes.add(`(nothing measured) ${p.rate} req/s: ${p.invalidBecause?.[0] ?? 'no request of the window ended'}`);
    else if (invalid) notes.add(`(run invalid) ${invalid}`);
  }
  const marked = rows.some((row) => row[2]!.endsWith('*') || row[3]!.endsWith('*'));
  const lines = [
    `modelprof find-max: ${record.target.method} ${record.target.url} (${record.tool}), SLA "${record.sla}"`,
    '',
    formatTable(['rate req/s', 'served req/s', 'p50 ms', 'p99 ms', 'errors', 'verdict'], rows, [true, true, true, true, true, false]),
    ...(marked ? [`* ${untrustedLegend(generatorDelayName(record))}; a verdict stands only where that lag could not change it`] : []),
    ...notes,
    '',
    record.maxRate === null
      ? `NO RATE MEETS THE SLA: ${record.message}`
      : record.answer === 'highest' || record.stop === 'ceiling'
        ? `MAX RATE ${record.maxRate} req/s: ${record.message}`
        : `AT LEAST ${record.maxRate} req/s (a lower bound, not the limit): ${record.message}`,
    `  rests on ${record.restsOn}`,
    `  ${record.points.length} points in ${record.elapsedSec.toFixed(1)}s (bound ${record.maxTimeSec}s)`,
  ];
  const cost = record.cost;
  if (cost?.costPerMillion !== undefined) {
    lines.push(`  cost per million requests: ${formatNumber(cost.costPerMillion, 4)} (${cost.instances} x ${cost.pricePerHour}/hour at ${cost.okRps} ok req/s)`);
  }
  if (cost?.coreHoursPerMillion !== undefined) lines.push(`  core-hours per million requests: ${formatNumber(cost.coreHoursPerMillion, 4)}`);
  return lines.join('\n');
}

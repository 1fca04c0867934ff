import { Command } from 'commander';
import { jobBaseDir } from '../settings/job-file.js';
import { formatSweep } from '../sweep/sweep-console.js';
import { readSweepFile } from '../sweep/sweep-file.js';
import { planSweep } from '../sweep/sweep-plan.js';
import { judgedPoint, type SweepRecord } from '../sweep/sweep-record.js';
import { runSweep } from '../sweep/sweep-run.js';
import { addProgressOption, progressEverySec, withConsoleSession } from './console-session.js';
import { EXIT } from './exit-codes.js';
import { writeOut } from './colour.js';

interface SweepFlags {
  file: string;
  output?: string;
  resume?: boolean;
  cooldown?: string;
  json?: boolean;
}

export function registerSweep(program: Command): void {
  const command = program
    .command('sweep')
    .description('profile every deployment of a sweep file at every point of its grid, then rank them by cost within the SLA')
    .requiredOption('-f, --file <sweep.yml>', 'sweep file (schema/sweep.schema.json)')
    .option('-o, --output <dir>', "folder for sweep.json, sweep.html and one folder per point (default: the file's output, else outputs/sweep)")
    .option('--resume', 'keep the points an earlier run measured with the same settings, and measure the rest')
    .option('--cooldown <duration>', "idle time between points (default: the file's cooldown, else 5s)")
    .option('--json', 'print sweep.json to stdout instead of the comparison table');
  addProgressOption(command).action(async (flags: SweepFlags) => {
    process.exitCode = await runSweepCommand(flags);
  });
}

async function runSweepCommand(flags: SweepFlags): Promise<number> {
  const document = readSweepFile(flags.file);
  const plan = planSweep(
    document,
    flags.file,
    jobBaseDir(flags.file),
    { ...(flags.output === undefined ? {} : { outputDir: flags.output }), ...(flags.cooldown === undefined ? {} : { cooldown: flags.cooldown }) },
    process.env,
  );
  const consoleOptions = {
    stopMessage: 'modelprof: stopping the sweep; finished points are kept, --resume continues (Ctrl-C again to quit at once)',
    progressEverySec: progressEverySec(flags as unknown as Record<string, unknown>),
    logPrefix: 'modelprof: ',
  };
  return withConsoleSession(consoleOptions, async (session) => {
    const { record, recordPath, htmlPath } = await runSweep(plan, {
      resume: flags.resume === true,
      signal: session.signal,
      log: session.log,
      onProgress: session.onProgress,
    });
    session.clear();
    if (flags.json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    else writeOut(`${formatSweep(record)}\n\nsweep: ${recordPath}\npage: ${htmlPath}\n`);
    return session.signal.aborted ? EXIT.interrupted : exitCodeOf(record);
  });
}

/** 4 when a target or tool failed, 3 when no point has a verdict, 1 when an SLA was given and nothing met it. */
export function exitCodeOf(record: SweepRecord): number {
  if (record.points.some((p) => p.status === 'failed')) return EXIT.toolError;
  if (!record.points.some(judgedPoint)) return EXIT.runInvalid;
  if (record.sla !== null && !record.ranking.some((r) => r.rank !== undefined)) return EXIT.slaFailed;
  return EXIT.ok;
}

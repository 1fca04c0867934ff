#!/usr/bin/env node
import { Command } from 'commander';
import { ModelprofError } from '../core/errors.js';
import { EXIT, exitCodeOfError } from './exit-codes.js';
import { MODELPROF_VERSION } from '../core/version.js';
import { registerAzureMlJob } from './azureml-job.js';
import { registerCompare } from './compare.js';
import { registerDemo } from './demo.js';
import { registerFindMax } from './find-max.js';
import { addExamples } from './help-examples.js';
import { registerK8sJob } from './k8s-job.js';
import { registerMerge } from './merge.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerServeSample } from './serve-sample.js';
import { registerSweep } from './sweep.js';
import { registerTools } from './tools.js';
import { errorLine } from './colour.js';

// Each command lives in its own file and registers itself on the program.
const commands: ((program: Command) => void)[] = [registerRun, registerDemo, registerReport, registerCompare, registerSweep, registerFindMax, registerMerge, registerK8sJob, registerAzureMlJob, registerServeSample, registerTools];

async function main(argv: string[]): Promise<number> {
  const program = new Command('modelprof')
    .description('Profile ML models behind HTTP inference endpoints')
    .version(MODELPROF_VERSION)
    .exitOverride()
    .configureOutput({
      // One line per mistake, like every other settings error: fold commander's suggestion in.
      outputError: (text, write) => write(text.replace(/^error: /, 'modelprof: ').replace(/\n\((Did you mean [^)]*)\)/, ' ($1)')),
    });
  for (const register of commands) register(program);
  addExamples(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof ModelprofError) {
      process.stderr.write(`${errorLine(`modelprof: ${error.message}`)}\n`);
      return exitCodeOfError(error);
    }
    if (isCommanderExit(error)) return error.exitCode === 0 ? EXIT.ok : EXIT.badSettings;
    throw error;
  }
}

function isCommanderExit(error: unknown): error is { exitCode: number } {
  return typeof error === 'object' && error !== null && 'code' in error && String((error as { code: unknown }).code).startsWith('commander.');
}

// `modelprof ... | head` closes the pipe early: what is left to print is dropped, quietly, and the
// run still writes its report and exits with its own code (Node would otherwise crash on EPIPE).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv);

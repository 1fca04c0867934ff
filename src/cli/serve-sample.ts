import { Option, type Command } from 'commander';
import { SettingsError } from '../core/errors.js';
import { checkHeaderToken, checkLimitedOption, SAMPLE_SERVER_DEFAULTS, type LimitedOption, type SampleServerOptions } from '../sample/options.js';
import { startSampleServer } from '../sample/server.js';

/** The one stdout line other tools wait for; the URL follows it. */
export const LISTENING_LINE_PREFIX = 'modelprof sample endpoint listening on ';

/** Port of Azure ML's local inference server (azmlinfsrv), so habits and scripts carry over. */
const DEFAULT_PORT = 5001;

interface ServeSampleFlags {
  host: string;
  port: string;
  key?: string;
  deployment?: string;
  maxConcurrent?: string;
  requestTimeoutMs: string;
  workers: string;
  workFactor: string;
  deviceMs: string;
}

export function registerServeSample(program: Command): void {
  program
    .command('serve-sample')
    .description(
      'Serve the bundled sample model at POST /score, like an Azure ML online deployment, until Ctrl-C or SIGTERM. ' +
        'Also serves GET / and /health (liveness) and GET /metrics (Prometheus).',
    )
    .option('--host <host>', 'interface to listen on', SAMPLE_SERVER_DEFAULTS.host)
    .option('--port <port>', 'port to listen on; 0 picks a free one', String(DEFAULT_PORT))
    .addOption(new Option('--key <key>', '/score requires "Authorization: Bearer <key>"; prefer the env var to keep it off the command line').env('SAMPLE_KEY'))
    .option('--deployment <name>', 'deployment name: sent back in azureml-model-deployment; a request naming another gets 404')
    .option('--max-concurrent <n>', "Azure's max_concurrent_requests_per_instance: a request beyond it gets 429 (default: no limit)")
    .option('--request-timeout-ms <ms>', "Azure's request_timeout_ms: a request not answered in time gets 408", String(SAMPLE_SERVER_DEFAULTS.requestTimeoutMs))
    .option('--workers <n>', 'compute threads; capacity is about workers / cost of one request', String(SAMPLE_SERVER_DEFAULTS.workers))
    .option('--work-factor <x>', 'multiplies the CPU compute per row (1: about 0.45 ms of CPU per row)', String(SAMPLE_SERVER_DEFAULTS.workFactor))
    .option('--device-ms <ms>', 'device time per request on the simulated accelerator (one device, FIFO, off the CPU; capacity 1000/ms req/s); 0: none', String(SAMPLE_SERVER_DEFAULTS.deviceMs))
    .action(async (flags: ServeSampleFlags) => {
      const server = await startSampleServer(readFlags(flags));
      process.stdout.write(`${LISTENING_LINE_PREFIX}${server.url}\n`);
      await untilStopSignal();
      await server.close();
    });
}

/** Turns the flags into server options, naming the flag in any error. */
function readFlags(flags: ServeSampleFlags): SampleServerOptions {
  if (flags.host.trim() === '') throw new SettingsError('--host must be a host name or IP address, got an empty string');
  const options: SampleServerOptions = {
    host: flags.host,
    port: numberFlag('port', '--port', flags.port),
    requestTimeoutMs: numberFlag('requestTimeoutMs', '--request-timeout-ms', flags.requestTimeoutMs),
    workers: numberFlag('workers', '--workers', flags.workers),
    workFactor: numberFlag('workFactor', '--work-factor', flags.workFactor),
    deviceMs: numberFlag('deviceMs', '--device-ms', flags.deviceMs),
  };
  if (flags.key !== undefined) options.key = checkHeaderToken('--key (or SAMPLE_KEY)', flags.key);
  if (flags.deployment !== undefined) options.deployment = checkHeaderToken('--deployment', flags.deployment);
  if (flags.maxConcurrent !== undefined) {
    options.maxConcurrentRequests = numberFlag('maxConcurrentRequests', '--max-concurrent', flags.maxConcurrent);
  }
  return options;
}

function numberFlag(option: LimitedOption, flag: string, text: string): number {
  // Plain decimals only: Number() would also take "0x10", "1e3" and "" (as 0).
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return checkLimitedOption(option, flag, value, JSON.stringify(text));
}

function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

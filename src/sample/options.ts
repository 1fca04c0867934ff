import { SettingsError } from '../core/errors.js';

/** How to start the sample endpoint; names follow Azure ML's online deployment settings where one exists. */
export interface SampleServerOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port; default 0. */
  port?: number;
  /** When set, /score requires `Authorization: Bearer <key>`. */
  key?: string;
  /** When set, an `azureml-model-deployment` header naming another deployment gets 404. */
  deployment?: string;
  /** Azure's max_concurrent_requests_per_instance: beyond it a request gets 429 at once. Unset: no limit. */
  maxConcurrentRequests?: number;
  /** Azure's request_timeout_ms: a request not answered within it gets 408. Default 5000. */
  requestTimeoutMs?: number;
  /** Compute threads; default 1. Capacity is about workers / (cost of one request). */
  workers?: number;
  /**
   * Multiplies the CPU compute per row: 1 is about 0.45 ms of CPU per row; default 0.2 (about 0.09 ms,
   * the host's share beside the accelerator's). Also the model evaluations per generated token
   * (rounded, at least 1) of the LLM routes.
   */
  workFactor?: number;
  /**
   * Device time per /score request on the simulated accelerator, ms (±10%): one device, one request at
   * a time, FIFO, spent on timers rather than a CPU, as a model on a GPU spends it. Capacity is then
   * at most 1000 / deviceMs req/s. Default 4; 0 leaves the CPU model alone.
   */
  deviceMs?: number;
  /** The model id the OpenAI-compatible routes serve; default "sample-ngram". */
  llmModel?: string;
  /** Generations the LLM routes decode together; more wait (vLLM's max_num_seqs). Default 32. */
  llmMaxBatch?: number;
}

export interface ResolvedSampleServerOptions {
  readonly host: string;
  readonly port: number;
  readonly key: string | undefined;
  readonly deployment: string | undefined;
  readonly maxConcurrentRequests: number | undefined;
  readonly requestTimeoutMs: number;
  readonly workers: number;
  readonly workFactor: number;
  readonly deviceMs: number;
  readonly llmModel: string;
  readonly llmMaxBatch: number;
}

export const SAMPLE_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  requestTimeoutMs: 5000,
  workers: 1,
  workFactor: 0.2,
  deviceMs: 4,
  llmModel: 'sample-ngram',
  llmMaxBatch: 32,
} as const;

/** Accepted ranges, shared by the library and the CLI so both reject the same values. */
export const SAMPLE_SERVER_LIMITS = {
  port: { min: 0, max: 65535, integer: true },
  maxConcurrentRequests: { min: 1, max: 1_000_000, integer: true },
  // Azure accepts request_timeout_ms up to 180000.
  requestTimeoutMs: { min: 1, max: 180_000, integer: true },
  workers: { min: 1, max: 64, integer: true },
  workFactor: { min: 0, max: 1000, integer: false },
  deviceMs: { min: 0, max: 10_000, integer: false },
  llmMaxBatch: { min: 1, max: 4096, integer: true },
} as const;

export type LimitedOption = keyof typeof SAMPLE_SERVER_LIMITS;

/**
 * Checks a numeric option against its range. `label` is how the user named it (option or flag),
 * `written` how they wrote the value, when it came as text.
 */
export function checkLimitedOption(option: LimitedOption, label: string, value: number, written = String(value)): number {
  const { min, max, integer } = SAMPLE_SERVER_LIMITS[option];
  const kind = integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new SettingsError(`${label} must be ${kind} from ${min} to ${max}, got ${written}`);
  }
  return value;
}

/** Checks a value that goes into an HTTP header: printable ASCII, no spaces. Never echoes the value (it may be a key). */
export function checkHeaderToken(label: string, value: string): string {
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new SettingsError(`${label} must be non-empty printable ASCII without spaces`);
  }
  return value;
}

export function resolveSampleServerOptions(options: SampleServerOptions = {}): ResolvedSampleServerOptions {
  const host = options.host ?? SAMPLE_SERVER_DEFAULTS.host;
  if (host.trim() === '') throw new SettingsError('host must be a host name or IP address, got an empty string');
  return {
    host,
    port: checkLimitedOption('port', 'port', options.port ?? SAMPLE_SERVER_DEFAULTS.port),
    key: options.key === undefined ? undefined : checkHeaderToken('key', options.key),
    deployment: options.deployment === undefined ? undefined : checkHeaderToken('deployment', options.deployment),
    maxConcurrentRequests:
      options.maxConcurrentRequests === undefined
        ? undefined
        : checkLimitedOption('maxConcurrentRequests', 'maxConcurrentRequests', options.maxConcurrentRequests),
    requestTimeoutMs: checkLimitedOption(
      'requestTimeoutMs',
      'requestTimeoutMs',
      options.requestTimeoutMs ?? SAMPLE_SERVER_DEFAULTS.requestTimeoutMs,
    ),
    workers: checkLimitedOption('workers', 'workers', options.workers ?? SAMPLE_SERVER_DEFAULTS.workers),
    workFactor: checkLimitedOption('workFactor', 'workFactor', options.workFactor ?? SAMPLE_SERVER_DEFAULTS.workFactor),
    deviceMs: checkLimitedOption('deviceMs', 'deviceMs', options.deviceMs ?? SAMPLE_SERVER_DEFAULTS.deviceMs),
    llmModel: options.llmModel === undefined ? SAMPLE_SERVER_DEFAULTS.llmModel : checkModelName(options.llmModel),
    llmMaxBatch: checkLimitedOption('llmMaxBatch', 'llmMaxBatch', options.llmMaxBatch ?? SAMPLE_SERVER_DEFAULTS.llmMaxBatch),
  };
}

function checkModelName(name: string): string {
  if (!/^[\w.:/-]{1,128}$/.test(name)) throw new SettingsError(`llmModel must be 1 to 128 letters, digits or . _ : / -, got "${name}"`);
  return name;
}

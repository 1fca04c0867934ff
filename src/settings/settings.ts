import type { AzureTargetDescription } from '../azure/online-endpoint.js';
import type { ApiName } from '../target/apis/api.js';
import type { WorkloadSpec } from '../target/workload/workload-spec.js';

/** The three load models of the seed's tools. */
export const TOOLS = ['wrk', 'wrk2', 'labench'] as const;
export type ToolName = (typeof TOOLS)[number];

/** Who sends the requests: modelprof's own workers, or the real program. */
export const ENGINES = ['builtin', 'external'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Request bodies: one per line of a payload file (rotated), or a single string. */
export interface Payload {
  /** Bodies in rotation order; an empty list means requests carry no body. */
  readonly bodies: readonly string[];
  /** Where the bodies came from, for the report: a file path, "PAYLOAD", "--payload" or "none". */
  readonly origin: string;
}

/** A fully resolved and validated profiling job. Everything downstream reads only this. */
export interface Settings {
  readonly url: URL;
  readonly method: string;
  /** Header name -> value, as sent. May hold secrets: never print this object; reports use reportSettings. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Headers whose values are secrets beyond what their names and values show: those expanded from
   * the environment (`${VAR}`). Every output redacts them (see isSecretHeaderValue in src/core/redact.ts).
   */
  readonly secretHeaders?: readonly string[];
  readonly payload: Payload;
  readonly tool: ToolName;
  readonly engine: EngineName;
  /** Measured duration in seconds (after warm-up). */
  readonly durationSec: number;
  /** Warm-up in seconds, excluded from results. */
  readonly warmupSec: number;
  readonly connections: number;
  readonly threads: number;
  /** Target requests per second (wrk2, labench). */
  readonly rate: number;
  /** LaBench client pool size. */
  readonly clients: number;
  /** Per-request timeout in seconds. */
  readonly timeoutSec: number;
  /** The serving protocol and its workload (--api and friends); absent: raw, the seed's way. */
  readonly api?: ApiSettings;
  /** When requests start, for the open-loop tools; absent: the tool's even plan. */
  readonly arrival?: ArrivalSettings;
  /** Folder for report.json and run artifacts, absolute. */
  readonly outputDir: string;
  /** Where the output folder was given (--output, OUTPUT_DIR, a job file's key), for its errors. */
  readonly outputSource?: string;
  /** Folder or file where external tools are looked up before PATH. */
  readonly toolPath?: string;
  /** What the user should know about how the settings were read (a variable the tool ignores), one line each. */
  readonly notes?: readonly string[];
  /** Accept any TLS certificate (self-signed test endpoints). */
  readonly insecure?: boolean;
  /** The Azure ML deployment behind the target, when one was named (settings/azure-target.ts). */
  readonly azure?: AzureTargetDescription;
  /**
   * Set when this process is one shard of a larger run (--shard): rate, connections, clients,
   * threads and payload above are then this shard's part, and `shard.run` the whole run's.
   */
  readonly shard?: ShardRole;
  /** The run's name (a job file's display_name, e.g. the SKU and concurrency profiled), shown on every report. */
  readonly displayName?: string;
  /** A group of runs (a job file's experiment_name, as in Azure ML). */
  readonly experimentName?: string;
  /** Wall-clock epoch ms at which the load (its warm-up first) starts, for shards started together (--start-at). */
  readonly startAtMs?: number;
}

/** One shard's place in the whole run (see shareOfLoad in src/scale/shard.ts). */
export interface ShardRole {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
  /** The whole run's settings, before the split. */
  readonly run: Settings;
  /** Where this shard's senders sit in the whole run's plan, so shards started together send one process's schedule. */
  readonly plan: {
    /** The whole run's rate, on which every shard's send slots are laid. */
    readonly rate: number;
    readonly firstConnection: number;
    readonly totalConnections: number;
    readonly tickOffset: number;
    readonly tickStride: number;
  };
}

/** How requests are shaped and answers read: the serving protocol and what to ask of the model. */
export interface ApiSettings {
  readonly name: ApiName;
  /** --model: the route's model and the body's `model` field. */
  readonly model?: string;
  /** Ask for a token stream (OpenAI); default true. */
  readonly stream: boolean;
  /** Ask the server to ignore end-of-sequence up to the requested output tokens (vLLM, SGLang, TGI). */
  readonly ignoreEos: boolean;
  /** Requests built from a workload instead of payload lines. */
  readonly workload?: WorkloadSpec;
  /** For the report, e.g. "synthetic: 512±64 input tokens, 128 output tokens". */
  readonly workloadDescription?: string;
  /** Goodput objectives, canonical (e.g. "ttft<=200ms,tpot<=50ms"). */
  readonly goodput?: string;
}

/** When requests start: the tool's even plan, a seeded Poisson process at the same rate, or a trace's own times. */
export type ArrivalSettings = { readonly kind: 'even' } | { readonly kind: 'poisson'; readonly seed: number } | { readonly kind: 'trace'; readonly speedup: number };

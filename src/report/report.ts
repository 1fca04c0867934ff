import type { AzureTargetDescription } from '../azure/online-endpoint.js';
import type { Availability } from '../judge/availability.js';
import type { ResourceReport } from '../monitors/resources.js';
import type { ErrorCounts, LatencySummary, TimelinePoint, Validity, TlsVerification, WarmupSpan } from '../record/result.js';
import type { LlmSection } from '../record/token-summary.js';
import type { EngineName, ToolName } from '../settings/settings.js';

/** Bumped on any change that a reader of report.json could notice; see schema/report.schema.json. */
export const REPORT_SCHEMA_VERSION = '1.1';

/**
 * The SLA a run was judged on and its verdict, as report.json keeps it. Each result is one of
 * judge/sla.ts's SlaResult (its StoredSla); left opaque here so that the report's shape does not
 * depend on the judge, which reads reports.
 */
export interface ReportSla<Result = unknown> {
  /** The clauses as written, comma-separated. */
  spec: string;
  status: 'pass' | 'fail' | 'not-judged';
  results: Result[];
}

/** Settings as written to reports: secret header values replaced by "<redacted>". */
export interface ReportSettings {
  tool: ToolName;
  engine: EngineName;
  method: string;
  headers: Record<string, string>;
  payload: { origin: string; lines: number };
  durationSec: number;
  warmupSec: number;
  connections: number;
  threads: number;
  rate: number;
  clients: number;
  timeoutSec: number;
  /** The serving protocol and workload (--api); absent for raw requests. */
  api?: { name: string; model?: string; stream: boolean; ignoreEos: boolean; workload?: string; goodput?: string };
  /** When requests started, where not the tool's even plan. */
  arrival?: { kind: 'poisson'; seed: number } | { kind: 'trace'; speedup: number };
}

/** The contents of report.json. */
export interface Report {
  /** 1.0 reports (no trust[].belowUntrusted, no sla) are read as they are. */
  schemaVersion: '1.0' | typeof REPORT_SCHEMA_VERSION;
  tool: ToolName;
  engine: { name: EngineName; version: string };
  modelprofVersion: string;
  /** The run's name (a job file's display_name). */
  displayName?: string;
  /** The group of runs it belongs to (a job file's experiment_name). */
  experimentName?: string;
  settings: ReportSettings;
  /** `azure`: the Azure ML deployment profiled (names and what ARM says of it; never a credential). */
  /** `tls`, for an https target: whether its certificate was verified, and by whom. */
  target: { url: string; method: string; azure?: AzureTargetDescription; tls?: TlsVerification };
  startTime: string;
  endTime: string;
  measuredSeconds: number;
  warmup: WarmupSpan;
  /** Present when the run ended early; says why. */
  partial?: string;
  requests: { total: number; ok: number; errors: number; missed?: number };
  /**
   * rps and okRps: answers per second of the window that runs to the last answer; servedRps (open-loop
   * builtin runs): targetRps times the share of the window's plan the target served, which a point's
   * served-rate check reads (judge/served-rate.ts).
   */
  throughput: { rps: number; okRps: number; targetRps?: number; servedRps?: number };
  latency: LatencySummary;
  latencyUncorrected?: LatencySummary;
  errors: ErrorCounts & { rate: number };
  /**
   * Time with and without service: outages (runs of seconds without a successful answer, or a
   * watched server's death) and the share of the window without them. Absent where the engine gave
   * no per-second figures and no watched server died.
   */
  availability?: Availability;
  timeline: TimelinePoint[];
  validity: Validity;
  histogram?: string;
  histogramUncorrected?: string;
  /** Open-loop builtin runs: the send lag's HdrHistogram (us, V2 compressed, base64), kept so reports merge exactly. */
  histogramSendLag?: string;
  /** The SLA the run was judged on and its verdict (schema 1.1); `modelprof report` renders and exits by it. */
  sla?: ReportSla;
  /** Token figures of an LLM endpoint (--api openai-chat or openai-completions). */
  llm?: LlmSection;
  resources?: ResourceReport;
  /** Present on one shard's report (`--shard`): `settings` holds this shard's part, `shard.run` the whole run's. */
  shard?: ShardRecord;
  /** Present on a report merged from shard reports (`modelprof merge`): what each shard contributed and what is missing. */
  merge?: MergeRecord;
  notes: string[];
  /** What the external program that measured cannot do, where it shapes these figures (see RunResult). */
  limits?: string[];
  artifacts: string[];
}

/** Which shard of a run a report is, and the settings of the whole run it is part of. */
export interface ShardRecord {
  /** 0-based, as Kubernetes' JOB_COMPLETION_INDEX. */
  index: number;
  count: number;
  /** The common start every shard waited for (--start-at), ISO 8601; absent when none was given. */
  startAt?: string;
  /** The whole run's settings, before the split: the same in every shard of one run. */
  run: ReportSettings;
}

/** One shard as seen by the merge. */
export interface MergedShard {
  index: number;
  /** Where its report was read from, as given to the merge. */
  source: string;
  startTime: string;
  endTime: string;
  requests: { total: number; ok: number; errors: number };
  rps: number;
  /** This shard's own p50 and p99, ms, where it measured latency. */
  latency: { p50?: number; p99?: number };
  valid: boolean;
  partial?: string;
  /** What this shard's monitors saw, kept as the shard reported it. */
  resources?: ResourceReport;
}

export interface MergeRecord {
  /** Shards the run was split into. */
  count: number;
  /** Indexes of shards whose report was not there (died, never started, not given). */
  missing: number[];
  shards: MergedShard[];
}

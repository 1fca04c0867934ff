import type { ResourceReport } from '../monitors/resources.js';
import type { ErrorCounts, LatencySummary, TimelinePoint, Validity } from '../record/result.js';
import type { EngineName, ToolName } from '../settings/settings.js';

/** Bumped on any change that a reader of report.json could notice; see schema/report.schema.json. */
export const REPORT_SCHEMA_VERSION = '1.0';

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
}

/** The contents of report.json. */
export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: ToolName;
  engine: { name: EngineName; version: string };
  modelprofVersion: string;
  settings: ReportSettings;
  target: { url: string; method: string };
  startTime: string;
  endTime: string;
  measuredSeconds: number;
  warmup: { seconds: number; requests: number };
  /** Present when the run ended early; says why. */
  partial?: string;
  requests: { total: number; ok: number; errors: number; missed?: number };
  throughput: { rps: number; okRps: number; targetRps?: number };
  latency: LatencySummary;
  latencyUncorrected?: LatencySummary;
  errors: ErrorCounts & { rate: number };
  timeline: TimelinePoint[];
  validity: Validity;
  histogram?: string;
  histogramUncorrected?: string;
  resources?: ResourceReport;
  notes: string[];
  artifacts: string[];
}

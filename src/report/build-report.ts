import { findAvailability, type ServerDeath } from '../judge/availability.js';
import { LOAD_MODELS } from '../load/models/registry.js';
import type { ResourceReport } from '../monitors/resources.js';
import type { RunResult } from '../record/result.js';
import { redactHeaders, redactUrl } from '../core/redact.js';
import type { ApiSettings, Settings } from '../settings/settings.js';
import { MODELPROF_VERSION } from '../core/version.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportSettings } from './report.js';
import { round } from '../core/numbers.js';
import { judgeItl, summarizeTokens } from '../record/token-summary.js';
import { redactSample, secretsOf } from '../target/apis/answer-sample.js';

/**
 * Shapes an engine's result and the monitors' figures into report.json's contents. `death` is the
 * watched --serve server's end, when it ended before the window did: an outage until the window's end.
 */
export function buildReport(settings: Settings, result: RunResult, resources?: ResourceReport, death?: ServerDeath): Report {
  const { requests } = result;
  const seconds = result.measuredSeconds;
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: settings.tool,
    engine: { name: result.engine, version: result.engineVersion },
    modelprofVersion: MODELPROF_VERSION,
    settings: reportSettings(settings),
    target: { url: redactUrl(settings.url), method: settings.method, ...(settings.azure ? { azure: settings.azure } : {}), ...(result.tls ? { tls: result.tls } : {}) },
    startTime: result.startTime.toISOString(),
    endTime: result.endTime.toISOString(),
    measuredSeconds: round(seconds),
    warmup: result.warmup,
    requests,
    throughput: {
      rps: seconds > 0 ? round(requests.total / seconds) : 0,
      okRps: seconds > 0 ? round(requests.ok / seconds) : 0,
      ...(LOAD_MODELS[settings.tool].loop === 'open' ? { targetRps: settings.rate } : {}),
      ...(result.servedRps !== undefined ? { servedRps: round(result.servedRps) } : {}),
    },
    latency: result.latency,
    errors: { ...result.errors, rate: requests.total > 0 ? requests.errors / requests.total : 0 },
    timeline: result.timeline,
    validity: result.validity,
    notes: [...(settings.notes ?? []), ...result.notes],
    artifacts: result.artifacts,
  };
  if (settings.displayName !== undefined) report.displayName = settings.displayName;
  if (settings.experimentName !== undefined) report.experimentName = settings.experimentName;
  if (result.partial) report.partial = result.partial;
  if (result.limits && result.limits.length > 0) report.limits = result.limits;
  if (result.latencyUncorrected) report.latencyUncorrected = result.latencyUncorrected;
  if (result.histogram) report.histogram = result.histogram;
  if (result.histogramUncorrected) report.histogramUncorrected = result.histogramUncorrected;
  if (result.histogramSendLag) report.histogramSendLag = result.histogramSendLag;
  if (resources) report.resources = resources;
  if (result.answers && settings.api) {
    const { tokens, samples } = result.answers;
    report.llm = summarizeTokens(tokens, { api: settings.api.name, measuredSeconds: seconds, requests: requests.total, ...(settings.api.goodput ? { objectives: settings.api.goodput } : {}) });
    const { eventLoopLagP99Ms, eventLoopLagMaxMs } = result.validity.checks;
    const itlTrust = eventLoopLagP99Ms === undefined ? undefined : judgeItl(report.llm.itl, { p99Ms: eventLoopLagP99Ms, maxMs: eventLoopLagMaxMs ?? eventLoopLagP99Ms });
    if (itlTrust) {
      report.llm.itlTrust = itlTrust;
      if (itlTrust.untrusted.length > 0) {
        report.validity.warnings.push(
          `ITL ${itlTrust.untrusted.join(', ')} could have been moved by the generator's own delay in reading tokens (event-loop lag p99 ${itlTrust.lagP99Ms} ms, max ${itlTrust.lagMaxMs} ms, more than 5% of the figure or 0.1 ms): give the generator a core of its own or more threads`,
        );
      }
    }
    if (samples.length > 0) {
      const secrets = secretsOf(settings.headers, settings.url, settings.secretHeaders);
      // Bad answers first, then the error statuses' bodies the engine kept.
      report.errors.samples = [...samples.map((sample) => ({ ...sample, sample: redactSample(sample.sample, secrets) })), ...(result.errors.samples ?? [])];
    }
  }
  // The external programs give no per-second figures: their service seconds are modelprof's probes.
  // A window that measured no answer has none to judge service on (an external program's probes still do).
  if (result.service && (result.service.basis === 'probe' || result.requests.total > 0)) report.availability = findAvailability(result.service.seconds, result.service.windowSec, death, result.service.basis === 'probe' ? 'probe' : 'answers');
  else if (death) report.availability = findAvailability([], Math.min(settings.durationSec, seconds), death);
  if (settings.shard) {
    const { index, count, run } = settings.shard;
    report.shard = { index, count, ...(settings.startAtMs !== undefined ? { startAt: new Date(settings.startAtMs).toISOString() } : {}), run: reportSettings(run) };
  }
  return report;
}

/** The settings as a report shows them: secret header values redacted, the payload described, not copied. */
export function reportSettings(settings: Settings): ReportSettings {
  return {
    tool: settings.tool,
    engine: settings.engine,
    method: settings.method,
    headers: redactHeaders(settings.headers, settings.secretHeaders),
    payload: { origin: settings.payload.origin, lines: settings.payload.bodies.length },
    durationSec: settings.durationSec,
    warmupSec: settings.warmupSec,
    connections: settings.connections,
    threads: settings.threads,
    rate: settings.rate,
    clients: settings.clients,
    timeoutSec: settings.timeoutSec,
    ...(settings.api ? { api: reportApi(settings.api) } : {}),
    ...(settings.arrival && settings.arrival.kind !== 'even' ? { arrival: settings.arrival } : {}),
  };
}

function reportApi(api: ApiSettings): NonNullable<ReportSettings['api']> {
  return {
    name: api.name,
    ...(api.model !== undefined ? { model: api.model } : {}),
    stream: api.stream,
    ignoreEos: api.ignoreEos,
    ...(api.workloadDescription !== undefined ? { workload: api.workloadDescription } : {}),
    ...(api.goodput !== undefined ? { goodput: api.goodput } : {}),
  };
}

import { decodeHistogram, summarizeHistogram } from './histogram.js';
import type { LatencySummary } from './result.js';
import { mergeTokenSnapshots, RATE_SCALE, type TokenCounts, type TokenHistogramName, type TokenSnapshot } from './token-recorder.js';
import { round } from '../core/numbers.js';

/** Per-request output tokens per second; the slow tail is the low percentiles. */
export interface RateSummary {
  mean: number;
  min: number;
  p1: number;
  p10: number;
  p50: number;
  p90: number;
  max: number;
}

export interface TokenTotals {
  total: number;
  /** Mean per answer whose count is known. */
  perRequest: number;
  /** Where the counts came from: the server's `usage`, counting output events, the workload's plan. */
  source: 'usage' | 'counted' | 'planned' | 'mixed';
  /** Answers the total covers. */
  answers: number;
}

export interface GoodputFigures {
  /** The objectives, canonical: "ttft<=200ms,tpot<=50ms". */
  objectives: string;
  /** Requests that met every objective. */
  good: number;
  /** Requests the objectives could not judge (answers without the figure an objective bounds); left out of the share. */
  undetermined: number;
  /** good / the judged requests of the measured window, errors included (0..1); absent when none could be judged. */
  share?: number;
  /** Good requests per second of the measured window. */
  rps: number;
}

/**
 * Could the generator's own delay have moved the ITL figures? A gap is timed at both of its tokens'
 * reads, each late by however long the worker's event loop was busy elsewhere: a figure is trusted
 * when that delay (the loop's p99 lag for p50..p99, its maximum above) is at most 5% of it or 0.1 ms,
 * the rule the latency figures are judged by.
 */
export interface ItlTrust {
  /** The generator's event-loop lag, ms: the delay in reading a token. */
  lagP99Ms: number;
  lagMaxMs: number;
  /** The highest ITL figure up to which every one from p50 is trusted; null when p50 is not. */
  trustedUpTo: string | null;
  /** ITL figures the lag could have moved. */
  untrusted: string[];
}

/** The report's `llm` section: token figures of an LLM endpoint, in the report's usual shapes (ms). */
export interface LlmSection {
  api: string;
  /** Valid answers the figures cover, and how many of them were streams. */
  answers: number;
  streamed: number;
  endedWithoutDone: number;
  ttft?: LatencySummary;
  ttftUncorrected?: LatencySummary;
  itl?: LatencySummary;
  tpot?: LatencySummary;
  e2e?: LatencySummary;
  e2eUncorrected?: LatencySummary;
  outputTokens?: TokenTotals;
  inputTokens?: TokenTotals;
  /** Output tokens of the measured window per second: the system's generation throughput. */
  outputTokensPerSec?: number;
  requestTokensPerSec?: RateSummary;
  goodput?: GoodputFigures;
  itlTrust?: ItlTrust;
  /** The raw counts and histograms (HdrHistogram V2 compressed base64), kept so runs and shards merge exactly. */
  counts: TokenCounts;
  histograms: Partial<Record<TokenHistogramName, string>>;
}

/**
 * Shapes merged token figures into the report section. `requests` counts every request of the
 * measured window (answers and errors): goodput's share is over all of them but the undetermined,
 * so a server that drops requests cannot look good by answering the rest fast (as AIPerf's
 * good_request_fraction and GuideLLM's attainment count errors against it).
 */
export function summarizeTokens(snapshot: TokenSnapshot, options: { api: string; measuredSeconds: number; requests: number; objectives?: string }): LlmSection {
  const { counts, histograms } = snapshot;
  const section: LlmSection = { api: options.api, answers: counts.answers, streamed: counts.streamed, endedWithoutDone: counts.endedWithoutDone, counts: { ...counts }, histograms: { ...histograms } };
  const latency = (name: TokenHistogramName): LatencySummary | undefined => {
    const encoded = histograms[name];
    return encoded === undefined ? undefined : summarizeHistogram(decodeHistogram(encoded));
  };
  for (const name of ['ttft', 'ttftUncorrected', 'itl', 'tpot', 'e2e', 'e2eUncorrected'] as const) {
    const summary = latency(name);
    if (summary !== undefined) section[name] = summary;
  }
  const outputAnswers = counts.outputFromUsage + counts.outputCounted;
  if (outputAnswers > 0) {
    section.outputTokens = totals(counts.outputTokens, outputAnswers, counts.outputFromUsage, 'usage', counts.outputCounted, 'counted');
    if (options.measuredSeconds > 0) section.outputTokensPerSec = round(counts.outputTokens / options.measuredSeconds);
  }
  const inputAnswers = counts.inputFromUsage + counts.inputPlanned;
  if (inputAnswers > 0) section.inputTokens = totals(counts.inputTokens, inputAnswers, counts.inputFromUsage, 'usage', counts.inputPlanned, 'planned');
  const rates = histograms.requestTokensPerSec;
  if (rates !== undefined) {
    const histogram = decodeHistogram(rates);
    const at = (percent: number): number => round(histogram.getValueAtPercentile(percent) / RATE_SCALE);
    section.requestTokensPerSec = {
      mean: round(histogram.mean / RATE_SCALE),
      min: round(histogram.minNonZeroValue / RATE_SCALE),
      p1: at(1),
      p10: at(10),
      p50: at(50),
      p90: at(90),
      max: round(histogram.maxValue / RATE_SCALE),
    };
  }
  if (options.objectives !== undefined) {
    const judged = options.requests - counts.undetermined;
    section.goodput = {
      objectives: options.objectives,
      good: counts.good,
      undetermined: counts.undetermined,
      ...(judged > 0 ? { share: round(counts.good / judged, 6) } : {}),
      rps: options.measuredSeconds > 0 ? round(counts.good / options.measuredSeconds) : 0,
    };
  }
  return section;
}

function totals(total: number, answers: number, first: number, firstSource: TokenTotals['source'], second: number, secondSource: TokenTotals['source']): TokenTotals {
  const source = second === 0 ? firstSource : first === 0 ? secondSource : 'mixed';
  return { total, perRequest: round(total / answers), source, answers };
}

/**
 * The `llm` section of several runs of one load (shards) as one: counts add, histograms merge, and
 * every derived figure is computed again over the merged window. `requests` and `measuredSeconds`
 * are the merged run's.
 */
export function mergeLlmSections(sections: readonly LlmSection[], options: { measuredSeconds: number; requests: number }): LlmSection {
  const first = sections[0];
  if (first === undefined) throw new RangeError('no llm section to merge');
  const merged = mergeTokenSnapshots(sections.map((section) => ({ counts: section.counts, histograms: section.histograms })));
  return summarizeTokens(merged, { api: first.api, ...options, ...(first.goodput ? { objectives: first.goodput.objectives } : {}) });
}

const ITL_FIGURES: readonly { key: keyof LatencySummary; label: string; tail: boolean }[] = [
  { key: 'p50', label: 'p50', tail: false },
  { key: 'p90', label: 'p90', tail: false },
  { key: 'p99', label: 'p99', tail: false },
  { key: 'p999', label: 'p99.9', tail: true },
  { key: 'max', label: 'max', tail: true },
];

/** Judges the ITL figures against the generator's event-loop lag (see ItlTrust); undefined without ITL figures. */
export function judgeItl(itl: LatencySummary | undefined, lag: { p99Ms: number; maxMs: number }): ItlTrust | undefined {
  if (itl === undefined || itl.p50 === undefined) return undefined;
  const untrusted: string[] = [];
  let trustedUpTo: string | null = null;
  let broken = false;
  for (const { key, label, tail } of ITL_FIGURES) {
    const value = itl[key];
    if (value === undefined) continue;
    const trusted = (tail ? lag.maxMs : lag.p99Ms) <= Math.max(0.05 * value, 0.1);
    if (!trusted) untrusted.push(label);
    if (!trusted) broken = true;
    else if (!broken) trustedUpTo = label;
  }
  return { lagP99Ms: round(lag.p99Ms), lagMaxMs: round(lag.maxMs), trustedUpTo, untrusted };
}

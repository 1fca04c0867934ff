import { decodeHistogram } from '../record/histogram.js';
import { LATENCY_PERCENTILES } from '../record/result.js';
import type { Report } from '../report/report.js';
import type { MetricRef } from './metrics.js';
import { figureLabel, generatorPart, trustLimitMs, untrustedKeys, type LatencyStatRef } from './trust.js';

/**
 * The generator's estimated part in a latency figure of one report, as the trust rule judges it
 * (judge/trust.ts): what the SLA (judge/sla.ts) and compare (judge/compare.ts) both ask before they
 * judge a figure, so that a figure is withheld on one surface exactly when it is on the other.
 */
export interface GeneratorPart {
  /** The estimated part, ms: the generator's delay only ever adds latency. */
  ms: number;
  /** The statistic of the delay it is read from: "p99.5", "max", "twice the mean". */
  from: string;
  /** An open loop's send lag, or the closed loop's event-loop delay (it has no plan to be late against). */
  what: 'send lag' | 'event-loop delay';
  /** Whether the figure stands as measured: the part is within its tolerance and, for a judged figure, every one below it is trusted. */
  trusted: boolean;
}

/** Reads a report's generator parts; undefined for a metric that is not a latency or a report with no delay measured (external tools). */
export type GeneratorParts = (ref: MetricRef, value: number) => GeneratorPart | undefined;

export function generatorPartsOf(report: Report): GeneratorParts {
  const sendLag = report.histogramSendLag === undefined ? undefined : decodeHistogram(report.histogramSendLag);
  const judged = report.validity.trust ?? [];
  const untrusted = untrustedKeys(judged);
  return (ref, value) => {
    const stat = latencyStatOf(ref);
    if (stat === undefined) return undefined;
    // The figures the run's verdict judged (corrected p50..max) are trusted as it said, so every surface agrees.
    const key = judgedKey(stat);
    const entry = key === undefined ? undefined : judged.find((f) => f.figure === key);
    if (sendLag !== undefined && sendLag.totalCount > 0) {
      const part = generatorPart(sendLag, stat);
      // The judged figures are the corrected ones; an uncorrected figure is judged on its own part.
      const trusted = entry && stat.corrected ? !untrusted.has(entry.figure) : part.ms <= trustLimitMs(value);
      return { ...part, what: 'send lag', trusted };
    }
    // The closed loop measures from the actual send: its one latency is the one its verdict judged.
    if (entry === undefined) return undefined;
    return { ms: entry.lagMs, from: figureLabel(entry.figure), what: 'event-loop delay', trusted: !untrusted.has(entry.figure) };
  };
}

function judgedKey(stat: LatencyStatRef): string | undefined {
  if ('percentile' in stat) return stat.percentile === 100 ? 'max' : LATENCY_PERCENTILES.find((p) => p.percent === stat.percentile)?.key;
  return stat.stat === 'max' ? 'max' : undefined;
}

function latencyStatOf(ref: MetricRef): LatencyStatRef | undefined {
  if (ref.kind === 'percentile') return { percentile: ref.percentile, corrected: ref.corrected };
  if (ref.kind === 'latency') return { stat: ref.stat, corrected: ref.corrected };
  return undefined;
}

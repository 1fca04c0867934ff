import type { Histogram } from '../record/histogram.js';
import { LATENCY_PERCENTILES, type FigureTrust, type LatencySummary } from '../record/result.js';

/**
 * Which latency figures of an open-loop run the generator's own delay could not have moved.
 *
 * A coordinated-omission-corrected latency counts from the planned send, so every delay of the
 * generator lands in it: the send lag (actual minus planned send), and the delay in reading the
 * answer, which the same stalls cause and which is distributed like the send lag. A request is
 * exposed twice, so the share of requests the generator delays by more than x is about twice the
 * share of sends it delays by more than x: its contribution to latency percentile p is estimated by
 * the send lag at percentile (100 + p) / 2 (p99 -> p99.5, p99.9 -> p99.95; max -> max). A latency
 * from the actual send (uncorrected) is exposed only at the answer: the send lag at p itself.
 *
 * A figure is trusted when that estimate is at most TRUST_SHARE of the figure or TRUST_FLOOR_MS,
 * whichever is larger (5% is below the run-to-run spread of tail percentiles, and 0.1 ms below
 * any latency objective set on an HTTP endpoint), and every figure below it is trusted: the requests
 * that set a higher figure include the ones the generator delayed, so a figure is never trusted above
 * one that is not (max, the (100 + 100) / 2 case, included). Trust thus runs from p50 up to
 * trustedUpTo, and every surface marks exactly the figures above it.
 */
export const TRUST_SHARE = 0.05;
export const TRUST_FLOOR_MS = 0.1;

/** The figures judged, lowest first. */
export const JUDGED_FIGURES: readonly { key: keyof LatencySummary; percent: number }[] = [
  ...LATENCY_PERCENTILES.map(({ key, percent }) => ({ key, percent })),
  { key: 'max', percent: 100 },
];
/**
 * An open-loop run is valid only when every figure from p50 up to this one is trusted (issue 9's
 * contract: the figures a latency objective is set on). The figures above it are each marked trusted
 * or not without voiding the run, and an SLA clause on any untrusted figure is judged only where the
 * generator's lag could not change it. A served-rate shortfall is held against the target on the same
 * condition: below it the generator's own delays (which hold connections longer) could account for it.
 */
export const VALID_THROUGH = 'p99';

export function trustLimitMs(latencyMs: number): number {
  return Math.max(TRUST_SHARE * latencyMs, TRUST_FLOOR_MS);
}

/** The send-lag percentile that estimates the generator's part in latency percentile `percent`. */
export function lagPercentileFor(percent: number, corrected: boolean): number {
  if (percent >= 100 || !corrected) return Math.min(percent, 100);
  return (100 + percent) / 2;
}

/** The generator's estimated part in a latency percentile, ms. */
export function generatorDelayMs(sendLag: Histogram, percent: number, corrected: boolean): number {
  const at = lagPercentileFor(percent, corrected);
  return (at >= 100 ? sendLag.maxValue : sendLag.getValueAtPercentile(at)) / 1000;
}

/**
 * Judges every figure of `latency` that is present. An open loop's (corrected) latency is judged on
 * its send-lag histogram; the closed loop's, measured from the actual send and so exposed to the
 * generator only in reading the answer, on its event-loop delay at the same percentile (`delays`,
 * ms by figure key), which stands in for a send lag it has no plan to measure.
 */
export function judgeTrust(latency: LatencySummary, generator: Histogram | Readonly<Record<string, number>>): FigureTrust[] {
  const judged: FigureTrust[] = [];
  let firstUntrusted: string | undefined;
  for (const { key, percent } of JUDGED_FIGURES) {
    const latencyMs = latency[key];
    if (latencyMs === undefined) continue;
    const delay = isHistogram(generator) ? generatorDelayMs(generator, percent, true) : generator[key];
    if (delay === undefined) continue;
    const lagMs = round(delay);
    const limitMs = round(trustLimitMs(latencyMs));
    const ownTest = lagMs <= limitMs;
    judged.push({ figure: key, latencyMs, lagMs, limitMs, trusted: ownTest && firstUntrusted === undefined, ...(ownTest && firstUntrusted !== undefined ? { belowUntrusted: firstUntrusted } : {}) });
    if (!ownTest) firstUntrusted ??= key;
  }
  return judged;
}

function isHistogram(value: Histogram | Readonly<Record<string, number>>): value is Histogram {
  return typeof (value as Histogram).getValueAtPercentile === 'function';
}

/**
 * The keys of the figures not trusted: from the first one that is not, every one above it, whatever
 * its own flag says (reports written before trust ran upwards may trust a figure above one that is not).
 */
export function untrustedKeys(figures: readonly FigureTrust[]): Set<string> {
  const first = figures.findIndex((f) => !f.trusted);
  return new Set(first < 0 ? [] : figures.slice(first).map((f) => f.figure));
}

/** The highest figure up to which every figure, from p50, is trusted; null when p50 is not. */
export function trustedUpTo(figures: readonly FigureTrust[]): string | null {
  let upTo: string | null = null;
  for (const figure of figures) {
    if (!figure.trusted) break;
    upTo = figure.figure;
  }
  return upTo;
}

/** Whether every judged figure from p50 up to `upTo` (a figure key) is trusted. */
export function trustedThrough(figures: readonly FigureTrust[], upTo: string): boolean {
  const last = JUDGED_FIGURES.findIndex(({ key }) => key === upTo);
  const core = new Set(JUDGED_FIGURES.slice(0, last + 1).map(({ key }) => key as string));
  return figures.filter((f) => core.has(f.figure)).every((f) => f.trusted);
}

/** The name people read for a figure key: p999 -> p99.9. */
export function figureLabel(key: string): string {
  return LATENCY_PERCENTILES.find((p) => p.key === key)?.label ?? key;
}

/** The send-lag percentile's name for a figure, as the rule uses it: p99 -> p99.5. */
export function lagLabel(key: string): string {
  const figure = JUDGED_FIGURES.find((f) => f.key === key);
  if (!figure || figure.percent >= 100) return 'max';
  return `p${String(lagPercentileFor(figure.percent, true))}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** A latency statistic an SLA clause can name, as the trust rule sees it. */
export type LatencyStatRef = { percentile: number; corrected: boolean } | { stat: 'min' | 'max' | 'mean' | 'stdev'; corrected: boolean };

/**
 * The generator's estimated part in any latency statistic, ms, with the send-lag statistic it is read
 * from: percentiles as the rule says; max from the lag's max; the mean from the lag's mean (twice
 * for corrected latency, exposed at send and answer); the stdev from the lag's; min from the lag's.
 */
export function generatorPart(sendLag: Histogram, ref: LatencyStatRef): { ms: number; from: string } {
  const exposures = ref.corrected ? 2 : 1;
  if ('percentile' in ref) {
    const at = lagPercentileFor(ref.percentile, ref.corrected);
    return { ms: generatorDelayMs(sendLag, ref.percentile, ref.corrected), from: at >= 100 ? 'max' : `p${String(at)}` };
  }
  switch (ref.stat) {
    case 'max':
      return { ms: sendLag.maxValue / 1000, from: 'max' };
    case 'min':
      return { ms: sendLag.getValueAtPercentile(0) / 1000, from: 'min' };
    case 'mean':
      return { ms: (exposures * sendLag.mean) / 1000, from: exposures === 2 ? 'twice the mean' : 'mean' };
    case 'stdev':
      return { ms: sendLag.stdDeviation / 1000, from: 'stdev' };
  }
}

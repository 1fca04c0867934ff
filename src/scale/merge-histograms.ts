import { decodeHistogram, encodeHistogram, summarizeHistogram, type Histogram } from '../record/histogram.js';
import type { LatencySummary } from '../record/result.js';

/**
 * How a merge finds the histograms of a report, whatever feature added them. An HdrHistogram (V2
 * compressed base64; microseconds, or another unit whose summary divides it by 1000, such as
 * milli-tokens per second) is held by:
 * - any object key that is `histogram` or starts with it (`histogramUncorrected`,
 *   `histogramSendLag`, ...): its summary is, at the report's top level, the field
 *   TOP_LEVEL_SUMMARIES names, and elsewhere the summary fields (p50, max, ...) beside a
 *   `histogram` key in the same object, e.g. `{ p50, p99, max, histogram }`;
 * - any string in an object under the key `histograms`, by name (`{ ttft: {p50, ...}, histograms:
 *   { ttft: "..." } }`): its summary is the object of the same name beside `histograms`.
 */
export const HISTOGRAM_KEY = /^histogram(?:[A-Z]\w*)?$/;
const HISTOGRAM_SET_KEY = 'histograms';

/**
 * Top-level histograms whose summary lives elsewhere: `whole` summaries are written in full, the
 * others keep the keys they have (the send lag's p50, p90, p99, p999 and max in the verdict).
 */
const TOP_LEVEL_SUMMARIES: Readonly<Record<string, { at: readonly string[]; whole: boolean }>> = {
  histogram: { at: ['latency'], whole: true },
  histogramUncorrected: { at: ['latencyUncorrected'], whole: true },
  histogramSendLag: { at: ['validity', 'sendLag'], whole: false },
};

const SUMMARY_KEYS: ReadonlySet<string> = new Set(['min', 'mean', 'stdev', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'p9999', 'max']);

/** One histogram found in the reports: where, and the sum over every report that has it. */
export interface MergedHistogram {
  path: readonly string[];
  histogram: Histogram;
  /** How many of the reports held it. */
  from: number;
  /**
   * Smallest min and largest max of the shards' own summaries, when each had them: exact, where a
   * decoded histogram only knows the edges of the buckets they fell in.
   */
  min?: number;
  max?: number;
}

/**
 * Adds, at every histogram path found in any of `trees`, the histograms of all trees that have one
 * there. Exact: HdrHistograms of the same precision add bucket by bucket, so the sum is the
 * histogram of all values recorded by all shards. Arrays are not entered (timelines are aligned by
 * time, not by position: see mergeTimelines).
 * @throws Error from hdr-histogram-js when a value is not a decodable histogram.
 */
export function addHistograms(trees: readonly unknown[]): MergedHistogram[] {
  const found = new Map<string, MergedHistogram>();
  const visit = (root: Record<string, unknown>, node: unknown, path: string[]): void => {
    if (!isPlainObject(node)) return;
    const inSet = path[path.length - 1] === HISTOGRAM_SET_KEY;
    for (const [key, value] of Object.entries(node)) {
      if ((inSet || HISTOGRAM_KEY.test(key)) && typeof value === 'string') {
        const at = [...path, key];
        const id = JSON.stringify(at);
        const decoded = decodeHistogram(value);
        // An empty histogram has no extremes to give; it must not void the others'.
        const summary = decoded.totalCount > 0 ? summaryHolder(root, at) : { min: Infinity, max: -Infinity };
        const existing = found.get(id);
        if (existing) {
          existing.histogram.add(decoded);
          existing.from++;
          existing.min = extreme(existing.min, summary?.['min'], Math.min);
          existing.max = extreme(existing.max, summary?.['max'], Math.max);
        } else {
          found.set(id, { path: at, histogram: decoded, from: 1, min: extreme(0, summary?.['min'], (_, v) => v), max: extreme(0, summary?.['max'], (_, v) => v) });
        }
      } else visit(root, value, [...path, key]);
    }
  };
  for (const tree of trees) if (isPlainObject(tree)) visit(tree, tree, []);
  return [...found.values()];
}

/**
 * Writes merged histograms into `target` (a clone of one report) with the summaries that derive
 * from them: the summary keys already present are recomputed, so each summary keeps its shape.
 */
export function writeHistograms(target: Record<string, unknown>, merged: readonly MergedHistogram[]): void {
  for (const { path, histogram, min, max } of merged) {
    const parent = ensurePath(target, path.slice(0, -1));
    const key = path[path.length - 1]!;
    parent[key] = encodeHistogram(histogram);
    const summary = summarizeHistogram(histogram);
    if (histogram.totalCount > 0 && min !== undefined) summary.min = min;
    if (histogram.totalCount > 0 && max !== undefined) summary.max = max;
    const top = path.length === 1 ? TOP_LEVEL_SUMMARIES[key] : undefined;
    if (top?.whole) target[top.at[0]!] = summary;
    else {
      const holder = summaryHolder(target, path);
      if (holder) resummarize(holder, summary);
    }
  }
}

/** Where the summary of the histogram at `path` lives in one report, if it has one. */
function summaryHolder(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  const key = path[path.length - 1]!;
  const at = (where: readonly string[]): Record<string, unknown> | undefined => {
    let node: unknown = root;
    for (const step of where) node = isPlainObject(node) ? node[step] : undefined;
    return isPlainObject(node) ? node : undefined;
  };
  const top = path.length === 1 ? TOP_LEVEL_SUMMARIES[key] : undefined;
  if (top) return at(top.at);
  if (path[path.length - 2] === HISTOGRAM_SET_KEY) return at([...path.slice(0, -2), key]);
  return key === 'histogram' ? at(path.slice(0, -1)) : undefined;
}

/** Folds one shard's figure in; undefined as soon as one shard lacks it, so a partial extreme is never passed off as the run's. */
function extreme(sofar: number | undefined, value: unknown, choose: (a: number, b: number) => number): number | undefined {
  return sofar === undefined || typeof value !== 'number' ? undefined : choose(sofar, value);
}

function resummarize(holder: Record<string, unknown>, summary: LatencySummary): void {
  for (const key of Object.keys(holder)) {
    if (!SUMMARY_KEYS.has(key)) continue;
    const value = summary[key as keyof LatencySummary];
    if (value === undefined) delete holder[key];
    else holder[key] = value;
  }
}

function ensurePath(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let node = root;
  for (const key of path) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  return node;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

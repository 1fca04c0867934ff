import { ToolError } from '../core/errors.js';

/** One sample line of the Prometheus text exposition format (version 0.0.4). */
export interface PromSample {
  /** The sample's own name: a histogram's lines are `x_bucket`, `x_sum`, `x_count`. */
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

const SAMPLE_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Parses the text format that exporters serve on /metrics. Comment lines (# HELP, # TYPE) are
 * skipped: names alone decide how a metric is read. Accepts the variations real exporters emit:
 * spaces after commas in label sets (DCGM), a trailing comma (TorchServe), timestamps, NaN and ±Inf.
 * Throws ToolError naming the first line that is not in the format.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSampleLine(line);
    if (!sample) {
      throw new ToolError(`metrics line ${i + 1} is not Prometheus text format: ${truncate(line)}`);
    }
    samples.push(sample);
  }
  return samples;
}

function parseSampleLine(line: string): PromSample | undefined {
  const name = SAMPLE_NAME.exec(line)?.[0];
  if (!name) return undefined;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (!parsed) return undefined;
    Object.assign(labels, parsed.labels);
    rest = rest.slice(parsed.length);
  }
  // Value, then an optional timestamp in ms that we do not need: samples are stamped on arrival.
  const parts = rest.trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2 || !/^\s/.test(rest)) return undefined;
  const value = parseValue(parts[0]!);
  return value === undefined ? undefined : { name, labels, value };
}

/** Reads `{a="x",b="y"}` from the start of `text`; returns the labels and how many chars it took. */
function parseLabels(text: string): { labels: Record<string, string>; length: number } | undefined {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, length: i + 1 };
    const labelName = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!labelName) return undefined;
    i += labelName.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') return undefined;
    i += 2;
    let value = '';
    for (;;) {
      const ch = text[i];
      if (ch === undefined) return undefined;
      if (ch === '"') break;
      if (ch === '\\') {
        const escaped = text[i + 1];
        value += escaped === 'n' ? '\n' : (escaped ?? '');
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
    i++;
    labels[labelName] = value;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return undefined;
  }
}

function parseValue(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : undefined;
}

function truncate(line: string): string {
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** One scrape, indexed by sample name, for the readers of known exporter metrics. */
export class Exposition {
  private readonly byName = new Map<string, PromSample[]>();

  constructor(samples: readonly PromSample[]) {
    for (const sample of samples) {
      const list = this.byName.get(sample.name);
      if (list) list.push(sample);
      else this.byName.set(sample.name, [sample]);
    }
  }

  series(name: string): readonly PromSample[] {
    return this.byName.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }
}

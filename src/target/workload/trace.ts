import { SettingsError } from '../../core/errors.js';
import { seededRandom } from '../../core/seeded-random.js';
import { withinBound } from '../../settings/bounds.js';
import { itemSeed, syntheticPrompt } from './synthetic.js';
import { readJsonLines } from './json-lines.js';
import type { Workload, WorkloadItem } from './workload.js';

/** One request of a trace. */
export interface TraceEntry {
  /** When it arrived, ms after the trace's first request. */
  readonly offsetMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Mooncake's prefix-block ids: requests that share a leading id share that block of prompt. */
  readonly hashIds?: readonly number[];
}

/** Tokens one Mooncake hash id stands for. */
export const MOONCAKE_BLOCK_TOKENS = 512;

/**
 * Reads a timestamped request trace in the Mooncake format (JSONL, one request a line:
 * `{"timestamp": <ms>, "input_length": n, "output_length": m, "hash_ids": [...]}`, as published
 * with Mooncake, arXiv:2407.00079, and replayed by AIPerf and GuideLLM). `offset_ms`,
 * `input_tokens` and `output_tokens` are accepted as the same fields. Entries are put in time
 * order and offsets start at the first request.
 */
export function readTrace(path: string, setting = '--trace'): TraceEntry[] {
  const entries = readJsonLines(path, setting, 'trace', parseTraceLine);
  entries.sort((a, b) => a.offsetMs - b.offsetMs);
  const first = entries[0]!.offsetMs;
  return entries.map((entry) => ({ ...entry, offsetMs: entry.offsetMs - first }));
}

export function parseTraceLine(line: string, where: string): TraceEntry {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new SettingsError(`${where} is not JSON: expected {"timestamp": ms, "input_length": n, "output_length": m}`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new SettingsError(`${where} is not a JSON object: expected {"timestamp": ms, "input_length": n, "output_length": m}`);
  }
  const number = (names: string[], minimum: number): number => {
    const value = names.map((name) => record[name]).find((candidate) => candidate !== undefined);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
      throw new SettingsError(`${where}: "${names[0]}" must be a number of at least ${minimum}`);
    }
    return value;
  };
  const tokens = (names: string[]): number => {
    const value = Math.round(number(names, 1));
    return withinBound('tokens', value, `${where}: "${names[0]}"`);
  };
  const entry = {
    offsetMs: number(['timestamp', 'offset_ms'], 0),
    inputTokens: tokens(['input_length', 'input_tokens']),
    outputTokens: tokens(['output_length', 'output_tokens']),
  };
  const hashIds = record['hash_ids'];
  if (hashIds === undefined) return entry;
  if (!Array.isArray(hashIds) || !hashIds.every((id) => Number.isInteger(id))) throw new SettingsError(`${where}: "hash_ids" must be an array of integers`);
  return { ...entry, hashIds: hashIds as number[] };
}

/**
 * The requests of a trace: entry `i` gives request `i` its input and output lengths. With
 * Mooncake hash ids, each id is a 512-token block of prompt drawn from a seed of that id, so
 * requests sharing leading ids share a prompt prefix as in the traced workload (the prefix
 * caching the trace was recorded with stays visible); otherwise the prompt is drawn from the
 * entry's index.
 */
export class TraceWorkload implements Workload {
  readonly size: number;
  readonly description: string;

  constructor(
    private readonly entries: readonly TraceEntry[],
    origin: string,
    private readonly seed = 1,
  ) {
    this.size = entries.length;
    this.description = `trace: ${origin} (${entries.length} request${entries.length === 1 ? '' : 's'})`;
  }

  item(index: number): WorkloadItem {
    const entry = this.entries[index % this.size]!;
    return { prompt: this.prompt(entry, index % this.size), inputTokens: entry.inputTokens, outputTokens: entry.outputTokens };
  }

  private prompt(entry: TraceEntry, index: number): string {
    if (entry.hashIds === undefined || entry.hashIds.length === 0) return syntheticPrompt(entry.inputTokens, seededRandom(itemSeed(this.seed, index)));
    const words: string[] = [];
    for (const id of entry.hashIds) {
      if (words.length >= entry.inputTokens) break;
      words.push(...this.block(id).slice(0, entry.inputTokens - words.length));
    }
    // A trace whose blocks fall short of its input length gets the rest drawn from the entry.
    if (words.length < entry.inputTokens) words.push(syntheticPrompt(entry.inputTokens - words.length, seededRandom(itemSeed(this.seed, index))));
    return words.join(' ');
  }

  /** Drawn anew each time rather than cached: a long trace has more distinct blocks than is worth keeping. */
  private block(id: number): string[] {
    return syntheticPrompt(MOONCAKE_BLOCK_TOKENS, seededRandom(itemSeed(this.seed ^ 0x6d6f6f6e, id))).split(' ');
  }
}

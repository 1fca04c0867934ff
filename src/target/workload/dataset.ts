import { SettingsError } from '../../core/errors.js';
import { withinBound } from '../../settings/bounds.js';
import type { ChatMessage, Workload, WorkloadItem } from './workload.js';
import { readJsonLines } from './json-lines.js';

/**
 * A JSONL dataset, one request per line, used in rotation. A line is either
 * `{"messages": [{"role": "user", "content": "..."}, ...]}` (chat, as the OpenAI API takes it) or
 * `{"prompt": "..."}`; either may add `"max_tokens"` (or `"output_tokens"`) to ask for that many
 * output tokens. Blank lines are skipped.
 */
export class DatasetWorkload implements Workload {
  readonly size: number;
  readonly description: string;

  constructor(private readonly items: readonly WorkloadItem[], origin: string) {
    this.size = items.length;
    this.description = `dataset: ${origin} (${items.length} request${items.length === 1 ? '' : 's'})`;
  }

  item(index: number): WorkloadItem {
    return this.items[index % this.size]!;
  }
}

export function readDataset(path: string, setting = '--dataset'): DatasetWorkload {
  const items = readJsonLines(path, setting, 'dataset', parseDatasetLine);
  return new DatasetWorkload(items, path);
}

const EXPECTED = 'expected {"messages": [{"role", "content"}, ...]} or {"prompt": "..."}';

export function parseDatasetLine(line: string, where: string): WorkloadItem {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch {
    throw new SettingsError(`${where} is not JSON: ${EXPECTED}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SettingsError(`${where} is not a JSON object: ${EXPECTED}`);
  const record = value as Record<string, unknown>;
  const outputTokens = outputTokensOf(record, where);
  const extra = outputTokens === undefined ? {} : { outputTokens };
  if (record['messages'] !== undefined) return { messages: messagesOf(record['messages'], where), ...extra };
  if (typeof record['prompt'] === 'string') return { prompt: record['prompt'], ...extra };
  throw new SettingsError(`${where} has neither "messages" nor a "prompt" string: ${EXPECTED}`);
}

function messagesOf(value: unknown, where: string): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new SettingsError(`${where}: "messages" must be a non-empty array of {"role", "content"}`);
  return value.map((message, index) => {
    const entry = message as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null || typeof entry['role'] !== 'string' || typeof entry['content'] !== 'string') {
      throw new SettingsError(`${where}: messages[${index}] must be {"role": string, "content": string}`);
    }
    return { role: entry['role'], content: entry['content'] };
  });
}

function outputTokensOf(record: Record<string, unknown>, where: string): number | undefined {
  const value = record['max_tokens'] ?? record['output_tokens'];
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) throw new SettingsError(`${where}: "max_tokens" must be a positive integer`);
  return withinBound('tokens', value as number, `${where}: "max_tokens"`);
}

import { SettingsError } from '../../core/errors.js';
import { seededRandom } from '../../core/seeded-random.js';
import { withinBound } from '../../settings/bounds.js';
import { publicVocabulary } from './public-text.js';
import type { Workload, WorkloadItem } from './workload.js';

/** A token count drawn per request: uniform over [mean - spread, mean + spread], never below 1. */
export interface TokenCount {
  readonly mean: number;
  readonly spread: number;
}

/** Distinct synthetic requests before the rotation repeats. */
export const SYNTHETIC_ITEMS = 1000;

/**
 * Parses "512" (exactly 512) or "512:64" (512 ± 64, uniform), at most BOUNDS.tokens (mean + spread).
 * `setting` names the flag.
 */
export function parseTokenCount(text: string, setting: string): TokenCount {
  const match = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(text);
  if (!match) throw new SettingsError(`${setting} must be a token count like 512, or 512:64 for 512 ± 64, got "${text}"`);
  const mean = Number(match[1]);
  const spread = Number(match[2] ?? 0);
  if (mean < 1) throw new SettingsError(`${setting} must be at least 1 token, got "${text}"`);
  if (spread >= mean) throw new SettingsError(`${setting}: the spread (${spread}) must be smaller than the mean (${mean})`);
  withinBound('tokens', mean + spread, spread === 0 ? setting : `${setting} (mean + spread)`, text.trim());
  return { mean, spread };
}

/** Draws a count from `random` (uniform integers over the range). */
export function drawCount(count: TokenCount, random: () => number): number {
  if (count.spread === 0) return count.mean;
  return Math.max(1, count.mean - count.spread + Math.floor(random() * (2 * count.spread + 1)));
}

/**
 * A prompt of about `tokens` tokens: that many words drawn with `random` from the shipped text's
 * most frequent short words, each about one token with its leading space for BPE tokenizers (the
 * server's `usage.prompt_tokens` is the exact figure when it gives one).
 */
export function syntheticPrompt(tokens: number, random: () => number): string {
  const words = publicVocabulary();
  const parts = new Array<string>(tokens);
  for (let index = 0; index < tokens; index++) parts[index] = words[Math.floor(random() * words.length)]!;
  return parts.join(' ');
}

/** A seed for item `index` of a workload seeded with `seed` (splitmix-style mixing, so neighbours differ). */
export function itemSeed(seed: number, index: number): number {
  let value = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  value = Math.imul(value ^ (value >>> 16), 0x85ebca6b) >>> 0;
  value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}

/**
 * Synthetic requests of set input and output lengths, as `vllm bench serve --dataset-name random`
 * and AIPerf's synthetic prompts make: item `i` is a pure function of (seed, i), so every worker
 * builds the same requests, and prompts differ from item to item so a prefix cache cannot
 * answer them.
 */
export class SyntheticWorkload implements Workload {
  readonly size = SYNTHETIC_ITEMS;
  readonly description: string;

  constructor(
    private readonly input: TokenCount,
    private readonly output: TokenCount | undefined,
    private readonly seed = 1,
  ) {
    const show = (count: TokenCount): string => (count.spread ? `${count.mean}±${count.spread}` : `${count.mean}`);
    this.description = `synthetic: ${show(input)} input tokens, ${output ? `${show(output)} output tokens` : 'output length left to the server'}`;
  }

  item(index: number): WorkloadItem {
    const random = seededRandom(itemSeed(this.seed, index % this.size));
    const inputTokens = drawCount(this.input, random);
    const prompt = syntheticPrompt(inputTokens, random);
    return this.output === undefined ? { prompt, inputTokens } : { prompt, inputTokens, outputTokens: drawCount(this.output, random) };
  }
}

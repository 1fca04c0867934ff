import { seededRandom } from '../../core/seeded-random.js';
import type { TokenModel } from './ngram-model.js';

/** One generation in progress. */
export interface Generation {
  /** The prompt's last characters: what the first token follows. */
  readonly context: string;
  readonly promptTokens: number;
  readonly maxTokens: number;
  /** Keep generating to maxTokens; otherwise a sentence end after the first token stops it. */
  readonly ignoreEos: boolean;
  /** Receives each token as it is made. */
  onToken(text: string): void;
  /** Generation ended: `length` at maxTokens, `stop` at a sentence end. */
  onDone(reason: 'length' | 'stop', completionTokens: number): void;
}

/** Prompt tokens one prefill step reads: prefill costs one evaluation per this many prompt tokens, as batched prefill is cheaper per token than decoding. */
const PREFILL_TOKENS_PER_EVALUATION = 16;

interface Running {
  readonly generation: Generation;
  context: string;
  made: number;
  prefillLeft: number;
  cancelled: boolean;
  readonly random: () => number;
}

/**
 * Continuous batching on one thread, as LLM servers (vLLM, TGI) schedule a GPU: each step reads
 * the prompt of newly admitted requests (prefill) and makes one token for every running one
 * (decode); requests join and leave between steps; past `maxBatch` running requests, new ones wait.
 * So time to first token grows with the prompt and the queue, and the gap between tokens grows
 * with the batch, as on a real server. Steps yield to the event loop between them, so sockets are
 * served while generation runs.
 */
export class Batcher {
  private readonly running: Running[] = [];
  private readonly waiting: Running[] = [];
  private scheduled = false;
  private seed = 1;

  constructor(
    private readonly model: () => TokenModel,
    private readonly maxBatch: number,
    /** Evaluations per token: 1 is the model's own cost; more models a larger model. */
    private readonly evaluationsPerToken: number,
  ) {}

  get size(): number {
    return this.running.length + this.waiting.length;
  }

  /** Queues a generation; returns a function that cancels it (the client went away). */
  submit(generation: Generation): () => void {
    const entry: Running = {
      generation,
      context: generation.context,
      made: 0,
      prefillLeft: Math.ceil(generation.promptTokens / PREFILL_TOKENS_PER_EVALUATION),
      cancelled: false,
      random: seededRandom(this.seed++),
    };
    if (this.running.length < this.maxBatch) this.running.push(entry);
    else this.waiting.push(entry);
    this.schedule();
    return () => {
      entry.cancelled = true;
    };
  }

  /** Drops everything (server shutting down); callers answer their clients themselves. */
  clear(): void {
    for (const entry of [...this.running, ...this.waiting]) entry.cancelled = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.step());
  }

  private step(): void {
    this.scheduled = false;
    const model = this.model();
    for (let index = 0; index < this.running.length; index++) {
      const entry = this.running[index]!;
      if (entry.cancelled) continue;
      if (entry.prefillLeft > 0) {
        // One step reads a slice of the prompt, like chunked prefill.
        const slice = Math.min(entry.prefillLeft, 8);
        for (let pass = 0; pass < slice * this.evaluationsPerToken; pass++) model.nextToken(entry.context, entry.random);
        entry.prefillLeft -= slice;
        continue;
      }
      let token = '';
      for (let pass = 0; pass < this.evaluationsPerToken; pass++) token = model.nextToken(entry.context, entry.random);
      entry.made++;
      entry.context = (entry.context + token).slice(-64);
      const { generation } = entry;
      generation.onToken(token);
      if (entry.made >= generation.maxTokens) this.finish(entry, 'length');
      else if (!generation.ignoreEos && /[.!?]$/.test(token)) this.finish(entry, 'stop');
    }
    this.admit();
    if (this.running.length > 0) this.schedule();
  }

  private finish(entry: Running, reason: 'length' | 'stop'): void {
    entry.cancelled = true;
    entry.generation.onDone(reason, entry.made);
  }

  /** Removes finished and cancelled generations and lets waiting ones in. */
  private admit(): void {
    let kept = 0;
    for (const entry of this.running) if (!entry.cancelled) this.running[kept++] = entry;
    this.running.length = kept;
    while (this.running.length < this.maxBatch && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (!next.cancelled) this.running.push(next);
    }
  }
}

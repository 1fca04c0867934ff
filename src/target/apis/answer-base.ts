/** Bytes of a body kept for the sample of a bad answer. */
export const SAMPLE_BYTES = 512;
/** Largest whole body a reader collects to check; past it the answer is judged on its size alone. */
export const MAX_CHECKED_BODY_BYTES = 32 * 1024 * 1024;

/**
 * What every answer reader shares: the kept first bytes of the body, the token arrival times, the
 * usage counts. Buffers are allocated once per connection and reused for every answer.
 */
export abstract class AnswerBase {
  tokenTimes = new Float64Array(256);
  tokenEvents = 0;
  promptTokens = -1;
  completionTokens = -1;
  streamed = false;
  endedWithoutDone = false;
  private readonly kept = Buffer.allocUnsafe(SAMPLE_BYTES);
  private keptLength = 0;

  /** Clears what the last answer left. */
  protected resetAnswer(): void {
    this.tokenEvents = 0;
    this.promptTokens = -1;
    this.completionTokens = -1;
    this.streamed = false;
    this.endedWithoutDone = false;
    this.keptLength = 0;
  }

  /** Keeps the body's first bytes for a sample. */
  protected keep(bytes: Buffer, start: number, end: number): void {
    if (this.keptLength >= SAMPLE_BYTES) return;
    const take = Math.min(end - start, SAMPLE_BYTES - this.keptLength);
    bytes.copy(this.kept, this.keptLength, start, start + take);
    this.keptLength += take;
  }

  protected noteToken(nowMs: number): void {
    if (this.tokenEvents === this.tokenTimes.length) {
      const grown = new Float64Array(this.tokenTimes.length * 2);
      grown.set(this.tokenTimes);
      this.tokenTimes = grown;
    }
    this.tokenTimes[this.tokenEvents++] = nowMs;
  }

  sample(): string {
    return this.kept.toString('utf8', 0, this.keptLength);
  }
}

/** A growable byte buffer reused from answer to answer, for protocols judged on the whole body. */
export class BodyCollector {
  private buffer = Buffer.allocUnsafe(4096);
  length = 0;
  /** More bytes arrived than MAX_CHECKED_BODY_BYTES; they were not kept. */
  overflow = false;

  reset(): void {
    this.length = 0;
    this.overflow = false;
  }

  add(bytes: Buffer, start: number, end: number): void {
    const needed = this.length + end - start;
    if (needed > MAX_CHECKED_BODY_BYTES) {
      this.overflow = true;
      return;
    }
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    bytes.copy(this.buffer, this.length, start, end);
    this.length = needed;
  }

  /** The collected bytes, valid until the next reset or add. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Parses JSON text; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The message of an error object in an answer, in the shapes servers use: OpenAI's
 * `{"error": {"message": ...}}`, vLLM's `{"object": "error", "message": ...}`, KServe's and
 * Triton's `{"error": "..."}`. Undefined when `value` is not an error object.
 */
export function errorMessageOf(value: Record<string, unknown>): string | undefined {
  const error = value['error'];
  if (typeof error === 'string') return error;
  if (isObject(error)) return typeof error['message'] === 'string' ? error['message'] : JSON.stringify(error);
  if (error !== undefined && error !== null) return String(error);
  if (value['object'] === 'error') return typeof value['message'] === 'string' ? value['message'] : 'error object';
  return undefined;
}

/** Shortens a server's message for a one-line problem. */
export function clip(text: string, length = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

import { SseParser, type SseEventSink } from '../../load/sse-parser.js';
import type { AnswerReader } from './api.js';
import { AnswerBase, BodyCollector, clip, errorMessageOf, isObject, parseJson } from './answer-base.js';
import { ChunkScanner, FINISHED, OUTPUT, UNSURE } from './openai-chunk-scan.js';

export type OpenAiKind = 'chat' | 'completions';

const DONE = Buffer.from('[DONE]');
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OPEN_BRACE = 0x7b;

/**
 * Reads OpenAI-compatible answers (chat completions or completions), streamed or whole.
 *
 * A stream is server-sent events, each `data:` a JSON chunk (`chat.completion.chunk`, or a
 * `text_completion` for completions) and the last `data: [DONE]`; with
 * `stream_options.include_usage` one chunk before [DONE] has empty `choices` and the `usage`.
 * An event carries output when a choice has non-empty `delta.content` (or the reasoning text
 * some servers send in `delta.reasoning_content` / `delta.reasoning`, or `delta.tool_calls`) for
 * chat, non-empty `text` for completions; that event's arrival is a token time.
 *
 * Not a valid answer: an event that is not JSON, an error object (in a chunk or as the whole
 * body), a chunk with neither `choices` nor `usage`, a stream with no output, a stream cut inside
 * an event, a stream that ends with neither [DONE] nor a finish_reason. A stream that ends on a
 * finish_reason without [DONE] is accepted and counted (`endedWithoutDone`).
 * Whether the body is a stream is read from its first byte: a JSON body starts with `{`, an
 * event stream never does.
 *
 * Each event is read first by a ChunkScanner straight from its bytes (no string, no objects: the
 * per-token cost of a stream), and with JSON.parse only where the scanner cannot vouch for it.
 */
export class OpenAiAnswerReader extends AnswerBase implements AnswerReader, SseEventSink {
  private readonly parser = new SseParser(this);
  private readonly scanner = new ChunkScanner();
  private readonly whole = new BodyCollector();
  /** 0: not known yet (only whitespace so far), 1: event stream, 2: one JSON body. */
  private mode = 0;
  private nowMs = 0;
  private problem: string | undefined;
  private done = false;
  private finished = false;
  private chunks = 0;

  constructor(private readonly kind: OpenAiKind) {
    super();
  }

  begin(): void {
    this.resetAnswer();
    this.parser.reset();
    this.whole.reset();
    this.mode = 0;
    this.problem = undefined;
    this.done = false;
    this.finished = false;
    this.chunks = 0;
  }

  body(bytes: Buffer, start: number, end: number, nowMs: number): void {
    this.keep(bytes, start, end);
    if (this.mode === 0) {
      let first = start;
      while (first < end && WHITESPACE.has(bytes[first]!)) first++;
      if (first === end) return;
      this.mode = bytes[first] === OPEN_BRACE ? 2 : 1;
      this.streamed = this.mode === 1;
    }
    if (this.mode === 2) return this.whole.add(bytes, start, end);
    this.nowMs = nowMs;
    if (!this.parser.push(bytes, start, end) && this.problem === undefined) this.problem = 'an event of the stream is larger than the parser accepts';
  }

  end(): string | undefined {
    if (this.mode === 2) return this.checkWhole();
    const clean = this.parser.end();
    if (this.problem !== undefined) return this.problem;
    if (this.mode === 0) return 'empty answer: no body';
    if (!clean) return 'the stream was cut inside an event';
    if (this.chunks === 0) return 'the stream carried no JSON chunk';
    if (this.tokenEvents === 0) return 'the stream carried no output token';
    if (!this.done && !this.finished) return 'the stream ended with neither data: [DONE] nor a finish_reason';
    this.endedWithoutDone = !this.done;
    return undefined;
  }

  onEvent(bytes: Buffer, start: number, end: number, eventType: string): void {
    if (this.problem !== undefined) return;
    if (end - start === DONE.length && bytes.compare(DONE, 0, DONE.length, start, end) === 0) {
      this.done = true;
      return;
    }
    if (eventType !== 'error') {
      const scanned = this.scanner.scan(bytes, start, end, this.kind === 'completions');
      if (scanned !== UNSURE) {
        this.chunks++;
        if (scanned & FINISHED) this.finished = true;
        if (scanned & OUTPUT) this.noteToken(this.nowMs);
        return;
      }
    }
    this.readChunk(bytes, start, end, eventType);
  }

  /** An event read with JSON.parse: every shape, and the problem when it is no valid chunk. */
  private readChunk(bytes: Buffer, start: number, end: number, eventType: string): void {
    const chunk = parseJson(bytes.toString('utf8', start, end));
    if (!isObject(chunk)) {
      this.problem = `event ${this.parser.events} is not a JSON object: ${clip(bytes.toString('utf8', start, end), 80)}`;
      return;
    }
    const error = errorMessageOf(chunk) ?? (eventType === 'error' ? JSON.stringify(chunk) : undefined);
    if (error !== undefined) {
      this.problem = `error event in the stream: ${clip(error)}`;
      return;
    }
    this.chunks++;
    const usage = chunk['usage'];
    if (isObject(usage)) this.readUsage(usage);
    const choices = chunk['choices'];
    if (!Array.isArray(choices)) {
      if (!isObject(usage)) this.problem = `event ${this.parser.events} has neither choices nor usage`;
      return;
    }
    let output = false;
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      if (this.carriesOutput(choice)) output = true;
      if (typeof choice['finish_reason'] === 'string') this.finished = true;
    }
    if (output) this.noteToken(this.nowMs);
  }

  private carriesOutput(choice: Record<string, unknown>): boolean {
    if (this.kind === 'completions') return nonEmptyString(choice['text']);
    const delta = choice['delta'];
    if (!isObject(delta)) return false;
    const toolCalls = delta['tool_calls'];
    return (
      nonEmptyString(delta['content']) ||
      nonEmptyString(delta['reasoning_content']) ||
      nonEmptyString(delta['reasoning']) ||
      (Array.isArray(toolCalls) && toolCalls.length > 0)
    );
  }

  private readUsage(usage: Record<string, unknown>): void {
    const prompt = usage['prompt_tokens'];
    const completion = usage['completion_tokens'];
    if (typeof prompt === 'number' && prompt >= 0) this.promptTokens = prompt;
    if (typeof completion === 'number' && completion >= 0) this.completionTokens = completion;
  }

  /** A whole (non-streamed) answer: `chat.completion` or `text_completion`. */
  private checkWhole(): string | undefined {
    if (this.whole.overflow) return 'the answer is larger than modelprof checks';
    const answer = parseJson(this.whole.bytes().toString('utf8'));
    if (!isObject(answer)) return 'the answer is not a JSON object';
    const error = errorMessageOf(answer);
    if (error !== undefined) return `error object: ${clip(error)}`;
    const choices = answer['choices'];
    if (!Array.isArray(choices) || choices.length === 0) return 'the answer has no choices';
    const first = choices[0];
    if (!isObject(first)) return 'choices[0] is not an object';
    if (this.kind === 'completions') {
      if (typeof first['text'] !== 'string') return 'choices[0].text is not a string';
    } else {
      const message = first['message'];
      if (!isObject(message)) return 'choices[0].message is not an object';
      if (typeof message['content'] !== 'string' && !Array.isArray(message['tool_calls'])) {
        return 'choices[0].message has neither content nor tool_calls';
      }
    }
    const usage = answer['usage'];
    if (isObject(usage)) this.readUsage(usage);
    return undefined;
  }
}

function nonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

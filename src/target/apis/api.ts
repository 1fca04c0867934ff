import type { WorkloadItem } from '../workload/workload.js';

/** The serving protocols modelprof speaks. `raw` sends the payload as is and checks nothing (the seed's behaviour). */
export const API_NAMES = ['raw', 'openai-chat', 'openai-completions', 'kserve-v1', 'kserve-v2', 'torchserve'] as const;
export type ApiName = (typeof API_NAMES)[number];

/** How requests are shaped, beyond the item itself. */
export interface RequestOptions {
  /** Model name for the body (OpenAI) or the route (KServe, TorchServe); absent: left as the payload has it. */
  readonly model?: string;
  /** Ask for a token stream where the protocol has one (OpenAI); default true. */
  readonly stream?: boolean;
  /** Ask the server to keep generating past end-of-sequence up to the requested output tokens (vLLM, SGLang and TGI honour `ignore_eos`). */
  readonly ignoreEos?: boolean;
}

/**
 * Reads one answer after another on one connection and judges each: is it a valid answer of the
 * protocol? Fed the body bytes as they arrive (after HTTP framing is removed), it also notes when
 * each output token arrived. One reader per connection, reused, so the hot path allocates nothing
 * per request.
 */
export interface AnswerReader {
  /** A 2xx answer's head arrived at `nowMs`; its body follows. */
  begin(nowMs: number): void;
  /** Body bytes [start, end) of `bytes`, arrived at `nowMs`; `bytes` may be reused after the call. */
  body(bytes: Buffer, start: number, end: number, nowMs: number): void;
  /** The body is complete. Returns undefined for a valid answer, else why it is not one (one line). */
  end(nowMs: number): string | undefined;
  /** Arrival times (ms, the caller's clock) of the answer's events that carried output, in order: the first `tokenEvents` entries. */
  readonly tokenTimes: Float64Array;
  readonly tokenEvents: number;
  /** Token counts the server reported for this answer (`usage`); -1 when it gave none. */
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** The answer came as an event stream (false: one whole body, or no stream protocol). */
  readonly streamed: boolean;
  /** The stream ended on a finish_reason without the closing `data: [DONE]`. */
  readonly endedWithoutDone: boolean;
  /** The first bytes of the body as text, for the report's sample of a bad answer (not yet redacted). */
  sample(): string;
}

/** One serving protocol: where requests go, how they are shaped, and what a valid answer is. */
export interface ApiAdapter {
  readonly name: ApiName;
  /** The protocol's standard route for `model`, appended to a base URL (e.g. `/v2/models/m/infer`). */
  route(model: string): string;
  /** The request body for a workload item. */
  bodyFor(item: WorkloadItem, options: RequestOptions): string;
  /**
   * A payload line made fit for the protocol (model and stream settings filled in). Throws a
   * SettingsError naming `where` when the line is not a request of this protocol.
   */
  fromPayload(line: string, options: RequestOptions, where: string): string;
  /** A fresh reader, for one connection; undefined when answers are not read (raw). */
  answerReader(): AnswerReader | undefined;
}

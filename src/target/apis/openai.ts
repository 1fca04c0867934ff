import { SettingsError } from '../../core/errors.js';
import { messagesOf, promptOf, type WorkloadItem } from '../workload/workload.js';
import type { AnswerReader, ApiAdapter, ApiName, RequestOptions } from './api.js';
import { payloadObject } from './json-body.js';
import { OpenAiAnswerReader, type OpenAiKind } from './openai-answer.js';

/**
 * The OpenAI-compatible APIs served by vLLM, SGLang, TGI, Triton's OpenAI front-end, llama.cpp and
 * Azure AI endpoints: `POST /v1/chat/completions` (chat messages) and `POST /v1/completions` (a
 * prompt). Requests stream by default with `stream_options.include_usage`, so the server's own
 * token counts arrive in the last chunk. `ignore_eos` is the vLLM/SGLang/TGI extension that keeps
 * generating to `max_tokens`; a server without it may reject the field, hence it is opt-in.
 */
class OpenAiAdapter implements ApiAdapter {
  constructor(
    readonly name: ApiName,
    private readonly kind: OpenAiKind,
    private readonly path: string,
  ) {}

  route(): string {
    return this.path;
  }

  bodyFor(item: WorkloadItem, options: RequestOptions): string {
    const body: Record<string, unknown> = {};
    if (options.model !== undefined) body['model'] = options.model;
    if (this.kind === 'chat') body['messages'] = messagesOf(item);
    else body['prompt'] = promptOf(item);
    if (item.outputTokens !== undefined) {
      body['max_tokens'] = item.outputTokens;
      if (options.ignoreEos) body['ignore_eos'] = true;
    }
    return JSON.stringify(withStream(body, options));
  }

  fromPayload(line: string, options: RequestOptions, where: string): string {
    const field = this.kind === 'chat' ? 'messages' : 'prompt';
    const body = payloadObject(line, where, this.name, `an object with "${field}"`);
    if (body[field] === undefined) throw new SettingsError(`${where} has no "${field}": --api ${this.name} expects an object with "${field}"`);
    if (options.model !== undefined) body['model'] = options.model;
    if (options.ignoreEos && body['ignore_eos'] === undefined) body['ignore_eos'] = true;
    return JSON.stringify(withStream(body, options));
  }

  answerReader(): AnswerReader {
    return new OpenAiAnswerReader(this.kind);
  }
}

/** Sets `stream` as asked unless the body already says, and asks for usage on streams. */
function withStream(body: Record<string, unknown>, options: RequestOptions): Record<string, unknown> {
  if (body['stream'] === undefined) body['stream'] = options.stream ?? true;
  if (body['stream'] === true && body['stream_options'] === undefined) body['stream_options'] = { include_usage: true };
  return body;
}

export const openAiChat: ApiAdapter = new OpenAiAdapter('openai-chat', 'chat', '/v1/chat/completions');
export const openAiCompletions: ApiAdapter = new OpenAiAdapter('openai-completions', 'completions', '/v1/completions');

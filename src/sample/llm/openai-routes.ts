import type { IncomingMessage, ServerResponse } from 'node:http';
import { publicText } from '../../target/workload/public-text.js';
import { Batcher, type Generation } from './batcher.js';
import { buildNgramModel, type TokenModel } from './ngram-model.js';

export interface LlmRouteOptions {
  /** The model id the endpoint serves (and lists at /v1/models). */
  readonly modelName: string;
  /** Generations decoded together; past it, requests wait (vLLM's max_num_seqs). */
  readonly maxBatch: number;
  /** Model evaluations per token (1: the n-gram model's own cost, about 0.4 ms on a 2-core dev machine). */
  readonly evaluationsPerToken: number;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_TOKENS = 64;
const MAX_TOKENS_LIMIT = 4096;
/** Prompt characters the first token follows. */
const CONTEXT_CHARS = 64;

/** Built once per process, on first use, and shared by every sample endpoint in it: it is read-only. */
let sharedModel: TokenModel | undefined;

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

interface Parsed {
  chat: boolean;
  promptText: string;
  maxTokens: number;
  stream: boolean;
  includeUsage: boolean;
  ignoreEos: boolean;
}

/**
 * The sample endpoint's OpenAI-compatible routes: `POST /v1/chat/completions`,
 * `POST /v1/completions` (streamed as server-sent events or whole, with `stream_options.include_usage`
 * and vLLM's `ignore_eos`) and `GET /v1/models`, in the shapes of the OpenAI API reference, with
 * its error object `{"error": {"message", "type", "param", "code"}}`. Tokens come from a
 * character-level n-gram model of the shipped text, generated under continuous batching; the
 * model is built on the first generation request (about 0.4 s), as a server loads its weights.
 */
export class OpenAiRoutes {
  private readonly batcher: Batcher;
  private readonly open = new Set<() => void>();
  private requests = 0;

  constructor(private readonly options: LlmRouteOptions) {
    this.batcher = new Batcher(() => this.loadModel(), options.maxBatch, options.evaluationsPerToken);
  }

  private loadModel(): TokenModel {
    return (sharedModel ??= buildNgramModel(publicText()));
  }

  /** True when `path` is one of these routes. */
  handles(path: string): boolean {
    return path === '/v1/chat/completions' || path === '/v1/completions' || path === '/v1/models';
  }

  handle(path: string, req: IncomingMessage, res: ServerResponse): void {
    if (path === '/v1/models') {
      if (req.method !== 'GET') return sendError(res, new BadRequest('method not allowed; use GET', 405));
      return sendJson(res, 200, { object: 'list', data: [{ id: this.options.modelName, object: 'model', created: 0, owned_by: 'modelprof' }] });
    }
    if (req.method !== 'POST') return sendError(res, new BadRequest('method not allowed; use POST', 405));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return sendError(res, new BadRequest(`body is larger than ${MAX_BODY_BYTES} bytes`, 413));
      try {
        const parsed = this.parse(path === '/v1/chat/completions', Buffer.concat(chunks).toString('utf8'));
        this.generate(parsed, res);
      } catch (error) {
        if (error instanceof BadRequest) sendError(res, error);
        else throw error;
      }
    });
  }

  /** Ends every open answer: whole ones get 503, streams are cut. */
  close(): void {
    this.batcher.clear();
    for (const abort of [...this.open]) abort();
  }

  private parse(chat: boolean, text: string): Parsed {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BadRequest('the body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the body must be a JSON object');
    const request = body as Record<string, unknown>;
    const model = request['model'];
    if (model !== undefined && model !== this.options.modelName) {
      throw new BadRequest(`The model \`${String(model)}\` does not exist.`, 404, 'invalid_request_error', 'model');
    }
    if (request['n'] !== undefined && request['n'] !== 1) throw new BadRequest('only n=1 is supported', 400, 'invalid_request_error', 'n');
    const promptText = chat ? chatPrompt(request['messages']) : completionPrompt(request['prompt']);
    const maxTokens = request['max_completion_tokens'] ?? request['max_tokens'] ?? DEFAULT_MAX_TOKENS;
    if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1 || (maxTokens as number) > MAX_TOKENS_LIMIT) {
      throw new BadRequest(`max_tokens must be an integer from 1 to ${MAX_TOKENS_LIMIT}`, 400, 'invalid_request_error', 'max_tokens');
    }
    const stream = request['stream'] ?? false;
    if (typeof stream !== 'boolean') throw new BadRequest('stream must be a boolean', 400, 'invalid_request_error', 'stream');
    const options = request['stream_options'];
    const includeUsage = typeof options === 'object' && options !== null && (options as Record<string, unknown>)['include_usage'] === true;
    return { chat, promptText, maxTokens: maxTokens as number, stream, includeUsage, ignoreEos: request['ignore_eos'] === true };
  }

  private generate(parsed: Parsed, res: ServerResponse): void {
    const promptTokens = this.loadModel().countTokens(parsed.promptText);
    const id = `${parsed.chat ? 'chatcmpl' : 'cmpl'}-${++this.requests}`;
    const created = Math.floor(Date.now() / 1000);
    const name = this.options.modelName;
    const pieces: string[] = [];
    let ended = false;
    const write = (payload: unknown): void => void res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const chunk = (fields: Record<string, unknown>, finish: string | null): Record<string, unknown> => {
      const choice = parsed.chat ? { index: 0, delta: fields, logprobs: null, finish_reason: finish } : { index: 0, text: fields['content'] ?? '', logprobs: null, finish_reason: finish };
      const payload: Record<string, unknown> = { id, object: parsed.chat ? 'chat.completion.chunk' : 'text_completion', created, model: name, choices: [choice] };
      if (parsed.includeUsage) payload['usage'] = null;
      return payload;
    };
    const abort = (): void => {
      if (ended) return;
      ended = true;
      cancel();
      if (res.headersSent) res.destroy();
      else sendError(res, new BadRequest('the endpoint is shutting down', 503, 'server_error'));
    };
    this.open.add(abort);
    const finish = (): void => {
      ended = true;
      this.open.delete(abort);
    };
    if (parsed.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (parsed.chat) write(chunk({ role: 'assistant', content: '' }, null));
    }
    const generation: Generation = {
      context: parsed.promptText.slice(-CONTEXT_CHARS),
      promptTokens,
      maxTokens: parsed.maxTokens,
      ignoreEos: parsed.ignoreEos,
      onToken: (token) => {
        if (parsed.stream) write(chunk({ content: token }, null));
        else pieces.push(token);
      },
      onDone: (reason, completionTokens) => {
        if (ended) return;
        finish();
        const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
        if (parsed.stream) {
          write(chunk({}, reason));
          if (parsed.includeUsage) write({ id, object: parsed.chat ? 'chat.completion.chunk' : 'text_completion', created, model: name, choices: [], usage });
          res.end('data: [DONE]\n\n');
          return;
        }
        const text = pieces.join('');
        const choice = parsed.chat
          ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: reason }
          : { index: 0, text, logprobs: null, finish_reason: reason };
        sendJson(res, 200, { id, object: parsed.chat ? 'chat.completion' : 'text_completion', created, model: name, choices: [choice], usage });
      },
    };
    const cancel = this.batcher.submit(generation);
    res.once('close', () => {
      if (ended) return;
      finish();
      cancel();
    });
  }
}

function chatPrompt(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0) throw new BadRequest('messages must be a non-empty array', 400, 'invalid_request_error', 'messages');
  return messages
    .map((message, index) => {
      const entry = message as Record<string, unknown> | null;
      if (typeof entry !== 'object' || entry === null || typeof entry['role'] !== 'string') {
        throw new BadRequest(`messages[${index}] must be an object with a role`, 400, 'invalid_request_error', 'messages');
      }
      const content = entry['content'];
      if (typeof content === 'string') return content;
      if (Array.isArray(content)) return content.map((part) => (typeof part === 'object' && part !== null && typeof part.text === 'string' ? part.text : '')).join(' ');
      throw new BadRequest(`messages[${index}].content must be a string or an array of text parts`, 400, 'invalid_request_error', 'messages');
    })
    .join('\n');
}

function completionPrompt(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  throw new BadRequest('prompt must be a string (or an array of one string)', 400, 'invalid_request_error', 'prompt');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function sendError(res: ServerResponse, error: BadRequest): void {
  sendJson(res, error.status, { error: { message: error.message, type: error.type, param: error.param, code: error.status === 404 ? 'model_not_found' : null } });
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the scripted server does with each request: the ground truth the token figures are checked
 * against. Times are ms.
 */
export interface TokenScript {
  /** Delay from the request's arrival to the first token (T). */
  firstTokenMs: number;
  /** Gap between tokens (I). */
  intervalMs: number;
  /** Tokens per answer (N). */
  tokens: number;
  /** OpenAI chat chunks or completions chunks. */
  kind?: 'chat' | 'completions';
  /** After the token with this 1-based number, wait `ms` longer before the next. */
  stall?: { afterToken: number; ms: number };
  /** Send broken JSON in place of the token with this 1-based number. */
  malformedAt?: number;
  /** End the stream without `data: [DONE]`. */
  noDone?: boolean;
  /** Leave finish_reason null on every chunk. */
  noFinishReason?: boolean;
  /** Write this many token events at once, every `eventsPerWrite * intervalMs`. */
  eventsPerWrite?: number;
  /** Write each event in two writes `splitGapMs` apart, cut inside its JSON. */
  splitGapMs?: number;
  /** `end`: a usage chunk before [DONE] (stream_options.include_usage); `never`: none. */
  usage?: 'end' | 'never';
  /** Answer one whole JSON body instead of a stream. */
  whole?: boolean;
}

/** What the server did for one request, on the shared epoch clock (performance.timeOrigin + now()). */
export interface TokenTruth {
  arrivedAt: number;
  /** When each token event was written (for a split event: its second half). */
  tokenAt: number[];
  endedAt: number;
}

export interface TokenServer {
  url: string;
  truths: TokenTruth[];
  close(): Promise<void>;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * An OpenAI-compatible streaming server on 127.0.0.1 that follows a script exactly and records
 * when it wrote each token: first token after T ms, then one every I ms, N tokens, with the
 * faults a test asks for. The schedule is kept by timers, so it drifts by their jitter; tests
 * compare against the recorded write times, not the script.
 */
export async function startTokenServer(script: TokenScript): Promise<TokenServer> {
  const truths: TokenTruth[] = [];
  const kind = script.kind ?? 'chat';
  const chunk = (content: string, finish: string | null): string => {
    const choice = kind === 'chat' ? { index: 0, delta: content ? { content } : {}, finish_reason: finish } : { index: 0, text: content, finish_reason: finish };
    return JSON.stringify({ id: 'x', object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: 1, model: 'script', choices: [choice] });
  };
  const server = http.createServer((request, response) => {
    const truth: TokenTruth = { arrivedAt: epochNow(), tokenAt: [], endedAt: 0 };
    truths.push(truth);
    request.resume();
    request.on('end', () => {
      response.socket?.setNoDelay(true);
      if (script.whole) {
        setTimeout(() => {
          const body = JSON.stringify({
            object: kind === 'chat' ? 'chat.completion' : 'text_completion',
            choices: [kind === 'chat' ? { index: 0, message: { role: 'assistant', content: 'w '.repeat(script.tokens) }, finish_reason: 'length' } : { index: 0, text: 'w', finish_reason: 'length' }],
            usage: { prompt_tokens: 3, completion_tokens: script.tokens, total_tokens: 3 + script.tokens },
          });
          truth.endedAt = epochNow();
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        }, script.firstTokenMs);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const perWrite = script.eventsPerWrite ?? 1;
      let sent = 0;
      let closed = false;
      response.once('close', () => (closed = true));
      const writeTokens = (): void => {
        if (closed) return;
        const events: string[] = [];
        const count = Math.min(perWrite, script.tokens - sent);
        for (let k = 0; k < count; k++) {
          const number = ++sent;
          const last = number === script.tokens;
          const data = number === script.malformedAt ? '{"choices": [{"delta": {"content": "broken' : chunk(`t${number} `, last && !script.noFinishReason ? 'length' : null);
          events.push(`data: ${data}\n\n`);
        }
        const text = events.join('');
        const stamp = (): void => {
          const at = epochNow();
          for (let k = 0; k < count; k++) truth.tokenAt.push(at);
        };
        const afterWrite = (): void => {
          if (sent === script.tokens) return finish();
          let wait = script.intervalMs * perWrite;
          if (script.stall && sent >= script.stall.afterToken && sent - count < script.stall.afterToken) wait += script.stall.ms;
          setTimeout(writeTokens, wait);
        };
        if (script.splitGapMs !== undefined) {
          const cut = text.indexOf('"choices"') + 4;
          response.write(text.slice(0, cut));
          setTimeout(() => {
            if (closed) return;
            stamp();
            response.write(text.slice(cut));
            afterWrite();
          }, script.splitGapMs);
        } else {
          stamp();
          response.write(text);
          afterWrite();
        }
      };
      const finish = (): void => {
        const tail: string[] = [];
        if ((script.usage ?? 'end') === 'end') {
          tail.push(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 7, completion_tokens: script.tokens, total_tokens: 7 + script.tokens } })}\n\n`);
        }
        if (!script.noDone) tail.push('data: [DONE]\n\n');
        truth.endedAt = epochNow();
        response.end(tail.join(''));
      };
      setTimeout(writeTokens, script.firstTokenMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/${kind === 'chat' ? 'chat/completions' : 'completions'}`,
    truths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import net from 'node:net';

/**
 * The streaming target of the bench: an OpenAI-compatible chat stream. Every request (keep-alive
 * HTTP/1.1, any path) is answered with TOKENS `chat.completion.chunk` events, a usage chunk and
 * `data: [DONE]`, chunked, EVENTS_PER_WRITE events to a write: as fast as the socket takes them, or
 * with PACE_MS set, one write every PACE_MS per answer, the answers' phases spread over the pace (a
 * server decoding many sequences at a steady rate). The bytes are built once, so the server's own
 * cost per token is a fraction of a copy and the generator is what the bench measures.
 */
const port = Number(process.env['PORT']);
const tokens = Number(process.env['TOKENS'] ?? 256);
const eventsPerWrite = Number(process.env['EVENTS_PER_WRITE'] ?? 8);
const paceMs = Number(process.env['PACE_MS'] ?? 0);

/** Paced answers in progress: when each writes next, and what. */
interface Paced {
  socket: net.Socket;
  next: number;
  dueMs: number;
  done: () => void;
}
const paced = new Set<Paced>();
if (paceMs > 0) {
  setInterval(() => {
    const now = performance.now();
    for (const answer of paced) {
      if (answer.dueMs > now) continue;
      if (answer.socket.destroyed) {
        paced.delete(answer);
        continue;
      }
      answer.socket.write(writes[answer.next++]!);
      answer.dueMs += paceMs;
      if (answer.next === writes.length) {
        paced.delete(answer);
        answer.done();
      }
    }
  }, 1);
}

const event = (index: number): string =>
  `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{"content":" t${index}"},"logprobs":null,"finish_reason":${index === tokens ? '"length"' : 'null'}}]}\n\n`;
const chunk = (text: string): Buffer => {
  const body = Buffer.from(text);
  return Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
};
const head = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n');
const writes: Buffer[] = [];
for (let first = 1; first <= tokens; first += eventsPerWrite) {
  let text = '';
  for (let index = first; index < first + eventsPerWrite && index <= tokens; index++) text += event(index);
  writes.push(chunk(text));
}
const usage = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"bench","choices":[],"usage":{"prompt_tokens":8,"completion_tokens":${tokens},"total_tokens":${tokens + 8}}}\n\n`;
writes[0] = Buffer.concat([head, writes[0]!]);
writes.push(Buffer.concat([chunk(`${usage}data: [DONE]\n\n`), Buffer.from('0\r\n\r\n')]));

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  let bodyLeft = 0;
  let answering = false;
  let queued = 0;
  const finished = (): void => {
    answering = false;
    if (queued > 0) {
      queued--;
      answer();
    }
  };
  const answer = (): void => {
    answering = true;
    if (paceMs > 0) {
      // The first write at once (the head and first events), then one per pace from a random phase.
      socket.write(writes[0]!);
      paced.add({ socket, next: 1, dueMs: performance.now() + Math.random() * paceMs, done: finished });
      return;
    }
    let next = 0;
    const more = (): void => {
      // One write per turn of the event loop, so events leave in groups rather than as one block.
      if (socket.destroyed) return;
      socket.write(writes[next++]!);
      if (next < writes.length) setImmediate(more);
      else finished();
    };
    more();
  };
  socket.on('data', (data: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    for (;;) {
      if (bodyLeft > 0) {
        const take = Math.min(bodyLeft, pending.length);
        bodyLeft -= take;
        pending = pending.subarray(take);
        if (bodyLeft > 0) return;
        if (answering) queued++;
        else answer();
        continue;
      }
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headText = pending.toString('latin1', 0, end);
      pending = pending.subarray(end + 4);
      bodyLeft = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? 0);
      if (bodyLeft === 0) {
        if (answering) queued++;
        else answer();
      }
    }
  });
  socket.on('error', () => socket.destroy());
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));

import net from 'node:net';

/**
 * How the server frames its answers (RFC 9112 section 6) or ends its connections (section 9.6).
 * Valid framings: the client must count every answer as a response.
 * - content-length, chunked (with a chunk extension and a trailer field), close-delimited (no
 *   length, `Connection: close`, body until the close), close-delimited-bare (the same without
 *   `Connection: close`), http10 (HTTP/1.0 with Content-Length, then close), connection-close
 *   (Content-Length and `Connection: close`), no-content (204), not-modified (304 with a
 *   Content-Length and no body), interim (100 and 103 before the 200), te-not-final
 *   (`Transfer-Encoding: gzip`: body until the close), keepalive-close (Content-Length, but the
 *   server closes after every `closeAfter` answers without saying so), idle-close (the server closes
 *   a keep-alive connection idle for `idleCloseMs`).
 * Faulty framings: the answer is written, but a client must not take it as a valid response.
 * - conflicting-length (two different Content-Length values), te-and-length (chunked and a
 *   Content-Length), extra-bytes (Content-Length: 2 then more bytes), bad-chunk (a chunk size that
 *   is not hex).
 * Closes without a (complete) answer:
 * - truncated-body (half the promised body, then close), reset-on-receipt (close after reading the
 *   request), rst-on-receipt (TCP RST after reading the request), never-answer (read, never answer).
 */
export const FRAMINGS = [
  'content-length',
  'chunked',
  'close-delimited',
  'close-delimited-bare',
  'http10',
  'connection-close',
  'no-content',
  'not-modified',
  'interim',
  'te-not-final',
  'keepalive-close',
  'idle-close',
  'conflicting-length',
  'te-and-length',
  'extra-bytes',
  'bad-chunk',
  'truncated-body',
  'reset-on-receipt',
  'rst-on-receipt',
  'never-answer',
] as const;
export type Framing = (typeof FRAMINGS)[number];

export const FAULTY_FRAMINGS: readonly Framing[] = ['conflicting-length', 'te-and-length', 'extra-bytes', 'bad-chunk'];

export interface FramingServerOptions {
  framing: Framing;
  /** Service time of every answer, ms (a timer, so the server costs no CPU while it waits). */
  delayMs?: number;
  /** keepalive-close: answers per connection before the server closes it. */
  closeAfter?: number;
  /** idle-close: how long a keep-alive connection may sit idle before the server closes it, ms. */
  idleCloseMs?: number;
  /** Write every answer in three pieces, a few ms apart, so clients see partial reads. */
  split?: boolean;
}

/** What the server itself saw and did: the truth a client's report is checked against. */
export interface FramingCounts {
  connections: number;
  /** Complete requests read. */
  received: number;
  /** Answers written whole with valid framing. */
  answered: number;
  /** Answers written with faulty framing. */
  faulty: number;
  /** Requests whose connection the server closed (FIN or RST) without a complete answer. */
  dropped: number;
  /** Requests read and never answered, their connection left open. */
  unanswered: number;
  /** Connections the server closed after a complete answer, with no request pending, without announcing it. */
  closedUnannounced: number;
  /** Per request method. */
  methods: Record<string, number>;
}

export interface FramingServer {
  url: string;
  port: number;
  counts: FramingCounts;
  close(): Promise<void>;
}

const BODY = '{"result":[1]}';

/**
 * A raw TCP server on 127.0.0.1 speaking just enough HTTP/1.1 to frame its answers exactly as told,
 * which no HTTP server library would do for the faulty cases. It counts every request it reads and
 * every answer it writes, so tests hold a client's figures against the server's own.
 */
export async function startFramingServer(options: FramingServerOptions): Promise<FramingServer> {
  const counts: FramingCounts = { connections: 0, received: 0, answered: 0, faulty: 0, dropped: 0, unanswered: 0, closedUnannounced: 0, methods: {} };
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const server = net.createServer((socket) => {
    counts.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let answersOnConnection = 0;
    let busy = false;
    /** Set once the server has decided to close: what arrives after that is never read (a closed socket would RST it). */
    let closing = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const pending: string[] = [];

    const closeSocket = (): void => {
      closing = true;
      socket.end(() => socket.destroy());
    };
    /**
     * Closes at once, as a server does that closes an idle or used-up keep-alive connection: the
     * socket is gone, so bytes that arrive after are answered with a reset (no half-closed moment
     * in which they would still be read).
     */
    const closeNow = (): void => {
      closing = true;
      if (socket.writableLength === 0) socket.destroy();
      else socket.end(() => socket.destroy());
    };
    const armIdleClose = (): void => {
      if (options.framing !== 'idle-close') return;
      idleTimer = setTimeout(() => {
        if (!busy && pending.length === 0 && !socket.destroyed) {
          counts.closedUnannounced++;
          closeNow();
        }
      }, options.idleCloseMs ?? 50);
    };
    const next = (): void => {
      if (busy || closing || socket.destroyed) return;
      const method = pending.shift();
      if (method === undefined) return armIdleClose();
      busy = true;
      later(options.delayMs ?? 0, () => {
        answer(method);
      });
    };
    const write = async (bytes: string): Promise<void> => {
      if (!options.split || bytes.length < 3) return void socket.write(bytes, 'latin1');
      const third = Math.ceil(bytes.length / 3);
      for (let at = 0; at < bytes.length; at += third) {
        socket.write(bytes.slice(at, at + third), 'latin1');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    const answer = async (method: string): Promise<void> => {
      if (closing || socket.destroyed) return;
      const body = method === 'HEAD' ? '' : BODY;
      const length = `Content-Length: ${BODY.length}\r\n`;
      const finish = (): void => {
        busy = false;
        next();
      };
      switch (options.framing) {
        case 'content-length':
        case 'idle-close':
          await write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${length}\r\n${body}`);
          counts.answered++;
          return finish();
        case 'keepalive-close':
          await write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${length}\r\n${body}`);
          counts.answered++;
          if (++answersOnConnection >= (options.closeAfter ?? 3)) {
            counts.dropped += pending.length;
            counts.closedUnannounced++;
            closeNow();
            return;
          }
          return finish();
        case 'chunked':
          await write(
            method === 'HEAD'
              ? 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
              : `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;part=1\r\n${BODY.slice(0, 5)}\r\n${(BODY.length - 5).toString(16)}\r\n${BODY.slice(5)}\r\n0\r\nX-Checksum: 1\r\n\r\n`,
          );
          counts.answered++;
          return finish();
        case 'close-delimited':
        case 'close-delimited-bare':
        case 'te-not-final': {
          const framing = options.framing === 'close-delimited' ? 'Connection: close\r\n' : options.framing === 'te-not-final' ? 'Transfer-Encoding: gzip\r\n' : '';
          await write(`HTTP/1.1 200 OK\r\n${framing}\r\n${body}`);
          counts.answered++;
          counts.dropped += pending.length;
          closeSocket();
          return;
        }
        case 'http10':
        case 'connection-close':
          await write(`${options.framing === 'http10' ? 'HTTP/1.0' : 'HTTP/1.1'} 200 OK\r\n${options.framing === 'connection-close' ? 'Connection: close\r\n' : ''}${length}\r\n${body}`);
          counts.answered++;
          counts.dropped += pending.length;
          closeSocket();
          return;
        case 'no-content':
          await write('HTTP/1.1 204 No Content\r\n\r\n');
          counts.answered++;
          return finish();
        case 'not-modified':
          await write(`HTTP/1.1 304 Not Modified\r\n${length}\r\n`);
          counts.answered++;
          return finish();
        case 'interim':
          await write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n${length}\r\n${body}`);
          counts.answered++;
          return finish();
        case 'conflicting-length':
          await write(`HTTP/1.1 200 OK\r\n${length}Content-Length: ${BODY.length + 6}\r\n\r\n${body}`);
          counts.faulty++;
          return finish();
        case 'te-and-length':
          await write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n${length}\r\n${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`);
          counts.faulty++;
          return finish();
        case 'extra-bytes':
          await write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA BYTES');
          counts.faulty++;
          return finish();
        case 'bad-chunk':
          await write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
          counts.faulty++;
          return finish();
        case 'truncated-body':
          await write(`HTTP/1.1 200 OK\r\n${length}\r\n${BODY.slice(0, 7)}`);
          counts.dropped += 1 + pending.length;
          closeSocket();
          return;
        case 'reset-on-receipt':
          counts.dropped += 1 + pending.length;
          closeSocket();
          return;
        case 'rst-on-receipt':
          counts.dropped += 1 + pending.length;
          closing = true;
          socket.resetAndDestroy();
          return;
        case 'never-answer':
          counts.unanswered++;
          return;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      if (closing) return;
      if (idleTimer) clearTimeout(idleTimer);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) break;
        buffered = buffered.subarray(end + 4 + length);
        const method = head.slice(0, head.indexOf(' '));
        counts.received++;
        counts.methods[method] = (counts.methods[method] ?? 0) + 1;
        pending.push(method);
      }
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/score`,
    port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearTimeout);
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

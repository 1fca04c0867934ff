import net from 'node:net';
import tls from 'node:tls';
import { ERROR_KINDS, type ErrorKind } from '../record/result.js';
import type { Endpoint } from '../target/http-request.js';
import { ParseOutcome, ResponseParser } from './response-parser.js';

/** Index of an error kind in ERROR_KINDS, so counters can be typed arrays. */
export const ERROR_KIND_INDEX = Object.fromEntries(ERROR_KINDS.map((kind, index) => [kind, index])) as Record<ErrorKind, number>;

/** Receives the outcome of each request sent on a connection. */
export interface ConnectionOwner {
  /** A full response arrived. */
  onResponse(connection: HttpConnection, status: number): void;
  /** The request in flight failed; the connection is closed and reconnects on the next send. */
  onFailure(connection: HttpConnection, kind: number): void;
  /** Body bytes of the response in flight, data[start, end), chunk framing removed; the buffer is reused after the call. */
  onBody?(connection: HttpConnection, data: Buffer, start: number, end: number): void;
}

/**
 * Every plain-TCP read of this thread lands here: the parser consumes it synchronously and copies
 * the rare partial head, so one buffer serves all connections without a Buffer per read.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const EMPTY = Buffer.alloc(0);

/**
 * Runs callbacks once the event loop has polled for I/O again: a close that arrived right behind
 * an answer is seen by then. One pair of immediates per loop turn serves every connection.
 */
const afterPoll: (() => void)[] = [];
let afterPollArmed = false;
function runAfterNextPoll(callback: () => void): void {
  afterPoll.push(callback);
  if (afterPollArmed) return;
  afterPollArmed = true;
  // The first immediate runs before this turn's poll is over; the second after the next poll.
  setImmediate(() =>
    setImmediate(() => {
      afterPollArmed = false;
      for (const run of afterPoll.splice(0)) run();
    }),
  );
}
/** Longest wait for the server's reset that tells a reuse race from a dropped request. */
const RACE_PROBE_LIMIT_MS = 100;

/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight (no pipelining, like wrk),
 * framed by a ResponseParser.
 *
 * How a connection ends matters to the counts (RFC 9112 section 9.6: either side may close a
 * persistent connection at any time). A close while no request is in flight is noticed and the next
 * send opens a fresh connection: nothing failed. Once a connection has seen the server close it
 * unannounced (no "Connection: close"), closes right behind an answer are noticed too: a request
 * sent in the same loop turn as the answer waits until the loop has polled once more (as wrk writes
 * only on its next epoll turn), and goes out on a fresh connection if the close came. Only then: the
 * wait costs a few microseconds per request, which a server that announces its closes is spared.
 *
 * A close with a request in flight and no byte of its answer, on a connection that had already
 * carried an answer, is either the target dropping the request or a reuse race: the server closed
 * the idle connection as the request was being written, and never read it. The server's TCP stack
 * tells them apart: bytes that reach a closed socket, or that a closing socket leaves unread, are
 * answered with a reset (seen as ECONNRESET, or after the end of file as EPIPE on a zero-length
 * write), while a server that read the request before closing sends no reset. Races count as
 * reuse_race, apart from the target's errors. On a fresh connection every such failure is the
 * target's.
 */
export class HttpConnection {
  /** Free for the sender's use: when the request in flight was meant to go out and went out (ms). */
  intendedAt = 0;
  sentAt = 0;
  inFlight = false;

  private socket: net.Socket | undefined;
  private readonly parser: ResponseParser;

  /** The status of the answer being read (or last read); 0 before its head. */
  get status(): number {
    return this.parser.status;
  }
  /** Answers completed on the current socket: a request sent after one rides a reused connection. */
  private answersOnSocket = 0;
  private reused = false;
  /** When the current socket was opened and how long its connect took (ms), for the race probe's wait. */
  private openedAt = 0;
  private connectMs = 0;
  /** The server has closed this connection without announcing it, so it may do so again. */
  private closesUnannounced = false;
  /** An answer completed and the loop has not polled since: a close may be right behind it. */
  private settling = false;
  /** A request held back until the loop has polled (see `settling`). */
  private held: Buffer | undefined;
  private readonly settled = (): void => {
    this.settling = false;
    const request = this.held;
    if (request === undefined) return;
    this.held = undefined;
    // Sent now: the wait for the poll is the generator's, not the target's.
    this.sentAt = performance.now();
    this.write(request);
  };

  constructor(
    private readonly endpoint: Endpoint,
    private readonly owner: ConnectionOwner,
    /** The sender's own number for this connection. */
    readonly id: number,
    private readonly options: { rejectUnauthorized: boolean; headRequest: boolean },
  ) {
    const { onBody } = owner;
    this.parser = new ResponseParser(onBody ? (data, start, end) => onBody.call(owner, this, data, start, end) : undefined);
  }

  /**
   * Writes a prepared request; opens the connection first if it is closed. Right after an answer
   * on this connection the write waits for the loop's next poll (see the class comment), and
   * `sentAt` moves to when it went out.
   */
  send(request: Buffer): void {
    this.inFlight = true;
    if (this.settling && this.socket) this.held = request;
    else this.write(request);
  }

  /** Fails the request in flight with `kind` (e.g. a timeout) and drops the connection. */
  abort(kind: number): void {
    this.held = undefined;
    this.dropSocket();
    this.fail(kind);
  }

  close(): void {
    this.held = undefined;
    this.dropSocket();
    this.inFlight = false;
  }

  private write(request: Buffer): void {
    const socket = this.socket ?? this.open();
    this.reused = this.answersOnSocket > 0;
    this.parser.expect(this.options.headRequest);
    socket.write(request);
  }

  private open(): net.Socket {
    const { host, port, tls: secure, servername } = this.endpoint;
    let socket: net.Socket;
    if (secure) {
      socket = tls.connect({ host, port, ...(servername ? { servername } : {}), rejectUnauthorized: this.options.rejectUnauthorized });
      socket.on('data', (chunk: Buffer) => {
        if (this.socket === socket) this.onData(chunk, chunk.length);
      });
    } else {
      socket = net.connect({
        host,
        port,
        // Kept open for writing after the server's end of file, for the race probe.
        allowHalfOpen: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (bytes: number, buffer: Uint8Array) => {
            if (this.socket === socket) this.onData(buffer as Buffer, bytes);
            return true;
          },
        },
      });
    }
    socket.setNoDelay(true);
    this.openedAt = performance.now();
    this.connectMs = 0;
    socket.once('connect', () => {
      this.connectMs = performance.now() - this.openedAt;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.socket === socket) this.onSocketError(error);
    });
    socket.on('end', () => {
      if (this.socket === socket) this.onEnd(socket);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.onClosed();
    });
    this.socket = socket;
    this.answersOnSocket = 0;
    return socket;
  }

  /** The server ended the connection (end of file). */
  private onEnd(socket: net.Socket): void {
    this.closesUnannounced = true;
    // Idle, or with a request held back (it will go out on a fresh connection): nothing failed.
    if (!this.inFlight || this.held) return this.dropSocket();
    if (this.parser.endsAtClose()) {
      this.dropSocket();
      return this.complete();
    }
    if (this.parser.bytesSeen > 0 || !this.reused || this.endpoint.tls) {
      this.dropSocket();
      return this.fail(ERROR_KIND_INDEX.connection_reset);
    }
    // On a reused connection, with no byte of the answer: was the request ever read? See the class comment.
    // Two round trips (the connect's time), at least 1 ms: a server may close its socket a moment after its end of file.
    const wait = Math.min(RACE_PROBE_LIMIT_MS, Math.max(1, 2 * this.connectMs));
    const probe = (): void => {
      if (this.socket !== socket) return;
      socket.write(EMPTY, (error) => {
        if (this.socket !== socket) return;
        this.dropSocket();
        this.fail(error ? ERROR_KIND_INDEX.reuse_race : ERROR_KIND_INDEX.connection_reset);
      });
    };
    setTimeout(probe, wait);
  }

  private onSocketError(error: NodeJS.ErrnoException): void {
    this.dropSocket();
    if (this.held) return;
    // A reset before any byte of the answer on a reused connection: the server closed it with the
    // request unread (its socket resets unread bytes), or before it arrived (a write into a reset
    // connection fails with EPIPE). As Go's net/http, take it for the keep-alive race.
    const race = (error.code === 'EPIPE' || error.code === 'ECONNRESET') && this.reused && this.parser.bytesSeen === 0;
    if (this.inFlight) this.fail(race ? ERROR_KIND_INDEX.reuse_race : classifySocketError(error));
  }

  /** Closed without an end of file or an error seen first. */
  private onClosed(): void {
    this.dropSocket();
    if (this.inFlight && !this.held) this.fail(ERROR_KIND_INDEX.connection_reset);
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) socket.destroy();
  }

  private fail(kind: number): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    this.owner.onFailure(this, kind);
  }

  private complete(): void {
    this.inFlight = false;
    this.answersOnSocket++;
    if (this.parser.closeAfter) this.dropSocket();
    else if (this.closesUnannounced) {
      this.settling = true;
      runAfterNextPoll(this.settled);
    }
    this.owner.onResponse(this, this.parser.status);
  }

  /** Parses bytes [0, length) of `chunk`; the chunk may be reused for the next read. */
  private onData(chunk: Buffer, length: number): void {
    // Bytes with no request in flight (e.g. a 408 on an idle keep-alive connection) are no answer: drop it.
    if (!this.inFlight || this.held) return this.dropSocket();
    const outcome = this.parser.execute(chunk, 0, length);
    if (outcome === ParseOutcome.NeedMore) return;
    if (outcome === ParseOutcome.Faulty || this.parser.extraBytes > 0) {
      this.dropSocket();
      return this.fail(ERROR_KIND_INDEX.protocol);
    }
    this.complete();
  }
}

function classifySocketError(error: NodeJS.ErrnoException): number {
  switch (error.code) {
    case 'ECONNREFUSED':
      return ERROR_KIND_INDEX.connect_refused;
    case 'ECONNRESET':
    case 'EPIPE':
      return ERROR_KIND_INDEX.connection_reset;
    case 'ETIMEDOUT':
      return ERROR_KIND_INDEX.timeout;
    case 'EMFILE':
    case 'ENFILE':
    case 'EADDRNOTAVAIL':
      return ERROR_KIND_INDEX.local_resources;
    default:
      return ERROR_KIND_INDEX.connect_error;
  }
}

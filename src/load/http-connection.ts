import net from 'node:net';
import tls from 'node:tls';
import { ERROR_KINDS, type ErrorKind } from '../record/result.js';
import type { Endpoint } from '../target/http-request.js';

/** Index of an error kind in ERROR_KINDS, so counters can be typed arrays. */
export const ERROR_KIND_INDEX = Object.fromEntries(ERROR_KINDS.map((kind, index) => [kind, index])) as Record<ErrorKind, number>;

/** Receives the outcome of each request sent on a connection. */
export interface ConnectionOwner {
  /** A full response arrived. */
  onResponse(connection: HttpConnection, status: number): void;
  /** The request in flight failed; the connection is closed and reconnects on the next send. */
  onFailure(connection: HttpConnection, kind: number): void;
}

const enum State {
  Idle,
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  BodyUntilClose,
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
/**
 * Every plain-TCP read of this thread lands here: the parser consumes it synchronously and copies
 * the rare partial head, so one buffer serves all connections without a Buffer per read.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const CR = 13;
const LF = 10;

/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight (no pipelining, like wrk).
 * The response parser works on the socket's own buffers and keeps no per-request objects: it only
 * reads the status, the framing headers, and skips the body.
 */
export class HttpConnection {
  /** Free for the sender's use: when the request in flight was meant to go out and went out (ms). */
  intendedAt = 0;
  sentAt = 0;
  inFlight = false;

  private socket: net.Socket | undefined;
  private state = State.Idle;
  private status = 0;
  private remaining = 0;
  private closeAfter = false;
  private pendingHead: Buffer | undefined;
  private chunkSizeSeen = false;
  private inChunkExtension = false;
  private trailerLineLength = 0;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly owner: ConnectionOwner,
    /** The sender's own number for this connection. */
    readonly id: number,
    private readonly options: { rejectUnauthorized: boolean; headRequest: boolean },
  ) {}

  /** Writes a prepared request; opens the connection first if it is closed. */
  send(request: Buffer): void {
    const socket = this.socket ?? this.open();
    this.inFlight = true;
    this.state = State.Head;
    socket.write(request);
  }

  /** Fails the request in flight with `kind` (e.g. a timeout) and drops the connection. */
  abort(kind: number): void {
    this.dropSocket();
    this.fail(kind);
  }

  close(): void {
    this.dropSocket();
    this.inFlight = false;
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
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.socket === socket) this.onSocketGone(classifySocketError(error));
    });
    socket.on('close', () => {
      if (this.socket === socket) this.onSocketGone(ERROR_KIND_INDEX.connection_reset);
    });
    this.socket = socket;
    this.pendingHead = undefined;
    return socket;
  }

  private onSocketGone(kind: number): void {
    const completesBody = this.state === State.BodyUntilClose;
    this.dropSocket();
    if (completesBody) this.complete();
    else if (this.inFlight) this.fail(kind);
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.state = State.Idle;
    if (socket) socket.destroy();
  }

  private fail(kind: number): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    this.state = State.Idle;
    this.owner.onFailure(this, kind);
  }

  private complete(): void {
    this.inFlight = false;
    this.state = State.Idle;
    if (this.closeAfter) this.dropSocket();
    this.owner.onResponse(this, this.status);
  }

  private protocolError(): void {
    this.dropSocket();
    this.fail(ERROR_KIND_INDEX.protocol);
  }

  /** Parses bytes [0, length) of `chunk`; the chunk may be reused for the next read. */
  private onData(chunk: Buffer, length: number): void {
    let offset = 0;
    while (offset < length) {
      switch (this.state) {
        case State.Idle:
          // Bytes with no request in flight (e.g. a 408 on an idle keep-alive connection): drop it.
          this.dropSocket();
          return;
        case State.BodyUntilClose:
          return;
        case State.Head: {
          let data = chunk;
          if (this.pendingHead) {
            data = Buffer.concat([this.pendingHead, chunk.subarray(offset, length)]);
            offset = 0;
            length = data.length;
            this.pendingHead = undefined;
          }
          const end = data.indexOf(CRLFCRLF, offset);
          if (end < 0 || end + 4 > length) {
            if (length - offset > 65536) return this.protocolError();
            // A copy: the read buffer is reused.
            this.pendingHead = Buffer.from(data.subarray(offset, length));
            return;
          }
          if (!this.parseHead(data, offset, end)) return this.protocolError();
          chunk = data;
          offset = end + 4;
          if ((this.state as State) === State.Body && this.remaining === 0) {
            if (this.status >= 100 && this.status < 200) this.state = State.Head;
            else return this.complete();
          }
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, length - offset);
          this.remaining -= take;
          offset += take;
          // Bytes after a complete response are a broken server's: ignore them rather than hand
          // them to the next request, which the owner may already have sent.
          if (this.remaining === 0) return this.complete();
          break;
        }
        case State.ChunkSize: {
          const byte = chunk[offset++]!;
          if (byte === LF) {
            if (!this.chunkSizeSeen) return this.protocolError();
            this.chunkSizeSeen = false;
            this.inChunkExtension = false;
            if (this.remaining === 0) {
              this.state = State.Trailer;
              this.trailerLineLength = 0;
            } else {
              this.state = State.ChunkData;
            }
          } else if (byte === CR || this.inChunkExtension) {
            // end of line or an ignored chunk extension
          } else if (byte === 0x3b || byte === 0x20 || byte === 0x09) {
            this.inChunkExtension = true;
          } else {
            const digit = hexValue(byte);
            if (digit < 0) return this.protocolError();
            this.remaining = this.remaining * 16 + digit;
            this.chunkSizeSeen = true;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, length - offset);
          this.remaining -= take;
          offset += take;
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.remaining = 2;
          }
          break;
        }
        case State.ChunkDataEnd:
          offset++;
          if (--this.remaining === 0) this.state = State.ChunkSize;
          break;
        case State.Trailer: {
          const byte = chunk[offset++]!;
          if (byte === LF) {
            if (this.trailerLineLength === 0) return this.complete();
            this.trailerLineLength = 0;
          } else if (byte !== CR) {
            this.trailerLineLength++;
          }
          break;
        }
      }
    }
  }

  /** Reads the status and framing headers of the head in data[start, end). */
  private parseHead(data: Buffer, start: number, end: number): boolean {
    // "HTTP/1.x SSS"
    if (end - start < 12 || data[start] !== 0x48 || data[start + 1] !== 0x54 || data[start + 4] !== 0x2f) return false;
    const status = (data[start + 9]! - 48) * 100 + (data[start + 10]! - 48) * 10 + (data[start + 11]! - 48);
    if (!(status >= 100 && status <= 999)) return false;
    this.status = status;
    let contentLength = -1;
    let chunked = false;
    this.closeAfter = data[start + 7] === 0x30; // HTTP/1.0 closes unless told otherwise
    let line = data.indexOf(LF, start) + 1;
    while (line > 0 && line < end) {
      let next = data.indexOf(LF, line);
      if (next < 0 || next > end) next = end;
      const colon = data.indexOf(0x3a, line);
      if (colon > line && colon < next) {
        const nameLength = colon - line;
        if (nameLength === 14 && matchesLower(data, line, 'content-length')) {
          contentLength = parseDecimal(data, colon + 1, next);
          if (contentLength < 0) return false;
        } else if (nameLength === 17 && matchesLower(data, line, 'transfer-encoding')) {
          chunked = containsLower(data, colon + 1, next, 'chunked');
        } else if (nameLength === 10 && matchesLower(data, line, 'connection')) {
          if (containsLower(data, colon + 1, next, 'close')) this.closeAfter = true;
          else if (containsLower(data, colon + 1, next, 'keep-alive')) this.closeAfter = false;
        }
      }
      line = next + 1;
    }
    const noBody = status < 200 || status === 204 || status === 304;
    if (noBody || this.options.headRequest) {
      this.state = State.Body;
      this.remaining = 0;
    } else if (chunked) {
      this.state = State.ChunkSize;
      this.remaining = 0;
      this.chunkSizeSeen = false;
      this.inChunkExtension = false;
    } else if (contentLength >= 0) {
      this.state = State.Body;
      this.remaining = contentLength;
    } else {
      this.state = State.BodyUntilClose;
      this.closeAfter = true;
    }
    return true;
  }
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function matchesLower(data: Buffer, at: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    if ((data[at + i]! | 0x20) !== name.charCodeAt(i) && data[at + i] !== name.charCodeAt(i)) return false;
  }
  return true;
}

function containsLower(data: Buffer, from: number, to: number, word: string): boolean {
  outer: for (let i = from; i + word.length <= to; i++) {
    for (let j = 0; j < word.length; j++) {
      if ((data[i + j]! | 0x20) !== word.charCodeAt(j)) continue outer;
    }
    return true;
  }
  return false;
}

function parseDecimal(data: Buffer, from: number, to: number): number {
  let value = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const byte = data[i]!;
    if (byte >= 48 && byte <= 57) {
      value = value * 10 + byte - 48;
      digits++;
    } else if (byte !== 0x20 && byte !== 0x09 && byte !== CR) {
      return -1;
    }
  }
  return digits > 0 ? value : -1;
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

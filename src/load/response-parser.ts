/**
 * HTTP/1.1 response framing (RFC 9112 section 6), byte by byte over the socket's own buffers,
 * keeping no per-response objects: the status, whether the connection may carry another request,
 * and where the message ends. Body bytes go to an optional sink (for streamed answers) and are
 * otherwise skipped.
 *
 * How a response ends (section 6.3): no body after a 1xx, 204 or 304 answer or a HEAD request;
 * chunked when chunked is the final transfer coding; read until the close when another coding is
 * final, or when there is neither a coding nor a length; else Content-Length octets. Faulty framing
 * is refused, not guessed at: Content-Length values that differ, Transfer-Encoding beside
 * Content-Length (a smuggling sign, "ought to be handled as an error"), Transfer-Encoding in
 * HTTP/1.0, a malformed length, chunk size or chunk end, a 101 nobody asked for, and any byte after
 * a complete response (no request was waiting for it: section 9.3 allows none).
 */

/** Called with body bytes data[start, end) (chunk framing removed); the buffer is reused after the call. */
export type BodySink = (data: Buffer, start: number, end: number) => void;

export const enum ParseOutcome {
  /** The response is not complete yet: feed more bytes. */
  NeedMore,
  /** The response is complete; `consumed` says where it ended. */
  Complete,
  /** The framing is faulty (`problem` says how); the connection cannot be trusted further. */
  Faulty,
}

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkExtension,
  ChunkSizeEnd,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailer,
  UntilClose,
}

const CR = 13;
const LF = 10;
/** A head larger than this is not an inference server's answer. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** 2^40: chunk sizes beyond it are refused before they lose precision. */
const MAX_CHUNK_SIZE = 2 ** 40;

export class ResponseParser {
  /** The final status of the response being read (or last read). */
  status = 0;
  /** The connection must not carry another request after this response. */
  closeAfter = false;
  /** Bytes of this response seen so far, interim answers included. */
  bytesSeen = 0;
  /** Bytes that followed the end of a complete response in the same read: none may (section 9.3). */
  extraBytes = 0;
  /** Why the framing is faulty, once execute() returned Faulty. */
  problem = '';

  private state = State.Head;
  private headRequest = false;
  private remaining = 0;
  private trailerLineLength = 0;
  /** A head split across reads, copied (the read buffer is reused). */
  private pendingHead: Buffer | undefined;

  constructor(private readonly onBody?: BodySink) {}

  /** Resets for the response to a new request; `headRequest` when the request was HEAD (no body follows). */
  expect(headRequest: boolean): void {
    this.state = State.Head;
    this.headRequest = headRequest;
    this.status = 0;
    this.closeAfter = false;
    this.bytesSeen = 0;
    this.pendingHead = undefined;
    this.problem = '';
    this.extraBytes = 0;
  }

  /** The connection ended here: true when that completes the response (a body delimited by the close). */
  endsAtClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** Reads data[start, end). */
  execute(data: Buffer, start: number, end: number): ParseOutcome {
    this.bytesSeen += end - start;
    let offset = start;
    while (offset < end) {
      switch (this.state) {
        case State.Head: {
          let buffer = data;
          let from = offset;
          let to = end;
          if (this.pendingHead) {
            buffer = Buffer.concat([this.pendingHead, data.subarray(offset, end)]);
            from = 0;
            to = buffer.length;
            this.pendingHead = undefined;
          }
          const bodyStart = findBodyStart(buffer, from, to);
          if (bodyStart < 0) {
            if (to - from > MAX_HEAD_BYTES) return this.fault('head larger than 64 KiB');
            this.pendingHead = Buffer.from(buffer.subarray(from, to));
            return ParseOutcome.NeedMore;
          }
          const problem = this.readHead(buffer, from, bodyStart);
          if (problem) return this.fault(problem);
          // Go on in whichever buffer holds the rest of this read.
          data = buffer;
          end = to;
          offset = bodyStart;
          if ((this.state as State) === State.Body && this.remaining === 0) {
            // An interim answer: the final one follows.
            if (this.status < 200) {
              this.state = State.Head;
              continue;
            }
            return this.complete(offset, end);
          }
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, end - offset);
          if (this.onBody && take > 0) this.onBody(data, offset, offset + take);
          this.remaining -= take;
          offset += take;
          if (this.remaining === 0) return this.complete(offset, end);
          break;
        }
        case State.UntilClose:
          if (this.onBody) this.onBody(data, offset, end);
          offset = end;
          break;
        case State.ChunkSize: {
          const byte = data[offset++]!;
          const digit = hexValue(byte);
          if (digit >= 0) {
            this.remaining = this.remaining * 16 + digit;
            this.trailerLineLength++;
            if (this.remaining > MAX_CHUNK_SIZE) return this.fault('chunk size too large');
          } else if (this.trailerLineLength === 0) {
            return this.fault('chunk size is not hexadecimal');
          } else if (byte === 0x3b || byte === 0x20 || byte === 0x09) {
            this.state = State.ChunkExtension;
          } else if (byte === CR) {
            this.state = State.ChunkSizeEnd;
          } else if (byte === LF) {
            this.afterChunkSize();
          } else {
            return this.fault('chunk size is not hexadecimal');
          }
          break;
        }
        case State.ChunkExtension: {
          const byte = data[offset++]!;
          if (byte === CR) this.state = State.ChunkSizeEnd;
          else if (byte === LF) this.afterChunkSize();
          break;
        }
        case State.ChunkSizeEnd:
          if (data[offset++] !== LF) return this.fault('chunk size line does not end in CRLF');
          this.afterChunkSize();
          break;
        case State.ChunkData: {
          const take = Math.min(this.remaining, end - offset);
          if (this.onBody && take > 0) this.onBody(data, offset, offset + take);
          this.remaining -= take;
          offset += take;
          if (this.remaining === 0) this.state = State.ChunkDataCr;
          break;
        }
        case State.ChunkDataCr: {
          const byte = data[offset++]!;
          if (byte === LF) this.startChunk();
          else if (byte === CR) this.state = State.ChunkDataLf;
          else return this.fault('chunk data does not end in CRLF');
          break;
        }
        case State.ChunkDataLf:
          if (data[offset++] !== LF) return this.fault('chunk data does not end in CRLF');
          this.startChunk();
          break;
        case State.Trailer: {
          const byte = data[offset++]!;
          if (byte === LF) {
            if (this.trailerLineLength === 0) return this.complete(offset, end);
            this.trailerLineLength = 0;
          } else if (byte !== CR) {
            this.trailerLineLength++;
          }
          break;
        }
      }
    }
    return ParseOutcome.NeedMore;
  }

  private complete(offset: number, end: number): ParseOutcome {
    this.extraBytes = end - offset;
    return ParseOutcome.Complete;
  }

  private fault(problem: string): ParseOutcome {
    this.problem = problem;
    this.closeAfter = true;
    return ParseOutcome.Faulty;
  }

  private startChunk(): void {
    this.state = State.ChunkSize;
    this.remaining = 0;
    // Counts the size's digits; the trailer section reuses it for its line length.
    this.trailerLineLength = 0;
  }

  private afterChunkSize(): void {
    if (this.remaining === 0) {
      this.state = State.Trailer;
      this.trailerLineLength = 0;
    } else {
      this.state = State.ChunkData;
    }
  }

  /**
   * Reads the status line and the framing fields of the head in data[start, end) and sets how
   * the body ends; returns the problem when the framing is faulty.
   */
  private readHead(data: Buffer, start: number, end: number): string | undefined {
    // "HTTP/1.x SSS" then a space or the end of the line.
    if (end - start < 12 || !matchesLower(data, start, 'http/1.') || data[start + 8] !== 0x20) return 'not an HTTP/1.x status line';
    const minor = data[start + 7]!;
    if (minor !== 0x30 && minor !== 0x31) return 'not an HTTP/1.x status line';
    const status = (data[start + 9]! - 48) * 100 + (data[start + 10]! - 48) * 10 + (data[start + 11]! - 48);
    const after = data[start + 12];
    if (!(status >= 100 && status <= 999) || (after !== 0x20 && after !== CR && after !== LF)) return 'not an HTTP/1.x status line';
    if (status === 101) return '101 Switching Protocols without an Upgrade request';
    this.status = status;
    const http10 = minor === 0x30;
    // HTTP/1.0 closes unless told otherwise; HTTP/1.1 persists unless told otherwise.
    let close = http10;
    let contentLength = -1;
    let codings = false;
    let chunkedFinal = false;

    let line = data.indexOf(LF, start) + 1;
    while (line > 0 && line < end) {
      let next = data.indexOf(LF, line);
      if (next < 0 || next > end) next = end;
      const colon = data.indexOf(0x3a, line);
      if (colon > line && colon < next) {
        const nameLength = colon - line;
        if (nameLength === 14 && matchesLower(data, line, 'content-length')) {
          const value = parseLengthList(data, colon + 1, next);
          if (value < 0) return 'malformed Content-Length';
          if (contentLength >= 0 && value !== contentLength) return 'conflicting Content-Length values';
          contentLength = value;
        } else if (nameLength === 17 && matchesLower(data, line, 'transfer-encoding')) {
          codings = true;
          chunkedFinal = lastTokenIs(data, colon + 1, next, 'chunked');
        } else if (nameLength === 10 && matchesLower(data, line, 'connection')) {
          if (containsLower(data, colon + 1, next, 'close')) close = true;
          else if (containsLower(data, colon + 1, next, 'keep-alive')) close = false;
        }
      }
      line = next + 1;
    }
    this.closeAfter = close;

    const noBody = status < 200 || status === 204 || status === 304 || this.headRequest;
    if (noBody) {
      this.state = State.Body;
      this.remaining = 0;
      return undefined;
    }
    if (codings && http10) return 'Transfer-Encoding in an HTTP/1.0 response';
    if (codings && contentLength >= 0) return 'both Transfer-Encoding and Content-Length';
    if (codings && chunkedFinal) {
      this.startChunk();
    } else if (codings || contentLength < 0) {
      this.state = State.UntilClose;
      this.closeAfter = true;
    } else {
      this.state = State.Body;
      this.remaining = contentLength;
    }
    return undefined;
  }
}

/**
 * Where the body starts: the index after the empty line that closes the head in data[from, to)
 * (CRLF CRLF, or bare LFs, which section 2.2 lets a recipient accept), or -1 when it is not there yet.
 */
function findBodyStart(data: Buffer, from: number, to: number): number {
  for (let at = data.indexOf(LF, from); at >= 0 && at < to; at = data.indexOf(LF, at + 1)) {
    if (at + 1 < to && data[at + 1] === LF) return at + 2;
    if (at + 2 < to && data[at + 1] === CR && data[at + 2] === LF) return at + 3;
  }
  return -1;
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

/** Whether the last comma-separated token of data[from, to) is `word` (case-insensitive). */
function lastTokenIs(data: Buffer, from: number, to: number, word: string): boolean {
  let last = to;
  while (last > from && isSpace(data[last - 1]!)) last--;
  let first = last;
  while (first > from && data[first - 1] !== 0x2c) first--;
  while (first < last && isSpace(data[first]!)) first++;
  return last - first === word.length && containsLower(data, first, last, word);
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === CR;
}

/**
 * A Content-Length value: one decimal, or a list of equal ones ("42, 42", which section 6.3 lets a
 * recipient accept); -1 when malformed or when the list's values differ.
 */
function parseLengthList(data: Buffer, from: number, to: number): number {
  let value = -1;
  let current = 0;
  let digits = 0;
  let spaceAfterDigits = false;
  for (let i = from; i <= to; i++) {
    const byte = i < to ? data[i]! : 0x2c;
    if (byte >= 48 && byte <= 57) {
      if (spaceAfterDigits || ++digits > 15) return -1;
      current = current * 10 + byte - 48;
    } else if (byte === 0x2c) {
      if (digits === 0 || (value >= 0 && current !== value)) return -1;
      value = current;
      current = 0;
      digits = 0;
      spaceAfterDigits = false;
    } else if (isSpace(byte)) {
      if (digits > 0) spaceAfterDigits = true;
    } else {
      return -1;
    }
  }
  return value;
}

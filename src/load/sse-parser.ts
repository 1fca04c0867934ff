/**
 * Server-sent events over a byte stream, as the WHATWG HTML standard defines the
 * `text/event-stream` format (section "Server-sent events", "Parsing an event stream"): lines end
 * in CRLF, LF or CR; `data:` lines of one event are joined with LF; a blank line dispatches the
 * event; lines starting with `:` are comments; a stream that ends inside an event drops that event.
 *
 * Built for the hot path: bytes are parsed where they lie. An event whose bytes all sit in one
 * pushed chunk is handed over as a slice of that chunk, without a copy; only an event split
 * across chunks, or with several `data:` lines, is copied into a scratch buffer that is reused.
 */

/** Receives each dispatched event. */
export interface SseEventSink {
  /**
   * One event: its data (its `data:` lines joined by LF) is bytes [start, end) of `bytes`, valid
   * only during this call (the buffer is reused). `eventType` is the `event:` field, '' when absent.
   */
  onEvent(bytes: Buffer, start: number, end: number, eventType: string): void;
}

const LF = 10;
const CR = 13;
const COLON = 0x3a;
const SPACE = 0x20;

/** Longest event (or line) accepted before the stream is called broken: a stream that never sends a blank line must not fill memory. */
export const MAX_SSE_EVENT_BYTES = 4 * 1024 * 1024;

export class SseParser {
  /** Bytes of a line that has not ended yet, kept across pushes. */
  private carry: Buffer = Buffer.allocUnsafe(1024);
  private carryLength = 0;
  /** Data of the pending event once it had to be copied (several lines, or kept across pushes). */
  private scratch: Buffer = Buffer.allocUnsafe(1024);
  private scratchLength = 0;
  /** The pending event's data as a slice of the chunk being parsed (no copy), when `sliceBytes` is set. */
  private sliceBytes: Buffer | undefined;
  private sliceStart = 0;
  private sliceEnd = 0;
  private hasData = false;
  private eventType = '';
  /** The previous push ended on CR: a LF opening the next push belongs to the same line end. */
  private afterCr = false;
  private atStreamStart = true;
  private broken = false;
  /** Events dispatched since the last reset. */
  events = 0;

  constructor(
    private readonly sink: SseEventSink,
    private readonly maxEventBytes = MAX_SSE_EVENT_BYTES,
  ) {}

  /** Starts a new stream, dropping anything pending from the last one. */
  reset(): void {
    this.carryLength = 0;
    this.scratchLength = 0;
    this.sliceBytes = undefined;
    this.hasData = false;
    this.eventType = '';
    this.afterCr = false;
    this.atStreamStart = true;
    this.broken = false;
    this.events = 0;
  }

  /**
   * Parses bytes [start, end) of `chunk`; the chunk may be reused once this returns.
   * Returns false when the stream is broken (an event or line over the size limit); the parser
   * then ignores further bytes until reset.
   */
  push(bytes: Buffer, start: number, end: number): boolean {
    if (this.broken) return false;
    // A view, not a copy: it bounds the native searches below to the pushed bytes (a reused read
    // buffer holds stale bytes past `end`, and scanning them on every push would cost more than parsing).
    const chunk = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
    end = chunk.length;
    let position = 0;
    if (this.atStreamStart && end - position >= 3 && chunk[position] === 0xef && chunk[position + 1] === 0xbb && chunk[position + 2] === 0xbf) {
      position += 3;
    }
    if (end > position) this.atStreamStart = false;
    if (this.afterCr && position < end) {
      if (chunk[position] === LF) position++;
      this.afterCr = false;
    }
    // Next line terminators at or after `position`, found once and reused: scanning for CR and
    // LF separately per line would rescan the chunk's tail for every line.
    let nextLf = -2;
    let nextCr = -2;
    while (position < end) {
      if (nextLf !== -1 && nextLf < position) nextLf = chunk.indexOf(LF, position);
      if (nextCr !== -1 && nextCr < position) nextCr = chunk.indexOf(CR, position);
      const lf = nextLf >= 0 && nextLf < end ? nextLf : -1;
      const cr = nextCr >= 0 && nextCr < end ? nextCr : -1;
      const lineEnd = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (lineEnd < 0) {
        if (!this.keep(chunk, position, end)) return this.fail();
        break;
      }
      let next = lineEnd + 1;
      if (lineEnd === cr) {
        if (next < end) {
          if (chunk[next] === LF) next++;
        } else this.afterCr = true;
      }
      if (this.carryLength > 0) {
        if (!this.keep(chunk, position, lineEnd)) return this.fail();
        const length = this.carryLength;
        this.carryLength = 0;
        this.line(this.carry, 0, length, true);
      } else {
        this.line(chunk, position, lineEnd, false);
      }
      position = next;
    }
    // The chunk is about to be reused: a pending event that still points into it moves to scratch.
    if (this.sliceBytes !== undefined) {
      if (!this.toScratch()) return this.fail();
    }
    return true;
  }

  /**
   * The stream ended. Returns true when it ended between events; false when an event (or a line)
   * was left unfinished, which the standard drops and which means the answer was cut short.
   */
  end(): boolean {
    const clean = !this.broken && this.carryLength === 0 && !this.hasData;
    this.carryLength = 0;
    this.scratchLength = 0;
    this.sliceBytes = undefined;
    this.hasData = false;
    return clean;
  }

  private fail(): false {
    this.broken = true;
    return false;
  }

  /** Appends bytes of an unfinished line to the carry buffer. */
  private keep(chunk: Buffer, start: number, end: number): boolean {
    const length = this.carryLength + end - start;
    if (length > this.maxEventBytes) return false;
    this.carry = ensureCapacity(this.carry, this.carryLength, length);
    chunk.copy(this.carry, this.carryLength, start, end);
    this.carryLength = length;
    return true;
  }

  /** Handles one line, terminator excluded. `copied`: the line lives in the carry buffer, which the next line reuses. */
  private line(bytes: Buffer, start: number, end: number, copied: boolean): void {
    if (start === end) return this.dispatch();
    if (bytes[start] === COLON) return;
    let colon = start;
    while (colon < end && bytes[colon] !== COLON) colon++;
    let value = colon < end ? colon + 1 : end;
    if (value < end && bytes[value] === SPACE) value++;
    const nameLength = colon - start;
    if (nameLength === 4 && bytes[start] === 0x64 && bytes[start + 1] === 0x61 && bytes[start + 2] === 0x74 && bytes[start + 3] === 0x61) {
      this.appendData(bytes, value, end, copied);
    } else if (nameLength === 5 && bytes.toString('latin1', start, colon) === 'event') {
      this.eventType = bytes.toString('utf8', value, end);
    }
    // id, retry and unknown fields carry nothing a profiler uses.
  }

  private appendData(bytes: Buffer, start: number, end: number, copied: boolean): void {
    if (!this.hasData && !copied) {
      this.hasData = true;
      this.sliceBytes = bytes;
      this.sliceStart = start;
      this.sliceEnd = end;
      return;
    }
    if (this.sliceBytes !== undefined && !this.toScratch()) return void this.fail();
    const separator = this.hasData ? 1 : 0;
    const length = this.scratchLength + separator + end - start;
    if (length > this.maxEventBytes) return void this.fail();
    this.scratch = ensureCapacity(this.scratch, this.scratchLength, length);
    if (separator) this.scratch[this.scratchLength] = LF;
    bytes.copy(this.scratch, this.scratchLength + separator, start, end);
    this.scratchLength = length;
    this.hasData = true;
  }

  /** Copies the pending slice into scratch (it is the first data of the event). */
  private toScratch(): boolean {
    const bytes = this.sliceBytes!;
    const length = this.sliceEnd - this.sliceStart;
    if (length > this.maxEventBytes) return false;
    this.scratch = ensureCapacity(this.scratch, 0, length);
    bytes.copy(this.scratch, 0, this.sliceStart, this.sliceEnd);
    this.scratchLength = length;
    this.sliceBytes = undefined;
    return true;
  }

  private dispatch(): void {
    if (this.broken) return;
    if (this.hasData) {
      this.events++;
      const type = this.eventType;
      if (this.sliceBytes !== undefined) {
        const bytes = this.sliceBytes;
        this.sliceBytes = undefined;
        this.hasData = false;
        this.eventType = '';
        this.sink.onEvent(bytes, this.sliceStart, this.sliceEnd, type);
      } else {
        const length = this.scratchLength;
        this.scratchLength = 0;
        this.hasData = false;
        this.eventType = '';
        this.sink.onEvent(this.scratch, 0, length, type);
      }
    } else {
      this.eventType = '';
    }
  }
}

/** A buffer of at least `needed` bytes holding the first `used` bytes of `buffer`. */
function ensureCapacity(buffer: Buffer, used: number, needed: number): Buffer {
  if (needed <= buffer.length) return buffer;
  const grown = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
  buffer.copy(grown, 0, 0, used);
  return grown;
}

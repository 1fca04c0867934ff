/**
 * A fast path for the common OpenAI stream chunk: reads, straight from the event's bytes, the two
 * facts the reader needs from a chunk (does a choice carry output, does one have a finish_reason)
 * while checking that the whole event is JSON (RFC 8259), without building strings or objects.
 *
 * It answers only when it is sure its answer is the one JSON.parse and the full reader
 * (OpenAiAnswerReader) would reach; anything else (text that may not be JSON, a key or a value
 * with escapes where the reader compares it, a key it reads given twice, `error`, `object: "error"`,
 * a `usage` that is not null, `choices` that is not an array, nesting deeper than MAX_DEPTH) is
 * UNSURE, and the caller falls back to the full reader. A unit test holds the two to the same
 * answers over many shapes and random mutations.
 */

/** The scan could not vouch for the chunk: read it with JSON.parse. */
export const UNSURE = -1;
/** Bit flags of a sure answer (0: a valid chunk with neither). */
export const OUTPUT = 1;
export const FINISHED = 2;

const MAX_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const enum Key {
  Other,
  Choices,
  Usage,
  Error,
  Object,
  Delta,
  Text,
  FinishReason,
  Content,
  ReasoningContent,
  Reasoning,
  ToolCalls,
}

const KEYS: readonly [Key, Uint8Array][] = (
  [
    [Key.Choices, 'choices'],
    [Key.Usage, 'usage'],
    [Key.Error, 'error'],
    [Key.Object, 'object'],
    [Key.Delta, 'delta'],
    [Key.Text, 'text'],
    [Key.FinishReason, 'finish_reason'],
    [Key.Content, 'content'],
    [Key.ReasoningContent, 'reasoning_content'],
    [Key.Reasoning, 'reasoning'],
    [Key.ToolCalls, 'tool_calls'],
  ] as const
).map(([key, name]) => [key, Uint8Array.from(Buffer.from(name))]);
/** KEYS by their length, so a key is compared only with names it could be. */
const KEYS_BY_LENGTH: ([Key, Uint8Array][] | undefined)[] = [];
for (const entry of KEYS) (KEYS_BY_LENGTH[entry[1].length] ??= []).push(entry);
const ERROR_TEXT = Uint8Array.from(Buffer.from('error'));

/** What the last scanned value was, for the callers that look at it. */
const enum Kind {
  Bad,
  Str,
  EmptyStr,
  EscapedStr,
  Arr,
  EmptyArr,
  Obj,
  Null,
  Other,
}

export class ChunkScanner {
  private bytes: Buffer = Buffer.alloc(0);
  private position = 0;
  private end = 0;
  private completions = false;
  /** Start and end of the last string scanned (quotes excluded). */
  private stringStart = 0;
  private stringEnd = 0;
  private escaped = false;
  private flags = 0;

  /**
   * Scans bytes [start, end): OUTPUT | FINISHED flags for a chunk it is sure of, UNSURE otherwise.
   * `completions`: output is a choice's non-empty `text` (else a chat `delta`'s content).
   */
  scan(bytes: Buffer, start: number, end: number, completions: boolean): number {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
    this.completions = completions;
    this.flags = 0;
    this.skipSpace();
    if (!this.topObject()) return UNSURE;
    this.skipSpace();
    return this.position === end ? this.flags : UNSURE;
  }

  /** The chunk object; false when unsure. */
  private topObject(): boolean {
    if (this.peek() !== OPEN_BRACE) return false;
    this.position++;
    let seen = 0;
    this.skipSpace();
    // {} has neither choices nor usage: the full reader says so.
    if (this.peek() === CLOSE_BRACE) return false;
    for (;;) {
      const key = this.memberKey();
      if (key === undefined) return false;
      if (key !== Key.Other) {
        if (seen & (1 << key)) return false;
        seen |= 1 << key;
      }
      switch (key) {
        case Key.Choices:
          if (!this.choices()) return false;
          break;
        case Key.Usage:
          if (this.value(1) !== Kind.Null) return false;
          break;
        case Key.Error:
          return false;
        case Key.Object: {
          const kind = this.value(1);
          if (kind === Kind.Bad || kind === Kind.EscapedStr) return false;
          if (kind === Kind.Str && this.stringIs(ERROR_TEXT)) return false;
          break;
        }
        default:
          if (this.value(1) === Kind.Bad) return false;
      }
      if (!this.afterMember(CLOSE_BRACE)) return false;
      if (this.bytes[this.position - 1] === CLOSE_BRACE) break;
    }
    // The reader needs `choices` (as an array) when `usage` is not an object.
    return (seen & (1 << Key.Choices)) !== 0;
  }

  /** `choices`: an array; each object element is read, others skipped. */
  private choices(): boolean {
    this.skipSpace();
    if (this.peek() !== OPEN_BRACKET) return false;
    this.position++;
    this.skipSpace();
    if (this.peek() === CLOSE_BRACKET) {
      this.position++;
      return true;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() === OPEN_BRACE) {
        if (!this.choice()) return false;
      } else if (this.value(2) === Kind.Bad) return false;
      if (!this.afterMember(CLOSE_BRACKET)) return false;
      if (this.bytes[this.position - 1] === CLOSE_BRACKET) return true;
    }
  }

  /** One choice object: `finish_reason`, and `delta` (chat) or `text` (completions). */
  private choice(): boolean {
    this.position++;
    let seen = 0;
    this.skipSpace();
    if (this.peek() === CLOSE_BRACE) {
      this.position++;
      return true;
    }
    for (;;) {
      const key = this.memberKey();
      if (key === undefined) return false;
      if (key !== Key.Other) {
        if (seen & (1 << key)) return false;
        seen |= 1 << key;
      }
      if (key === Key.FinishReason) {
        const kind = this.value(3);
        if (kind === Kind.Bad) return false;
        if (kind === Kind.Str || kind === Kind.EmptyStr || kind === Kind.EscapedStr) this.flags |= FINISHED;
      } else if (key === Key.Text && this.completions) {
        const kind = this.value(3);
        if (kind === Kind.Bad) return false;
        if (kind === Kind.Str || kind === Kind.EscapedStr) this.flags |= OUTPUT;
      } else if (key === Key.Delta && !this.completions) {
        this.skipSpace();
        if (this.peek() === OPEN_BRACE) {
          if (!this.delta()) return false;
        } else if (this.value(3) === Kind.Bad) return false;
      } else if (this.value(3) === Kind.Bad) return false;
      if (!this.afterMember(CLOSE_BRACE)) return false;
      if (this.bytes[this.position - 1] === CLOSE_BRACE) return true;
      this.skipSpace();
    }
  }

  /** A chat delta: output when content, reasoning_content or reasoning is a non-empty string, or tool_calls a non-empty array. */
  private delta(): boolean {
    this.position++;
    let seen = 0;
    this.skipSpace();
    if (this.peek() === CLOSE_BRACE) {
      this.position++;
      return true;
    }
    for (;;) {
      const key = this.memberKey();
      if (key === undefined) return false;
      if (key !== Key.Other) {
        if (seen & (1 << key)) return false;
        seen |= 1 << key;
      }
      const kind = this.value(4);
      if (kind === Kind.Bad) return false;
      if (key === Key.Content || key === Key.ReasoningContent || key === Key.Reasoning) {
        if (kind === Kind.Str || kind === Kind.EscapedStr) this.flags |= OUTPUT;
      } else if (key === Key.ToolCalls && kind === Kind.Arr) this.flags |= OUTPUT;
      if (!this.afterMember(CLOSE_BRACE)) return false;
      if (this.bytes[this.position - 1] === CLOSE_BRACE) return true;
      this.skipSpace();
    }
  }

  /** A member's key and its colon; undefined when unsure (no string, escapes in the key, no colon). */
  private memberKey(): Key | undefined {
    this.skipSpace();
    if (this.peek() !== QUOTE || !this.string() || this.escaped) return undefined;
    this.skipSpace();
    if (this.peek() !== COLON) return undefined;
    this.position++;
    const length = this.stringEnd - this.stringStart;
    const candidates = KEYS_BY_LENGTH[length];
    if (candidates === undefined) return Key.Other;
    for (let i = 0; i < candidates.length; i++) {
      const [key, name] = candidates[i]!;
      if (this.stringIs(name)) return key;
    }
    return Key.Other;
  }

  /** After a member or element: a comma, or `close` (consumed); false otherwise. */
  private afterMember(close: number): boolean {
    this.skipSpace();
    const byte = this.peek();
    if (byte === COMMA || byte === close) {
      this.position++;
      return true;
    }
    return false;
  }

  /** The last string scanned is `name` (compared here: a native compare costs more than these few bytes). */
  private stringIs(name: Uint8Array): boolean {
    const length = name.length;
    if (this.stringEnd - this.stringStart !== length) return false;
    const bytes = this.bytes;
    const start = this.stringStart;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== name[i]) return false;
    return true;
  }

  /** Any JSON value at `depth`; its kind, Bad when it is not one (or nests too deep). */
  private value(depth: number): Kind {
    this.skipSpace();
    const byte = this.peek();
    if (byte === QUOTE) {
      if (!this.string()) return Kind.Bad;
      return this.escaped ? Kind.EscapedStr : this.stringEnd === this.stringStart ? Kind.EmptyStr : Kind.Str;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth >= MAX_DEPTH) return Kind.Bad;
      const close = byte === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      this.position++;
      this.skipSpace();
      if (this.peek() === close) {
        this.position++;
        return close === CLOSE_BRACE ? Kind.Obj : Kind.EmptyArr;
      }
      for (;;) {
        if (close === CLOSE_BRACE) {
          this.skipSpace();
          if (this.peek() !== QUOTE || !this.string()) return Kind.Bad;
          this.skipSpace();
          if (this.peek() !== COLON) return Kind.Bad;
          this.position++;
        }
        if (this.value(depth + 1) === Kind.Bad) return Kind.Bad;
        if (!this.afterMember(close)) return Kind.Bad;
        if (this.bytes[this.position - 1] === close) return close === CLOSE_BRACE ? Kind.Obj : Kind.Arr;
      }
    }
    if (byte === 0x6e) return this.literal('null') ? Kind.Null : Kind.Bad;
    if (byte === 0x74) return this.literal('true') ? Kind.Other : Kind.Bad;
    if (byte === 0x66) return this.literal('false') ? Kind.Other : Kind.Bad;
    return this.number() ? Kind.Other : Kind.Bad;
  }

  /** A string from its opening quote; sets stringStart/End and `escaped`. False when it is not a valid JSON string. */
  private string(): boolean {
    const bytes = this.bytes;
    let at = this.position + 1;
    this.stringStart = at;
    this.escaped = false;
    const end = this.end;
    while (at < end) {
      const byte = bytes[at]!;
      if (byte === QUOTE) {
        this.stringEnd = at;
        this.position = at + 1;
        return true;
      }
      if (byte < 0x20) return false;
      if (byte === BACKSLASH) {
        this.escaped = true;
        if (at + 1 >= end) return false;
        const next = bytes[at + 1];
        if (next === 0x75) {
          if (at + 6 > end) return false;
          for (let i = 2; i < 6; i++) if (!isHex(bytes[at + i])) return false;
          at += 6;
          continue;
        }
        // " \ / b f n r t
        if (next !== QUOTE && next !== BACKSLASH && next !== 0x2f && next !== 0x62 && next !== 0x66 && next !== 0x6e && next !== 0x72 && next !== 0x74) return false;
        at += 2;
        continue;
      }
      at++;
    }
    return false;
  }

  private literal(text: string): boolean {
    if (this.position + text.length > this.end) return false;
    for (let i = 0; i < text.length; i++) if (this.bytes[this.position + i] !== text.charCodeAt(i)) return false;
    this.position += text.length;
    return true;
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  private number(): boolean {
    const bytes = this.bytes;
    let at = this.position;
    if (bytes[at] === 0x2d) at++;
    if (at >= this.end) return false;
    if (bytes[at] === 0x30) at++;
    else if (isDigit(bytes[at])) while (at < this.end && isDigit(bytes[at])) at++;
    else return false;
    if (at < this.end && bytes[at] === 0x2e) {
      at++;
      if (!(at < this.end && isDigit(bytes[at]))) return false;
      while (at < this.end && isDigit(bytes[at])) at++;
    }
    if (at < this.end && (bytes[at] === 0x65 || bytes[at] === 0x45)) {
      at++;
      if (at < this.end && (bytes[at] === 0x2b || bytes[at] === 0x2d)) at++;
      if (!(at < this.end && isDigit(bytes[at]))) return false;
      while (at < this.end && isDigit(bytes[at])) at++;
    }
    this.position = at;
    return true;
  }

  /** The byte at the position, -1 past the end (the buffer may hold stale bytes there). */
  private peek(): number {
    return this.position < this.end ? this.bytes[this.position]! : -1;
  }

  private skipSpace(): void {
    const bytes = this.bytes;
    let at = this.position;
    while (at < this.end) {
      const byte = bytes[at]!;
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
      at++;
    }
    this.position = at;
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function isHex(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser, type SseEventSink } from '../../../src/load/sse-parser.js';

interface Seen {
  data: string;
  type: string;
  /** The event's bytes were handed over as a slice of the pushed chunk. */
  inPlace: boolean;
}

function collector(): { sink: SseEventSink; seen: Seen[]; pushed: { bytes?: Buffer } } {
  const seen: Seen[] = [];
  const pushed: { bytes?: Buffer } = {};
  const sink: SseEventSink = {
    onEvent(bytes, start, end, type) {
      seen.push({ data: bytes.toString('utf8', start, end), type, inPlace: within(bytes, pushed.bytes) });
    },
  };
  return { sink, seen, pushed };
}

/** Parses `chunks` one after another, each in its own fresh buffer (as a socket hands them over). */
function parse(chunks: string[], maxEventBytes?: number): { seen: Seen[]; ok: boolean; clean: boolean } {
  const { sink, seen, pushed } = collector();
  const parser = new SseParser(sink, maxEventBytes);
  let ok = true;
  for (const text of chunks) {
    // Surround the bytes with noise so the parser must honour start and end.
    const bytes = Buffer.from(`\n\nXX${text}data: stale\n\n`, 'utf8');
    const start = 4;
    const end = start + Buffer.byteLength(text);
    pushed.bytes = bytes;
    ok = parser.push(bytes, start, end) && ok;
    bytes.fill(0x21); // the read buffer is reused: nothing may point into it afterwards
  }
  return { seen, ok, clean: parser.end() };
}

/** `inner` is a view into the memory of `outer`. */
function within(inner: Buffer, outer: Buffer | undefined): boolean {
  if (outer === undefined || inner.buffer !== outer.buffer) return false;
  return inner.byteOffset >= outer.byteOffset && inner.byteOffset + inner.length <= outer.byteOffset + outer.length;
}

const data = (seen: Seen[]): string[] => seen.map((event) => event.data);

describe('SseParser', () => {
  const cases: { name: string; chunks: string[]; events: string[]; clean?: boolean }[] = [
    { name: 'one event in one chunk', chunks: ['data: {"a":1}\n\n'], events: ['{"a":1}'] },
    { name: 'several events in one chunk', chunks: ['data: 1\n\ndata: 2\n\ndata: [DONE]\n\n'], events: ['1', '2', '[DONE]'] },
    { name: 'one event across chunks', chunks: ['da', 'ta: {"b"', ':2}', '\n', '\n'], events: ['{"b":2}'] },
    { name: 'data line complete, blank line in the next chunk', chunks: ['data: x\n', '\ndata: y\n\n'], events: ['x', 'y'] },
    { name: 'CRLF line ends', chunks: ['data: a\r\n\r\ndata: b\r\n\r\n'], events: ['a', 'b'] },
    { name: 'CRLF split across chunks', chunks: ['data: a\r', '\n\r', '\n'], events: ['a'] },
    { name: 'lone CR line ends', chunks: ['data: a\r\rdata: b\r\r'], events: ['a', 'b'] },
    { name: 'several data lines joined by LF', chunks: ['data: one\ndata: two\n\n'], events: ['one\ntwo'] },
    { name: 'no space after the colon', chunks: ['data:x\n\n'], events: ['x'] },
    { name: 'only one leading space is dropped', chunks: ['data:  x\n\n'], events: [' x'] },
    { name: 'comments and unknown fields are skipped', chunks: [': ping\nid: 7\nretry: 10\nfoo: bar\ndata: z\n\n'], events: ['z'] },
    { name: 'a blank line without data dispatches nothing', chunks: ['\n\n: keep-alive\n\n'], events: [] },
    { name: 'a byte order mark opens the stream', chunks: ['\ufeffdata: bom\n\n'], events: ['bom'] },
    { name: 'multi-byte characters split across chunks', chunks: ['data: h\u00e9', 'llo \u4e16', '\u754c\n\n'], events: ['h\u00e9llo \u4e16\u754c'] },
    { name: 'a stream cut inside an event is not clean', chunks: ['data: 1\n\ndata: {"cut'], events: ['1'], clean: false },
    { name: 'a stream cut after a data line but before the blank line is not clean', chunks: ['data: 1\n'], events: [], clean: false },
  ];
  for (const { name, chunks, events, clean = true } of cases) {
    it(name, () => {
      const result = parse(chunks);
      assert.deepEqual(data(result.seen), events);
      assert.equal(result.clean, clean);
      assert.equal(result.ok, true);
    });
  }

  it('gives the same events however the stream is cut into chunks', () => {
    const stream =
      'data: {"choices":[{"delta":{"content":"Hi"}}]}\r\n\r\n: c\n\nevent: error\ndata: e1\ndata: e2\n\ndata: [DONE]\n\n';
    const expected = ['{"choices":[{"delta":{"content":"Hi"}}]}', 'e1\ne2', '[DONE]'];
    for (let first = 0; first <= stream.length; first++) {
      for (let second = first; second <= stream.length; second += 7) {
        const result = parse([stream.slice(0, first), stream.slice(first, second), stream.slice(second)]);
        assert.deepEqual(data(result.seen), expected, `cut at ${first} and ${second}`);
        assert.equal(result.clean, true);
      }
    }
  });

  it('hands an event that lies in one chunk over in place, and copies only a split one', () => {
    const { seen } = parse(['data: 1\n\ndata: 2\n\nda', 'ta: 3\n\n']);
    assert.deepEqual(
      seen.map((event) => event.inPlace),
      [true, true, false],
    );
  });

  it('passes the event type', () => {
    const { seen } = parse(['event: error\ndata: {"message":"x"}\n\ndata: plain\n\n']);
    assert.deepEqual(
      seen.map((event) => event.type),
      ['error', ''],
    );
  });

  it('calls a stream broken when an event outgrows the limit', () => {
    const result = parse(['data: ' + 'x'.repeat(100), 'y'.repeat(100) + '\n\n'], 150);
    assert.equal(result.ok, false);
    assert.deepEqual(result.seen, []);
    assert.equal(result.clean, false);
  });

  it('starts over after reset', () => {
    const { sink, seen } = collector();
    const parser = new SseParser(sink);
    parser.push(Buffer.from('data: partial'), 0, 13);
    parser.reset();
    parser.push(Buffer.from('data: next\n\n'), 0, 12);
    assert.deepEqual(data(seen), ['next']);
    assert.equal(parser.events, 1);
    assert.equal(parser.end(), true);
  });
});

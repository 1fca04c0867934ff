import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParseOutcome, ResponseParser } from '../../../src/load/response-parser.js';

interface Expected {
  /** complete: ends by itself; at-close: ends when the connection closes; faulty; short: the close comes too soon. */
  end: 'complete' | 'at-close' | 'faulty' | 'short';
  status?: number;
  closeAfter?: boolean;
  body?: string;
  problem?: RegExp;
}

const OK = 'HTTP/1.1 200 OK\r\n';

/** Every way RFC 9112 section 6 frames a response, and the faults a client must refuse. */
const CASES: { name: string; wire: string; head?: boolean; expect: Expected }[] = [
  { name: 'Content-Length', wire: `${OK}Content-Length: 5\r\n\r\nhello`, expect: { end: 'complete', status: 200, closeAfter: false, body: 'hello' } },
  { name: 'Content-Length 0', wire: `${OK}Content-Length: 0\r\n\r\n`, expect: { end: 'complete', body: '' } },
  { name: 'Content-Length with leading zeros', wire: `${OK}Content-Length: 005\r\n\r\nhello`, expect: { end: 'complete', body: 'hello' } },
  { name: 'Content-Length as a list of equal values', wire: `${OK}Content-Length: 5, 5\r\n\r\nhello`, expect: { end: 'complete', body: 'hello' } },
  { name: 'Content-Length twice, equal', wire: `${OK}Content-Length: 5\r\ncontent-length: 5\r\n\r\nhello`, expect: { end: 'complete', body: 'hello' } },
  {
    name: 'chunked with an extension and a trailer',
    wire: `${OK}Transfer-Encoding: chunked\r\n\r\n5;ext="a b"\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n`,
    expect: { end: 'complete', body: 'hello world', closeAfter: false },
  },
  { name: 'chunked, upper-case hex and bare LFs', wire: `${OK}Transfer-Encoding: chunked\n\nA\nhellohello\n0\n\n`, expect: { end: 'complete', body: 'hellohello' } },
  { name: 'chunked after gzip (chunked final)', wire: `${OK}Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nzz\r\n0\r\n\r\n`, expect: { end: 'complete', body: 'zz' } },
  { name: 'a coding other than chunked last: until the close', wire: `${OK}Transfer-Encoding: chunked, gzip\r\n\r\nzzz`, expect: { end: 'at-close', body: 'zzz', closeAfter: true } },
  { name: 'no length, Connection: close', wire: `${OK}Connection: close\r\n\r\nuntil close`, expect: { end: 'at-close', body: 'until close', closeAfter: true } },
  { name: 'no length, no Connection: close', wire: `${OK}\r\nuntil close`, expect: { end: 'at-close', body: 'until close', closeAfter: true } },
  { name: 'HTTP/1.0 with a length closes after', wire: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', expect: { end: 'complete', closeAfter: true } },
  { name: 'HTTP/1.0 keep-alive persists', wire: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok', expect: { end: 'complete', closeAfter: false } },
  { name: 'Connection: close with a length', wire: `${OK}Connection: close\r\nContent-Length: 2\r\n\r\nok`, expect: { end: 'complete', closeAfter: true } },
  { name: '204 has no body', wire: 'HTTP/1.1 204 No Content\r\n\r\n', expect: { end: 'complete', status: 204 } },
  { name: '304 has no body, whatever its Content-Length', wire: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n', expect: { end: 'complete', status: 304 } },
  { name: 'HEAD: no body, whatever the length', wire: `${OK}Content-Length: 100\r\n\r\n`, head: true, expect: { end: 'complete', body: '' } },
  { name: 'HEAD: no body, whatever the coding', wire: `${OK}Transfer-Encoding: chunked\r\n\r\n`, head: true, expect: { end: 'complete' } },
  {
    name: '100 and 103 before the final answer',
    wire: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy',
    expect: { end: 'complete', status: 503, body: 'busy' },
  },
  { name: 'status line without a reason', wire: 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n', expect: { end: 'complete', status: 200 } },
  { name: 'a body shorter than its length', wire: `${OK}Content-Length: 10\r\n\r\nhello`, expect: { end: 'short' } },
  { name: 'chunked cut before the last chunk', wire: `${OK}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`, expect: { end: 'short' } },
  { name: 'conflicting Content-Length headers', wire: `${OK}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello`, expect: { end: 'faulty', problem: /conflicting Content-Length/ } },
  { name: 'conflicting Content-Length list', wire: `${OK}Content-Length: 5, 6\r\n\r\nhello`, expect: { end: 'faulty', problem: /malformed Content-Length/ } },
  { name: 'Content-Length not a number', wire: `${OK}Content-Length: 12a\r\n\r\n`, expect: { end: 'faulty', problem: /malformed Content-Length/ } },
  { name: 'Content-Length with a space inside', wire: `${OK}Content-Length: 1 2\r\n\r\n`, expect: { end: 'faulty', problem: /malformed Content-Length/ } },
  { name: 'Transfer-Encoding and Content-Length', wire: `${OK}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, expect: { end: 'faulty', problem: /both Transfer-Encoding and Content-Length/ } },
  { name: 'Transfer-Encoding in HTTP/1.0', wire: 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', expect: { end: 'faulty', problem: /HTTP\/1\.0/ } },
  { name: 'chunk size not hex', wire: `${OK}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`, expect: { end: 'faulty', problem: /not hexadecimal/ } },
  { name: 'chunk data longer than its size', wire: `${OK}Transfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n`, expect: { end: 'faulty', problem: /chunk data does not end in CRLF/ } },
  { name: 'chunk size line with a stray CR', wire: `${OK}Transfer-Encoding: chunked\r\n\r\n5\rxhello\r\n0\r\n\r\n`, expect: { end: 'faulty', problem: /chunk size line/ } },
  { name: 'not HTTP', wire: 'HELLO THERE\r\n\r\n', expect: { end: 'faulty', problem: /status line/ } },
  { name: 'HTTP/2 status line', wire: 'HTTP/2.0 200 OK\r\n\r\n', expect: { end: 'faulty', problem: /status line/ } },
  { name: 'a 101 nobody asked for', wire: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n', expect: { end: 'faulty', problem: /101/ } },
];

/** Feeds `wire` in the given pieces, then (if still open) the close; returns what the parser made of it. */
function feed(wire: string, cuts: number[], head: boolean): Omit<Expected, 'problem'> & { problem?: string; extra: number } {
  const chunks: string[] = [];
  const parser = new ResponseParser((data, start, end) => chunks.push(data.toString('latin1', start, end)));
  parser.expect(head);
  const bytes = Buffer.from(wire, 'latin1');
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    // A fresh buffer per read, filled the way the socket's shared read buffer is: at offset 0.
    const read = Buffer.alloc(64 * 1024, 0x7e);
    bytes.copy(read, 0, from, to);
    const outcome = parser.execute(read, 0, to - from);
    read.fill(0x7e);
    from = to;
    if (outcome === ParseOutcome.Faulty) return { end: 'faulty', problem: parser.problem, extra: 0 };
    if (outcome === ParseOutcome.Complete) {
      return { end: 'complete', status: parser.status, closeAfter: parser.closeAfter, body: chunks.join(''), extra: parser.extraBytes + (bytes.length - to) };
    }
  }
  if (parser.endsAtClose()) return { end: 'at-close', status: parser.status, closeAfter: parser.closeAfter, body: chunks.join(''), extra: 0 };
  return { end: 'short', extra: 0 };
}

function check(got: ReturnType<typeof feed>, expect: Expected, where: string): void {
  assert.equal(got.end, expect.end, where);
  if (expect.status !== undefined) assert.equal(got.status, expect.status, where);
  if (expect.closeAfter !== undefined) assert.equal(got.closeAfter, expect.closeAfter, where);
  if (expect.body !== undefined) assert.equal(got.body, expect.body, where);
  if (expect.problem) assert.match(got.problem!, expect.problem, where);
  if (got.end === 'complete') assert.equal(got.extra, 0, where);
}

describe('ResponseParser: every framing of RFC 9112 section 6, whole, split at every byte, and byte by byte', () => {
  for (const { name, wire, head, expect } of CASES) {
    test(name, () => {
      check(feed(wire, [], head ?? false), expect, 'whole');
      for (let cut = 1; cut < wire.length; cut++) check(feed(wire, [cut], head ?? false), expect, `split at ${cut}`);
      check(feed(wire, Array.from({ length: wire.length - 1 }, (_, i) => i + 1), head ?? false), expect, 'byte by byte');
    });
  }

  test('bytes after a complete answer are counted as extra (a client must not take them for the next answer)', () => {
    const parser = new ResponseParser();
    parser.expect(false);
    const wire = Buffer.from(`${OK}Content-Length: 2\r\n\r\nokEXTRA BYTES`);
    assert.equal(parser.execute(wire, 0, wire.length), ParseOutcome.Complete);
    assert.equal(parser.extraBytes, 'EXTRA BYTES'.length);
  });

  test('a head over 64 KiB is refused', () => {
    const parser = new ResponseParser();
    parser.expect(false);
    const wire = Buffer.from(`${OK}X-Big: ${'a'.repeat(70 * 1024)}\r\n`);
    assert.equal(parser.execute(wire, 0, wire.length), ParseOutcome.Faulty);
  });

  test('bytesSeen counts every byte of the answer so far, interim ones included', () => {
    const parser = new ResponseParser();
    parser.expect(false);
    const wire = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Len');
    assert.equal(parser.execute(wire, 0, wire.length), ParseOutcome.NeedMore);
    assert.equal(parser.bytesSeen, wire.length);
    parser.expect(false);
    assert.equal(parser.bytesSeen, 0);
  });
});

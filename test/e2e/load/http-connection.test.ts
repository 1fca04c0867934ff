import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ERROR_KIND_INDEX, HttpConnection, type ConnectionOwner } from '../../../src/load/http-connection.js';
import { ERROR_KINDS } from '../../../src/record/result.js';
import { endpointOf } from '../../../src/target/http-request.js';

type Outcome = { status: number } | { error: string };

/** A raw TCP server on 127.0.0.1 that answers every request with the scripted writes of the current case. */
class ScriptedServer {
  writes: (string | 'END' | 'DESTROY')[] = [];
  connections = 0;
  private readonly server = net.createServer((socket) => {
    this.connections++;
    socket.on('data', async () => {
      for (const write of this.writes) {
        if (write === 'END') socket.end();
        else if (write === 'DESTROY') socket.destroy();
        else socket.write(write);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    socket.on('error', () => {});
  });
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function request(connection: HttpConnection, owner: { next?: (outcome: Outcome) => void }): Promise<Outcome> {
  return new Promise((resolve) => {
    owner.next = resolve;
    connection.send(Buffer.from('GET /score HTTP/1.1\r\nHost: x\r\n\r\n'));
  });
}

function connect(port: number, headRequest = false): { connection: HttpConnection; owner: { next?: (o: Outcome) => void } } {
  const owner: ConnectionOwner & { next?: (o: Outcome) => void } = {
    onResponse: (_c, status) => owner.next?.({ status }),
    onFailure: (_c, kind) => owner.next?.({ error: ERROR_KINDS[kind]! }),
  };
  const connection = new HttpConnection(endpointOf(new URL(`http://127.0.0.1:${port}/`)), owner, 0, { rejectUnauthorized: true, headRequest });
  return { connection, owner };
}

describe('HttpConnection against a scripted server on 127.0.0.1', () => {
  const server = new ScriptedServer();
  before(() => server.start());
  after(() => server.stop());

  const cases: { name: string; writes: ScriptedServer['writes']; expect: Outcome }[] = [
    { name: 'content-length body', writes: ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'], expect: { status: 200 } },
    {
      name: 'chunked body with an extension and trailers',
      writes: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n'],
      expect: { status: 200 },
    },
    {
      name: 'chunked body split across writes mid-size and mid-data',
      writes: ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1', '0\r\n0123456', '789abcdef\r', '\n0\r\n', '\r\n'],
      expect: { status: 200 },
    },
    { name: 'head split across writes', writes: ['HTTP/1.1 2', '01 Created\r\nContent-Len', 'gth: 2\r\n\r', '\nok'], expect: { status: 201 } },
    { name: '100 Continue before the answer', writes: ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n'], expect: { status: 503 } },
    { name: '204 without a body', writes: ['HTTP/1.1 204 No Content\r\n\r\n'], expect: { status: 204 } },
    { name: 'body delimited by close', writes: ['HTTP/1.0 200 OK\r\n\r\nsome body', 'END'], expect: { status: 200 } },
    { name: 'not HTTP', writes: ['HELLO THERE\r\n\r\n'], expect: { error: 'protocol' } },
    { name: 'bad content-length', writes: ['HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n'], expect: { error: 'protocol' } },
    { name: 'closed before answering', writes: ['DESTROY'], expect: { error: 'connection_reset' } },
    { name: 'conflicting Content-Length values', writes: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 8\r\n\r\nok'], expect: { error: 'protocol' } },
    { name: 'Transfer-Encoding beside Content-Length', writes: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n'], expect: { error: 'protocol' } },
    { name: 'bytes after a complete answer', writes: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA BYTES'], expect: { error: 'protocol' } },
    { name: 'chunked answer whose chunk runs long', writes: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n'], expect: { error: 'protocol' } },
    { name: 'no length and no Connection: close: the body ends at the close', writes: ['HTTP/1.1 200 OK\r\n\r\nbody', 'END'], expect: { status: 200 } },
    { name: 'closed mid-body', writes: ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort', 'END'], expect: { error: 'connection_reset' } },
  ];
  for (const { name, writes, expect } of cases) {
    it(name, async () => {
      server.writes = writes;
      const { connection, owner } = connect(server.port);
      assert.deepEqual(await request(connection, owner), expect);
      connection.close();
    });
  }

  it('reuses one keep-alive connection for consecutive requests', async () => {
    server.writes = ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'];
    const before = server.connections;
    const { connection, owner } = connect(server.port);
    for (let i = 0; i < 5; i++) assert.deepEqual(await request(connection, owner), { status: 200 });
    assert.equal(server.connections - before, 1);
    connection.close();
  });

  it('reconnects after "Connection: close"', async () => {
    server.writes = ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'];
    const before = server.connections;
    const { connection, owner } = connect(server.port);
    for (let i = 0; i < 3; i++) assert.deepEqual(await request(connection, owner), { status: 200 });
    assert.equal(server.connections - before, 3);
    connection.close();
  });

  it('expects no body for HEAD requests', async () => {
    server.writes = ['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'];
    const { connection, owner } = connect(server.port, true);
    assert.deepEqual(await request(connection, owner), { status: 200 });
    connection.close();
  });

  it('reports a refused connection as connect_refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { connection, owner } = connect(port);
    assert.deepEqual(await request(connection, owner), { error: 'connect_refused' });
  });

  it('abort() fails the request in flight with the given kind', async () => {
    server.writes = [];
    const { connection, owner } = connect(server.port);
    const outcome = request(connection, owner);
    connection.abort(ERROR_KIND_INDEX.timeout);
    assert.deepEqual(await outcome, { error: 'timeout' });
  });
});

/** A raw server whose every connection runs `handle` with the connection's n-th request (1-based). */
async function rawServer(handle: (socket: net.Socket, n: number) => void): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    let n = 0;
    socket.on('error', () => {});
    socket.on('data', () => handle(socket, ++n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      sockets.forEach((socket) => socket.destroy());
      server.close(() => resolve());
    }),
  };
}

const ANSWER = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

describe('HttpConnection and the ways a keep-alive connection ends (RFC 9112 section 9.6)', () => {
  it('a close while idle is noticed: the next request goes out on a fresh connection, nothing fails', async () => {
    const server = await rawServer((socket) => socket.end(ANSWER));
    const { connection, owner } = connect(server.port);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await request(connection, owner), { status: 200 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(server.connections(), 3);
    connection.close();
    await server.close();
  });

  it('once a server has closed unannounced, a close right behind an answer is noticed before the next request, sent at once: it goes out on a fresh connection', async () => {
    // The server answers and closes in the same turn, without "Connection: close".
    const server = await rawServer((socket) => {
      socket.write(ANSWER);
      socket.end();
    });
    const outcomes: Outcome[] = [];
    const done = new Promise<void>((resolve) => {
      const owner: ConnectionOwner = {
        onResponse: (c, status) => {
          outcomes.push({ status });
          if (outcomes.length < 20) c.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
          else resolve();
        },
        onFailure: (c, kind) => {
          outcomes.push({ error: ERROR_KINDS[kind]! });
          if (outcomes.length < 20) c.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
          else resolve();
        },
      };
      const connection = new HttpConnection(endpointOf(new URL(`http://127.0.0.1:${server.port}/`)), owner, 0, { rejectUnauthorized: true, headRequest: false });
      connection.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    });
    await done;
    // The first close teaches the connection that this server closes unannounced; from then on no
    // request is sent into a closed connection (before, half of these failed).
    assert.deepEqual(outcomes.slice(2).filter((outcome) => !('status' in outcome)), []);
    assert.ok(server.connections() >= 19);
    await server.close();
  });

  it('a request the server read before closing is the target\'s drop (connection_reset)', async () => {
    const server = await rawServer((socket, n) => (n === 1 ? socket.write(ANSWER) : socket.end()));
    const { connection, owner } = connect(server.port);
    assert.deepEqual(await request(connection, owner), { status: 200 });
    assert.deepEqual(await request(connection, owner), { error: 'connection_reset' });
    connection.close();
    await server.close();
  });

  it('a request that meets a closed socket (end of file, then a reset for its bytes) is a reuse race', async () => {
    // The second request finds the server closing: its end of file, then the reset a closed socket
    // answers late bytes with (here sent by hand, as the kernel would for a socket already closed).
    const server = await rawServer((socket, n) => {
      if (n === 1) socket.write(ANSWER);
      else socket.end(() => socket.resetAndDestroy());
    });
    const { connection, owner } = connect(server.port);
    assert.deepEqual(await request(connection, owner), { status: 200 });
    assert.deepEqual(await request(connection, owner), { error: 'reuse_race' });
    connection.close();
    await server.close();
  });

  it('a reset before any byte of the answer on a reused connection is a reuse race: the request was left unread', async () => {
    const server = await rawServer((socket, n) => (n === 1 ? socket.write(ANSWER) : socket.resetAndDestroy()));
    const { connection, owner } = connect(server.port);
    assert.deepEqual(await request(connection, owner), { status: 200 });
    assert.deepEqual(await request(connection, owner), { error: 'reuse_race' });
    connection.close();
    await server.close();
  });

  it('a drop on a fresh connection is the target\'s, whatever the server did', async () => {
    const server = await rawServer((socket) => socket.resetAndDestroy());
    const { connection, owner } = connect(server.port);
    assert.deepEqual(await request(connection, owner), { error: 'connection_reset' });
    connection.close();
    await server.close();
  });

  it('body bytes reach the owner\'s onBody hook, chunk framing removed', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'));
    const body: string[] = [];
    let settle: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined;
    const owner: ConnectionOwner = {
      onResponse: (_c, s) => settle?.resolve(s),
      onFailure: (_c, kind) => settle?.reject(new Error(ERROR_KINDS[kind])),
      onBody: (_c, data, start, end) => body.push(data.toString('latin1', start, end)),
    };
    const connection = new HttpConnection(endpointOf(new URL(`http://127.0.0.1:${server.port}/`)), owner, 0, { rejectUnauthorized: true, headRequest: false });
    const status = await new Promise<number>((resolve, reject) => {
      settle = { resolve, reject };
      connection.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    });
    assert.equal(status, 200);
    assert.equal(body.join(''), 'abcde');
    await server.close();
    connection.close();
  });
});

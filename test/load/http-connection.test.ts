import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ERROR_KIND_INDEX, HttpConnection, type ConnectionOwner } from '../../src/load/http-connection.js';
import { ERROR_KINDS } from '../../src/record/result.js';
import { endpointOf } from '../../src/target/http-request.js';

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

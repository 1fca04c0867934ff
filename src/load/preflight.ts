import net from 'node:net';
import tls from 'node:tls';
import { TargetError } from '../errors.js';
import type { Endpoint } from '../target/http-request.js';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the endpoint up?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name could not be resolved',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/**
 * Opens one connection before any load, so a target that is down fails at once with a clear
 * message instead of a run full of errors.
 */
export async function checkReachable(endpoint: Endpoint, timeoutMs: number, rejectUnauthorized: boolean): Promise<void> {
  const where = `${endpoint.host}:${endpoint.port}`;
  await new Promise<void>((resolve, reject) => {
    const socket = endpoint.tls
      ? tls.connect({ host: endpoint.host, port: endpoint.port, rejectUnauthorized, ...(endpoint.servername ? { servername: endpoint.servername } : {}) })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TargetError(`cannot connect to ${where}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const reason = (error.code && REASONS[error.code]) ?? error.message;
      reject(new TargetError(`cannot connect to ${where}: ${reason}`));
    });
  });
}

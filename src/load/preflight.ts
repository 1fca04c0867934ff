import net from 'node:net';
import tls from 'node:tls';
import { TargetError } from '../core/errors.js';
import type { Endpoint } from '../target/http-request.js';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the endpoint up?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name could not be resolved',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the port does not speak TLS (use http://?)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate (pass --insecure for a test endpoint)',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain (pass --insecure for a test endpoint)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted (pass --insecure for a test endpoint)',
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate does not name this host (pass --insecure for a test endpoint)",
  CERT_HAS_EXPIRED: 'certificate expired',
};
/** The preflight connection gets at least this long, whatever the per-request timeout. */
const MIN_CONNECT_TIMEOUT_MS = 1000;

/**
 * Opens one connection before any load, so a target that is down fails at once with a clear
 * message instead of a run full of errors.
 */
export async function checkReachable(endpoint: Endpoint, requestTimeoutMs: number, rejectUnauthorized: boolean): Promise<void> {
  const timeoutMs = Math.max(MIN_CONNECT_TIMEOUT_MS, requestTimeoutMs);
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

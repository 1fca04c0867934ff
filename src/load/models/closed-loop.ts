import { ERROR_KIND_INDEX, type HttpConnection } from '../http-connection.js';
import type { SendContext } from '../send-context.js';
import { everyThreadHasAConnection } from './connections-per-thread.js';
import type { LoadModel, LoadModelDescription } from './load-model.js';

/** After a failed connect, wait this long before the connection tries again, so a dead target is not hammered in a busy loop. */
const RECONNECT_DELAY_MS = 10;

/** wrk's model: every connection sends its next request as soon as the previous one is answered. */
export class ClosedLoopModel implements LoadModel {
  private stopped = false;

  constructor(private readonly context: SendContext) {
    context.openConnections(this);
  }

  start(): void {
    const now = this.context.now();
    for (const connection of this.context.connections) this.context.send(connection, now, now);
  }

  stop(): void {
    this.stopped = true;
  }

  onResponse(connection: HttpConnection, status: number): void {
    const now = this.context.now();
    this.context.recordResponse(connection, status, now);
    this.sendNext(connection, now);
  }

  onFailure(connection: HttpConnection, kind: number): void {
    const now = this.context.now();
    this.context.recordFailure(connection, kind, now);
    if (kind === ERROR_KIND_INDEX.connect_refused || kind === ERROR_KIND_INDEX.connect_error || kind === ERROR_KIND_INDEX.local_resources) {
      setTimeout(() => this.sendNext(connection, this.context.now()), RECONNECT_DELAY_MS);
    } else {
      this.sendNext(connection, now);
    }
  }

  private sendNext(connection: HttpConnection, now: number): void {
    if (!this.stopped && now < this.context.endMs) this.context.send(connection, now, now);
  }
}

/** wrk: a closed loop over keep-alive connections. */
export const CLOSED_LOOP: LoadModelDescription = {
  tool: 'wrk',
  loop: 'closed',
  ticker: false,
  wakeTimers: 0,
  uncorrectedLatency: false,
  reads: ['connections', 'threads'],
  senders: (settings) => settings.connections,
  validate: everyThreadHasAConnection,
  create: (context) => new ClosedLoopModel(context),
};

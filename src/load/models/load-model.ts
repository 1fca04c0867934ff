import type { ConnectionOwner } from '../http-connection.js';
import type { SendContext } from '../send-context.js';

/**
 * How a worker decides when to send: one implementation per seed tool. A model owns its
 * connections' outcomes (it is their ConnectionOwner) and never looks at the wall clock except
 * through its SendContext.
 */
export interface LoadModel extends ConnectionOwner {
  /** Begins sending; called at the load's start time. */
  start(): void;
  /** Sends nothing new from now on (end of the run or Ctrl-C); requests in flight may finish. */
  stop(): void;
}

export type LoadModelFactory = (context: SendContext) => LoadModel;

import type { ErrorBodySample } from './error-bodies.js';
import type { IntervalSnapshot } from '../record/interval-recorder.js';
import type { ToolName } from '../settings/settings.js';
import type { Endpoint } from '../target/http-request.js';
import type { GoodputObjective } from '../record/goodput.js';
import type { ApiName } from '../target/apis/api.js';
import type { RequestSpec } from '../target/request-source.js';
import type { AnswerSnapshot } from './llm-answers.js';
import type { JobArrival } from './arrivals.js';

/** Everything a worker thread needs, as plain data (it crosses the thread boundary). */
export interface WorkerJob {
  model: ToolName;
  workerIndex: number;
  workers: number;
  endpoint: Endpoint;
  rejectUnauthorized: boolean;
  headRequest: boolean;
  /** Prepared requests in rotation order. */
  requests: Uint8Array[];
  /** Connections (wrk, wrk2) or clients (labench) this worker owns. */
  connections: number;
  /** Global number of this worker's first connection, for wrk2's staggered plans. */
  firstConnection: number;
  /** All connections over all workers. */
  totalConnections: number;
  /** Total target rate over all workers, requests per second. */
  rate: number;
  timeoutMs: number;
  /** A planned send later than this is late (see timelyToleranceMs). */
  timelyToleranceMs: number;
  warmupMs: number;
  durationMs: number;
  /** This worker's live counters (see LiveCounters), shared with the main thread. */
  live?: Float64Array;
  /** Requests built in the worker from a workload, instead of the encoded `requests`. */
  workload?: Extract<RequestSpec, { kind: 'workload' }>;
  /** Answers are read by this API's reader and judged; token figures recorded, goodput against the objectives. */
  api?: { name: ApiName; objectives: GoodputObjective[] };
  /** When requests start, where not the tool's even plan. */
  arrival?: JobArrival;
}

/** Generator self-observation from one worker, drawn into the run's validity verdict. */
export interface WorkerStats {
  /** Sends whose time was set by a plan (wrk2, labench); 0 for the closed loop. */
  plannedSends: number;
  /** Planned sends of the window whose due time the generator saw (sent then or after a busy connection's answer). */
  noticedSends: number;
  /** Noticed sends the generator saw later than the tolerance (LaBench's timely-send measure). */
  lateSends: number;
  maxSendLagMs: number;
  /** LaBench: ticks seen, ticks handled late, ticks that found no free client. */
  ticks: number;
  lateTicks: number;
  missedTicks: number;
  warmupRequests: number;
  /**
   * Requests planned in the warm-up that ended after the window opened (answered with a status below 400,
   * failed, and of those timed out): in no figure, but what held the connections when the window
   * measured nothing (a hung or far too slow target).
   */
  carriedOk: number;
  carriedFailed: number;
  carriedTimedOut: number;
  /** Of carriedFailed, the error answers by HTTP status. */
  carriedByStatus: Record<string, number>;
  /** Planned sends of the measured window never sent because their connection was still busy at its end. */
  unsentPlanned: number;
  /** Planned sends (or ticks) of the measured window that were due, with a connection free, but not yet sent when it ended: the generator's own backlog. */
  owedSends: number;
  /** When the last measured answer arrived, epoch ms on the shared clock (0: none). */
  lastCompletionEpochMs: number;
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Closed loop: how late the event loop ran, ms past its timer, at each judged figure's percentile (p50 ... p9999, max). */
  loopDelayMs?: Record<string, number>;
  /** Share of wall time the worker's event loop was busy (0..1). */
  eventLoopUtilization: number;
  /** Share of wall time the worker's thread ran or waited for a CPU (Linux schedstat; 0 where unknown). */
  busyOrWaiting: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'interval'; snapshot: IntervalSnapshot }
  /** A second of the warm-up, recorded as a measured one is and merged into a throwaway aggregator (see SendContext's rehearsal). */
  | { type: 'rehearsal'; snapshot: IntervalSnapshot }
  /**
   * `lines`: per payload line, measured requests and their failures (when there is more than one line);
   * `served` (open-loop models): when each measured answer arrived and when each planned send of the
   * window that went out was due, us from the start of measurement, as histogramBuckets pairs.
   */
  | { type: 'done'; stats: WorkerStats; served?: { answers: Float64Array; planned: Float64Array }; lines?: { requests: Uint32Array; errors: Uint32Array }; answers?: AnswerSnapshot; bodies?: ErrorBodySample[] };

/**
 * `start` carries the load's start as epoch ms on the performance.timeOrigin + performance.now()
 * clock, which every thread shares; `stop` ends the run early; `requests` replaces the rotation.
 */
export type MainMessage =
  | { type: 'start'; loadStartEpochMs: number }
  | { type: 'stop' }
  /** The rotation re-encoded with new header values (a renewed token): sends from now on use it. */
  | { type: 'requests'; requests: Uint8Array[]; head?: string };

/**
 * A planned send is timely when it leaves before the next send of the whole plan is due (LaBench's
 * notion), and never held to less than 1 ms, the resolution of wrk2's own timers.
 */
export function timelyToleranceMs(totalRatePerSec: number): number {
  return Math.max(1, 1000 / totalRatePerSec);
}

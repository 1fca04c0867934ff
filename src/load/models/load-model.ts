import type { ConnectionOwner } from '../http-connection.js';
import type { Settings, ToolName } from '../../settings/settings.js';
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

/** The load settings only some models read (every model reads the warm-up, duration and timeout). */
export type LoadSetting = 'connections' | 'threads' | 'rate' | 'clients';

/** The settings a model's own rules read. */
export type ModelSettings = Pick<Settings, 'tool' | 'connections' | 'threads' | 'clients' | 'rate'>;

/**
 * What a load model is, in one place (as k6's executors own their config and validation): the
 * builtin engine, the validity verdict, the report and the settings read it here instead of
 * testing the tool's name. Adding a model is one new file with its scheduler and this description,
 * and one line in ./registry.ts.
 */
export interface LoadModelDescription {
  /** The seed tool whose model this is: its name in settings and reports. */
  readonly tool: ToolName;
  /**
   * 'closed': each sender sends its next request when the previous one is answered, so there is no
   * rate to hold; 'open': sends follow a plan at the target rate, and a late answer counts from the plan.
   */
  readonly loop: 'closed' | 'open';
  /** One ticker hands each tick to a free sender; ticks that find none are counted as missed. */
  readonly ticker: boolean;
  /** How many WakeTimers its scheduler makes: their ticker threads are started before the worker is ready. */
  readonly wakeTimers: number;
  /** Latency from the actual send is kept apart from latency from the plan (coordinated-omission corrected). */
  readonly uncorrectedLatency: boolean;
  /** What the report says about where this model's latency counts from. */
  readonly latencyNote?: string;
  /** The load settings this model reads; a flag for another one is refused (see settings/tool-settings.ts). */
  readonly reads: readonly LoadSetting[];
  /** How many senders there are: the connections, or the client pool. */
  senders(settings: ModelSettings): number;
  /**
   * Settings this model cannot run with, beyond the common checks; `name` gives a setting's name as
   * the user gave it ("--connections", "CONNECTIONS").
   * @throws SettingsError naming the settings.
   */
  validate(settings: ModelSettings, name: (key: keyof ModelSettings) => string): void;
  /** The worker thread's scheduler. */
  create(context: SendContext): LoadModel;
}

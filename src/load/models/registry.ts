import type { ToolName } from '../../settings/settings.js';
import { CLOSED_LOOP } from './closed-loop.js';
import { CONSTANT_RATE } from './constant-rate.js';
import { EVEN_TICKER } from './even-ticker.js';
import type { LoadModelDescription } from './load-model.js';

/** The load models, by the seed tool each reproduces. */
export const LOAD_MODELS: Readonly<Record<ToolName, LoadModelDescription>> = { wrk: CLOSED_LOOP, wrk2: CONSTANT_RATE, labench: EVEN_TICKER };

/** The model a report or a setting names; undefined for a name modelprof does not know (a hand-edited report). */
export function loadModelOf(tool: string): LoadModelDescription | undefined {
  return Object.hasOwn(LOAD_MODELS, tool) ? LOAD_MODELS[tool as ToolName] : undefined;
}

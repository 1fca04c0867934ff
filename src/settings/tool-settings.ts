import { SettingsError } from '../core/errors.js';
import type { Given, SettingsLayer } from './layers.js';
import { LOAD_MODELS } from '../load/models/registry.js';
import type { LoadSetting } from '../load/models/load-model.js';
import { TOOLS, type EngineName, type ToolName } from './settings.js';

/** The load settings that only some tools read. */
type LoadKey = LoadSetting | 'warmup';

/**
 * What each real program does not read that the builtin model of the same tool does: none runs a
 * warm-up, and LaBench is one Go process (its pool is `clients`, its scheduling Go's).
 */
const PROGRAM_IGNORES: Record<ToolName, readonly LoadKey[]> = { wrk: ['warmup'], wrk2: ['warmup'], labench: ['warmup', 'threads'] };

/** The load settings a tool reads under an engine: its model's (./load/models), less what the real program ignores. */
function reads(engine: EngineName, tool: ToolName): readonly LoadKey[] {
  const model: readonly LoadKey[] = [...LOAD_MODELS[tool].reads, 'warmup'];
  return engine === 'builtin' ? model : model.filter((key) => !PROGRAM_IGNORES[tool].includes(key));
}

/** Why a tool has no use for a setting, said once per kind. */
const WHY_NOT: Record<LoadKey, string> = {
  rate: 'a closed loop: each connection sends again as soon as its answer is back, as fast as the target allows',
  connections: 'it sends from its pool of --clients',
  clients: 'it sends over its keep-alive --connections',
  threads: 'the external LaBench is one Go process',
  warmup: 'it has no warm-up phase',
};

/** Where a tool that reads `key` is, in words: "wrk2 and labench", "the builtin engine". */
function readersOf(key: LoadKey, engine: EngineName): string {
  const tools = TOOLS.filter((tool) => reads(engine, tool).includes(key));
  if (tools.length > 0) return `${tools.join(' and ')}${engine === 'external' ? ' (--engine external)' : ''}`;
  return 'the builtin engine (--engine builtin)';
}

/**
 * A load setting the chosen tool does not read is refused when it was asked for explicitly (a flag,
 * --set, a job or sweep file), naming the tool that reads it: running something other than what was
 * asked is worse than not running. One the tool ignores that only came from the seed's environment
 * variables (its job template sets them all) is a note. Defaults are never mentioned.
 *
 * Returns the notes, one line each; throws a SettingsError for the first explicit one.
 */
export function checkToolReadsSettings(given: SettingsLayer, tool: ToolName, engine: EngineName): string[] {
  const used = reads(engine, tool);
  const who = engine === 'external' ? `the external ${tool}` : tool;
  const ignored: [LoadKey, Given][] = [];
  for (const key of ['rate', 'connections', 'clients', 'threads', 'warmup'] as const) {
    const value = given[key];
    if (value === undefined || value.implied === 'default' || used.includes(key)) continue;
    // A warm-up of zero is what a tool without one does anyway.
    if (key === 'warmup' && /^\s*0+(\.0*)?\s*(ms|s|m|h|d)?\s*$/.test(value.value)) continue;
    if (value.implied !== 'environment') {
      throw new SettingsError(`${value.source} is not used by ${who} (${WHY_NOT[key]}); it is read by ${readersOf(key, engine)}`);
    }
    ignored.push([key, value]);
  }
  const notes: string[] = [];
  // The tool path names external programs: a flag or job key the builtin engine would ignore is a mistake.
  if (given.toolPath !== undefined && engine === 'builtin' && given.toolPath.implied !== 'default') {
    if (given.toolPath.implied !== 'environment') throw new SettingsError(`${given.toolPath.source} is not used by the builtin engine (it names the external programs); give --engine external with it`);
    notes.push(`the builtin engine does not use ${given.toolPath.source} (it names the external programs): it is ignored`);
  }
  if (ignored.length === 0) return notes;
  const names = ignored.map(([key, value]) => `${value.source}=${value.value} (read by ${readersOf(key, engine)})`);
  return [`${who} does not use ${names.join(', ')}: ${ignored.length === 1 ? 'it is' : 'they are'} ignored`, ...notes];
}

import { resolveSettings } from '../../src/settings/resolve.js';
import type { SettingsLayer } from '../../src/settings/layers.js';
import type { Settings } from '../../src/settings/settings.js';

/** Settings as a user would give them on the command line, e.g. { url, tool: 'wrk2', rate: '200' }. */
export function settingsFor(flags: Partial<Record<keyof SettingsLayer, string>>): Settings {
  const layer: SettingsLayer = {};
  for (const [key, value] of Object.entries(flags)) {
    if (key !== 'headers' && value !== undefined) (layer as Record<string, unknown>)[key] = { value, source: `--${key}` };
  }
  return resolveSettings([layer, { warmup: { value: '0', source: '--warmup' } }], {});
}

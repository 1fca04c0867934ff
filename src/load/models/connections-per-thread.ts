import { SettingsError } from '../../core/errors.js';
import type { ModelSettings } from './load-model.js';

/** Connection-based models: every worker thread needs a connection of its own. */
export function everyThreadHasAConnection(settings: ModelSettings, name: (key: keyof ModelSettings) => string): void {
  if (settings.connections < settings.threads) {
    throw new SettingsError(`${name('connections')} (${settings.connections}) must be at least ${name('threads')} (${settings.threads}): every thread needs a connection`);
  }
}

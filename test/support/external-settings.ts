import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../src/settings/settings.js';

const folders: string[] = [];
process.once('exit', () => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A fresh, empty run folder under the system temp folder, removed when the test process exits. */
export function runFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'modelprof-tools-'));
  folders.push(folder);
  return folder;
}

/**
 * Resolved Settings for the external engine, built directly (test-only) so these tests do not
 * depend on the settings resolver. Short runs: tools that take whole seconds get whole seconds.
 */
export function externalSettings(overrides: Partial<Settings> & { url?: URL } = {}): Settings {
  const outputDir = overrides.outputDir ?? runFolder();
  return {
    url: new URL('http://127.0.0.1:9/score'),
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    payload: { bodies: ['{"data": [[1,2,3,4,5,6,7,8,9,10], [10,9,8,7,6,5,4,3,2,1]]}'], origin: '--payload' },
    tool: 'wrk',
    engine: 'external',
    durationSec: 2,
    warmupSec: 0,
    connections: 4,
    threads: 1,
    rate: 100,
    clients: 4,
    timeoutSec: 2,
    ...overrides,
    outputDir,
  };
}

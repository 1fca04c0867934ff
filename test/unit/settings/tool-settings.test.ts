import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettingsError } from '../../../src/core/errors.js';
import { settingsFromEnvironment } from '../../../src/settings/environment.js';
import type { SettingsLayer } from '../../../src/settings/layers.js';
import { resolveSettings } from '../../../src/settings/resolve.js';

const URL_OK = 'http://127.0.0.1:5001/score';

function flags(values: Record<string, string>): SettingsLayer {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value, source: `--${key}` }]));
}

function resolve(flagValues: Record<string, string>, env: Record<string, string> = {}) {
  return resolveSettings([flags({ url: URL_OK, ...flagValues }), settingsFromEnvironment(env)], env);
}

describe('a setting the chosen tool does not read', () => {
  const refused: [string, Record<string, string>, RegExp][] = [
    ['--rate with wrk (closed loop)', { rate: '100' }, /^--rate is not used by wrk \(a closed loop.*\); it is read by wrk2 and labench$/],
    ['--connections with labench', { tool: 'labench', connections: '8' }, /^--connections is not used by labench \(it sends from its pool of --clients\); it is read by wrk and wrk2$/],
    ['--clients with wrk2', { tool: 'wrk2', clients: '4' }, /^--clients is not used by wrk2 .*; it is read by labench$/],
    ['--threads with the external labench', { tool: 'labench', engine: 'external', threads: '2' }, /^--threads is not used by the external labench .*; it is read by wrk and wrk2 \(--engine external\)$/],
    ['--warmup with an external tool', { tool: 'wrk2', engine: 'external', warmup: '5s' }, /^--warmup is not used by the external wrk2 \(it has no warm-up phase\); it is read by the builtin engine/],
  ];
  for (const [name, given, message] of refused) {
    it(`refuses ${name}, naming the tool that reads it`, () => {
      assert.throws(() => resolve(given), (error: unknown) => error instanceof SettingsError && message.test(error.message));
    });
  }

  it('accepts what each tool reads, and a zero warm-up for a tool without one', () => {
    assert.equal(resolve({ tool: 'wrk2', rate: '100', connections: '8', threads: '2' }).rate, 100);
    assert.equal(resolve({ tool: 'labench', rate: '100', clients: '4', threads: '2' }).clients, 4);
    assert.equal(resolve({ tool: 'wrk', engine: 'external', warmup: '0s' }).warmupSec, 0);
  });

  it("turns the seed's variables the tool ignores into one note, and says nothing of defaults", () => {
    const settings = resolve({}, { TARGET_RPS: '30', CLIENTS: '3' });
    assert.deepEqual(settings.notes, ['wrk does not use TARGET_RPS=30 (read by wrk2 and labench), CLIENTS=3 (read by labench): they are ignored']);
    assert.equal(resolve({ tool: 'labench' }).notes, undefined);
  });

  it('checks values before uses: a bad rate is named as bad, whatever the tool', () => {
    assert.throws(() => resolve({ rate: '0' }), /^SettingsError: --rate must be a number greater than 0/);
  });
});

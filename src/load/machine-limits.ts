import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SettingsError } from '../core/errors.js';
import { RESERVED_FILES, THREADS_PER_CORE } from '../settings/bounds.js';
import type { Settings } from '../settings/settings.js';

/** What this machine lets one generator process hold. Undefined where the system does not say. */
export interface MachineLimits {
  /** The soft limit on open files (`ulimit -n`). */
  openFiles?: number;
  /** Ephemeral ports (net.ipv4.ip_local_port_range): at most this many connections to one address and port. */
  localPorts?: number;
  cores: number;
}

/** Reads the limits from /proc (Linux); elsewhere only the cores are known. */
export function readMachineLimits(): MachineLimits {
  const limits: MachineLimits = { cores: availableParallelism() };
  const openFiles = readOr('/proc/self/limits', (text) => /^Max open files\s+(\d+|unlimited)/m.exec(text)?.[1]);
  if (openFiles !== undefined && openFiles !== 'unlimited') limits.openFiles = Number(openFiles);
  const range = readOr('/proc/sys/net/ipv4/ip_local_port_range', (text) => /^\s*(\d+)\s+(\d+)/.exec(text));
  if (range) limits.localPorts = Number(range[2]) - Number(range[1]) + 1;
  return limits;
}

function readOr<T>(path: string, parse: (text: string) => T | undefined | null): T | undefined {
  try {
    return parse(readFileSync(path, 'utf8')) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a load this machine cannot generate, before anything is sent: more connections (or
 * LaBench clients) than open files allow (one each, plus the generator's own) or than there are
 * local ports to connect from, and more threads than THREADS_PER_CORE per core. Without these a
 * run hangs opening sockets or spends its window starting threads.
 * @throws SettingsError naming the setting, the limit, and how to raise it or split the run.
 */
export function checkGeneratorLimits(settings: Settings, machine: MachineLimits = readMachineLimits()): void {
  const senders = settings.tool === 'labench' ? settings.clients : settings.connections;
  const what = settings.tool === 'labench' ? `${senders} clients (CLIENTS)` : `${senders} connections (CONNECTIONS)`;
  const split = 'or split the run over machines with --shard';
  // One open file per connection at the least; closer to the limit the run still starts, and the
  // connections that find no file left fail as local_resources, which voids the run with this advice.
  if (machine.openFiles !== undefined && senders > machine.openFiles) {
    const advised = senders + RESERVED_FILES;
    throw new SettingsError(`${what} need more than ${senders} open files, but this process may open ${machine.openFiles} (ulimit -n): raise the limit (ulimit -n ${advised}) ${split}`);
  }
  if (machine.localPorts !== undefined && senders > machine.localPorts) {
    throw new SettingsError(`${what} exceed the ${machine.localPorts} local ports one machine can connect from to one address (net.ipv4.ip_local_port_range): ${split}`);
  }
  const maxThreads = THREADS_PER_CORE * machine.cores;
  if (settings.threads > maxThreads) {
    throw new SettingsError(`${settings.threads} threads (THREAD) exceed ${THREADS_PER_CORE} per core of this machine's ${machine.cores} (${maxThreads}): more only compete for the cores; use at most ${maxThreads} ${split}`);
  }
}

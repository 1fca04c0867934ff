import { SettingsError } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import type { MonitorRequest, MonitorSpec, PromQuery } from './monitor.js';
import { withinBound } from '../settings/bounds.js';
import { parseDuration } from '../settings/duration.js';
import { positiveInteger } from '../core/numbers.js';

export const DEFAULT_MONITOR_INTERVAL_MS = 1000;
export const DEFAULT_SERVE_TIMEOUT = '60s';

/**
 * The monitors the flags ask for, validated; `--serve` is not among them, since its pid exists
 * only once startServedTarget ran: add `{ kind: 'process', pid: served.pid }` then.
 */
export function monitorSpecsFromOptions(opts: MonitorRequest): MonitorSpec[] {
  const specs: MonitorSpec[] = [];
  if (opts.monitorPid !== undefined) {
    if (opts.serve !== undefined) {
      throw new SettingsError('--monitor-pid and --serve both name the process to watch: give one of them');
    }
    const pid = positiveInteger(opts.monitorPid, '--monitor-pid');
    if (!processExists(pid)) throw new SettingsError(`--monitor-pid ${pid}: no such process (see ps or pgrep for the server's pid)`);
    specs.push({ kind: 'process', pid });
  }
  for (const url of opts.prometheus ?? []) {
    const parsed = httpUrl('--prometheus', url);
    // An exporter's address alone means its /metrics page.
    if (parsed.pathname === '/') parsed.pathname = '/metrics';
    specs.push({ kind: 'prometheus', url: parsed });
  }
  const queries = (opts.query ?? []).map(parseQuery);
  if (opts.prometheusServer !== undefined) {
    const url = httpUrl('--prometheus-server', opts.prometheusServer);
    if (queries.length === 0) throw new SettingsError('--prometheus-server needs at least one --query name=PROMQL');
    specs.push({ kind: 'prometheus-server', url, queries });
  } else if (queries.length > 0) {
    throw new SettingsError('--query needs --prometheus-server <url> to run against');
  }
  if (opts.gpu) specs.push({ kind: 'nvidia-smi' });
  return specs;
}

/** `--monitor-interval` in ms (default 1000). */
export function monitorIntervalFromOptions(opts: MonitorRequest): number {
  const ms = positiveInteger(opts.monitorInterval ?? String(DEFAULT_MONITOR_INTERVAL_MS), '--monitor-interval');
  if (ms < 100) throw new SettingsError(`--monitor-interval must be at least 100 ms, got ${ms}`);
  return withinBound('monitorInterval', ms, '--monitor-interval');
}

/** What `--serve` asks to start, with `--serve-timeout` in ms; undefined without `--serve`. */
export function serveFromOptions(opts: MonitorRequest): { command: string; timeoutMs: number } | undefined {
  if (opts.serve === undefined) return undefined;
  if (opts.serve.trim() === '') throw new SettingsError('--serve needs a command, got an empty string');
  const timeoutSec = parseDuration(opts.serveTimeout ?? DEFAULT_SERVE_TIMEOUT, '--serve-timeout');
  if (timeoutSec <= 0) throw new SettingsError(`--serve-timeout must be longer than 0, got "${opts.serveTimeout}"`);
  withinBound('serveTimeout', timeoutSec, '--serve-timeout', opts.serveTimeout ?? DEFAULT_SERVE_TIMEOUT);
  return { command: opts.serve, timeoutMs: timeoutSec * 1000 };
}

/** Signal 0 checks that a process exists without touching it; EPERM: it exists, owned by someone else. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function httpUrl(flag: string, text: string): URL {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new SettingsError(`${flag} must be an http(s) URL such as http://127.0.0.1:9100/metrics, got "${redactUrl(text)}"`);
  }
  return url;
}

const QUERY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseQuery(text: string, index: number, all: readonly string[]): PromQuery {
  const equals = text.indexOf('=');
  const name = text.slice(0, equals).trim();
  const promql = text.slice(equals + 1).trim();
  if (equals < 0 || !QUERY_NAME.test(name) || promql === '') {
    throw new SettingsError(`--query must be name=PROMQL with a name of letters, digits and _, got "${text}"`);
  }
  if (all.slice(0, index).some((other) => other.slice(0, other.indexOf('=')).trim() === name)) {
    throw new SettingsError(`--query names must be unique, "${name}" is given twice`);
  }
  return { name, promql };
}

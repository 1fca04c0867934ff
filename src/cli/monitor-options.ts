import type { Command } from 'commander';
import { DEFAULT_MONITOR_INTERVAL_MS, DEFAULT_SERVE_TIMEOUT } from '../monitors/monitor-request.js';
import { collect } from './collect.js';

/** Adds the flags that watch the server's CPU, memory and GPU during the run. */
export function addMonitorOptions(cmd: Command): Command {
  return cmd
    .option('--monitor-pid <pid>', 'watch this local process and its children (CPU, RSS, threads)')
    .option('--serve <command>', 'start the server with this shell command, watch it, stop it after the run')
    .option('--serve-timeout <duration>', 'how long --serve waits for the target port to accept connections', DEFAULT_SERVE_TIMEOUT)
    .option('--prometheus <url>', 'scrape this Prometheus exporter each interval (repeatable)', collect)
    .option('--prometheus-server <url>', 'Prometheus server that --query runs against over the run window')
    .option('--query <name=promql>', 'PromQL range query to record as query.<name> (repeatable)', collect)
    .option('--gpu', 'sample every GPU with nvidia-smi')
    .option('--monitor-interval <ms>', 'sampling interval of the monitors, in ms', String(DEFAULT_MONITOR_INTERVAL_MS));
}

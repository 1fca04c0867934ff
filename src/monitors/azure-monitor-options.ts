import type { ArmClient } from '../azure/arm-client.js';
import type { DeploymentResources } from '../azure/online-endpoint.js';

/** What the Azure Monitor monitor needs; a MonitorSpec of kind 'azure' carries it (types only, so monitor.ts has no cycle). */
export interface AzureMonitorOptions {
  arm: ArmClient;
  deployment: DeploymentResources;
  /** How long to wait, after the run, for Azure Monitor to publish the run's last minute. Default 5 min. */
  waitMs?: number;
  /** How often to ask while waiting. Default 30 s. */
  pollMs?: number;
  apiVersion?: string;
  /** One line per poll while waiting, for the console. */
  onProgress?: (line: string) => void;
  /** Azure's clock, which says when a minute has closed; the ARM client's serverNow() by default. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

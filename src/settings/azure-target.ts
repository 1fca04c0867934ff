import { ArmClient, DEFAULT_ARM_ENDPOINT } from '../azure/arm-client.js';
import { credentialFromEnvironment } from '../azure/credentials.js';
import {
  DEFAULT_ML_API_VERSION,
  OnlineEndpointClient,
  deploymentResources,
  type AzureTargetDescription,
  type DeploymentInfo,
  type DeploymentNames,
  type DeploymentResources,
} from '../azure/online-endpoint.js';
import { scoringCredential, type ScoringCredential } from '../azure/scoring-credential.js';
import { SettingsError } from '../core/errors.js';
import type { HeaderUpdates } from '../load/engine.js';
import type { MonitorSpec } from '../monitors/monitor.js';
import { parseDuration } from './duration.js';
import { mergeLayers, type Given, type SettingsLayer } from './layers.js';
import { assembleRunRequest, givenSettings, type RunRequest, type RunSources } from './run-request.js';
import type { Settings } from './settings.js';

/** The names that form an Azure ML target, with the setting keys and seed variables that give them. */
const NAME_KEYS = [
  ['subscription', 'SUBSCRIPTION'],
  ['resourceGroup', 'RESOURCE_GROUP'],
  ['workspace', 'WORKSPACE'],
  ['endpoint', 'ONLINE_ENDPOINT'],
  ['deployment', 'DEPLOYMENT'],
] as const;

/** How long to wait after a run for Azure Monitor's last minute, unless AZURE_METRICS_WAIT says otherwise. */
export const DEFAULT_METRICS_WAIT = '5m';

/** What the settings ask of Azure, validated, before any call. */
export interface AzureTargetRequest {
  names: DeploymentNames;
  /** Where each name came from ("--endpoint", "ONLINE_ENDPOINT", "AZUREML_ARM_SUBSCRIPTION"). */
  sources: Record<keyof DeploymentNames, string>;
  armEndpoint: URL;
  apiVersion: string;
  metricsWaitMs: number;
  /** SCORING_URI (or --url, or a job's target.url) was given: it stays the target, Azure gives metrics only. */
  scoringUriGiven?: string;
  /** An Authorization header was given (SCORING_HEADERS, --header): it is sent as given, never replaced. */
  authorizationGiven: boolean;
}

/**
 * Reads the Azure names from merged settings (`given`: flags > --set > job file > environment).
 * ONLINE_ENDPOINT makes a run an Azure one (DEPLOYMENT alone only routes, through its header).
 * Undefined when it is not; a SettingsError naming what is missing when some names are, unless
 * SCORING_URI is the target anyway: then `note` says Azure Monitor is left out and why. The Azure
 * settings that take a value (ARM_ENDPOINT, AZURE_METRICS_WAIT) are checked whenever they are set,
 * used or not: an http ARM_ENDPOINT is a mistake even on a run that does not reach Azure.
 */
export function azureTargetRequest(given: SettingsLayer, note: (line: string) => void = () => undefined): AzureTargetRequest | undefined {
  const armEndpoint = armEndpointOf(given.armEndpoint);
  const metricsWaitMs = parseDuration(given.azureMetricsWait?.value ?? DEFAULT_METRICS_WAIT, given.azureMetricsWait?.source ?? 'AZURE_METRICS_WAIT') * 1000;
  if (given.endpoint === undefined) return undefined;
  const missing = NAME_KEYS.filter(([key]) => given[key] === undefined).map(([, variable]) => variable);
  if (missing.length > 0 && given.url) {
    note(`target: ${given.url.source} (given); no Azure Monitor figures: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`);
    return undefined;
  }
  if (missing.length > 0) {
    const named = NAME_KEYS.filter(([key]) => given[key] !== undefined).map(([key]) => given[key]!.source);
    throw new SettingsError(
      `${named.join(', ')} ${named.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not: an Azure ML target needs SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE, ONLINE_ENDPOINT and DEPLOYMENT (or their flags); or give SCORING_URI instead`,
    );
  }
  const names = Object.fromEntries(NAME_KEYS.map(([key]) => [key, given[key]!.value.trim()])) as unknown as DeploymentNames;
  const sources = Object.fromEntries(NAME_KEYS.map(([key]) => [key, given[key]!.source])) as Record<keyof DeploymentNames, string>;
  for (const [key] of NAME_KEYS) {
    if (!/^[\w.()-]+$/.test(names[key])) throw new SettingsError(`${sources[key]} "${names[key]}" is not an Azure resource name (letters, digits, - _ . and parentheses)`);
  }
  const request: AzureTargetRequest = {
    names,
    sources,
    armEndpoint,
    apiVersion: given.azureApiVersion?.value.trim() || DEFAULT_ML_API_VERSION,
    metricsWaitMs,
    authorizationGiven: Object.keys(given.headers?.value ?? {}).some((name) => name.toLowerCase() === 'authorization'),
  };
  if (given.url) request.scoringUriGiven = given.url.source;
  return request;
}

function armEndpointOf(given: Given | undefined): URL {
  if (!given) return new URL(DEFAULT_ARM_ENDPOINT);
  let url: URL;
  try {
    url = new URL(given.value.trim());
  } catch {
    throw new SettingsError(`${given.source} must be an https:// URL such as ${DEFAULT_ARM_ENDPOINT}, and this one does not parse`);
  }
  if (url.protocol !== 'https:') throw new SettingsError(`${given.source} must be an https:// URL: tokens are never sent in the clear`);
  return url;
}

export interface AzureTargetOptions {
  /** Where credentials come from: IDENTITY_ACCESS_TOKEN, AZURE_* and the managed identity's variables. */
  env: NodeJS.ProcessEnv;
  /** One line for the console (which target was used, throttling, token renewal, waiting for metrics). */
  log: (line: string) => void;
  /** Extra CA certificates for ARM (a stand-in's); NODE_EXTRA_CA_CERTS does the same for the CLI. */
  ca?: string | Buffer;
  /** Azure Monitor polling while waiting (default 30 s). */
  metricsPollMs?: number;
}

/** An Azure ML deployment resolved for one run. Holds the scoring credential: never print it. */
export interface AzureTarget {
  /** What ARM said of the deployment; absent when SCORING_URI was given and the lookup failed. */
  deployment?: DeploymentInfo;
  /** url, Authorization, azureml-model-deployment, and CONNECTIONS/CLIENTS defaults, ranked just above modelprof's defaults. */
  layer: SettingsLayer;
  /** The Azure Monitor monitor for this deployment. */
  monitor: MonitorSpec;
  /** Renewed tokens for the engine; absent for keys and when the user gave Authorization. */
  headerUpdates?: HeaderUpdates;
  /** When the scoring credential in force expires (epoch ms); Infinity for keys. */
  credentialExpiresOnMs: number;
  /** Every key and token handed out, so they can be kept out of outputs. */
  secrets(): readonly string[];
  /** The report's account of the target: names and deployment facts, never a secret. */
  description: AzureTargetDescription;
}

/**
 * Looks the deployment up in Azure Resource Manager (endpoint, deployment, and the scoring key or
 * token by auth mode) and turns it into a settings layer. With SCORING_URI given the URI stays the
 * target; the lookup then only feeds Azure Monitor and the CONNECTIONS/CLIENTS defaults, and a
 * failed lookup leaves the run to go on without Azure figures (the report says why).
 */
export async function resolveAzureTarget(request: AzureTargetRequest, options: AzureTargetOptions): Promise<AzureTarget> {
  const credential = credentialFromEnvironment(options.env, `${request.armEndpoint.origin}/.default`);
  const arm = new ArmClient({ endpoint: request.armEndpoint, credential, onRetry: options.log, ...(options.ca ? { ca: options.ca } : {}) });
  const client = new OnlineEndpointClient(arm, request.names, request.apiVersion);
  const { names } = request;
  const label = `deployment "${names.deployment}" of endpoint "${names.endpoint}" (workspace ${names.workspace}, resource group ${names.resourceGroup})`;
  const monitorOf = (deployment: DeploymentResources): MonitorSpec => ({
    kind: 'azure',
    arm,
    deployment,
    waitMs: request.metricsWaitMs,
    ...(options.metricsPollMs ? { pollMs: options.metricsPollMs } : {}),
    onProgress: options.log,
  });
  if (request.scoringUriGiven) {
    let deployment: DeploymentInfo;
    try {
      deployment = await client.describe();
    } catch (error) {
      options.log(`target: ${request.scoringUriGiven} (given); ${label} could not be read for Azure Monitor: ${(error as Error).message}`);
      return { layer: {}, monitor: monitorOf(deploymentResources(names)), credentialExpiresOnMs: Number.POSITIVE_INFINITY, secrets: () => [], description: describe(names, undefined, 'scoring_uri') };
    }
    options.log(`target: ${request.scoringUriGiven} (given, it wins); ONLINE_ENDPOINT/DEPLOYMENT name ${label} for Azure Monitor and the CONNECTIONS/CLIENTS default (${deployment.maxConcurrentRequestsPerInstance})`);
    return { deployment, layer: concurrencyLayer(deployment), monitor: monitorOf(deployment), credentialExpiresOnMs: Number.POSITIVE_INFINITY, secrets: () => [], description: describe(names, deployment, 'scoring_uri') };
  }
  const deployment = await client.describe();
  const layer: SettingsLayer = {
    url: { value: deployment.scoringUri.href, source: `the scoringUri of ${label}` },
    headers: { value: {}, source: 'Azure ML' },
    ...concurrencyLayer(deployment),
  };
  let scoring: ScoringCredential | undefined;
  if (!request.authorizationGiven) {
    scoring = await scoringCredential(deployment.authMode, client, credential);
    layer.headers = { value: { Authorization: scoring.header() }, source: `the ${deployment.authMode} credential of ${label}` };
  }
  const auth = request.authorizationGiven ? 'the Authorization header given' : `auth ${deployment.authMode}`;
  const size = deployment.instanceType ? `, ${deployment.instanceType} x${deployment.instanceCount ?? '?'}` : '';
  options.log(`target: Azure ML ${label}: ${deployment.scoringUri.origin}${deployment.scoringUri.pathname}, ${auth}${size}, ${deployment.maxConcurrentRequestsPerInstance} concurrent requests per instance (the CONNECTIONS/CLIENTS default)`);
  const target: AzureTarget = {
    deployment,
    layer,
    monitor: monitorOf(deployment),
    credentialExpiresOnMs: scoring?.expiresOnMs() ?? Number.POSITIVE_INFINITY,
    secrets: () => scoring?.secrets() ?? [],
    description: describe(names, deployment, 'azure'),
  };
  if (scoring && scoring.authMode !== 'Key') {
    const renewing = scoring;
    target.headerUpdates = {
      subscribe(apply) {
        renewing.keepFresh((header) => apply({ Authorization: header }), (reason) => options.log(reason));
        return () => renewing.stop();
      },
    };
  }
  return target;
}

/**
 * The external programs take their headers once, at start: a token that expires before the run ends
 * cannot be renewed for them. Refused before anything is sent.
 */
export function assertCredentialOutlastsRun(target: AzureTarget, settings: Settings, nowMs = Date.now()): void {
  if (settings.engine !== 'external' || !target.headerUpdates) return;
  const endMs = nowMs + (settings.warmupSec + settings.durationSec + settings.timeoutSec + 60) * 1000;
  if (target.credentialExpiresOnMs < endMs) {
    const minutes = Math.max(0, Math.floor((target.credentialExpiresOnMs - nowMs) / 60_000));
    throw new SettingsError(
      `the ${target.description.authMode} token of endpoint "${target.description.endpoint}" expires in ${minutes} min, before this run ends, and the external ${settings.tool} cannot take a renewed token mid-run: use the builtin engine (it renews tokens), a shorter DURATION, or a Key endpoint`,
    );
  }
}

/** maxConcurrentRequestsPerInstance as the CONNECTIONS and CLIENTS default, as the seed says. */
function concurrencyLayer(deployment: DeploymentInfo): SettingsLayer {
  const value = String(deployment.maxConcurrentRequestsPerInstance);
  const source = `maxConcurrentRequestsPerInstance of deployment "${deployment.names.deployment}"`;
  return { connections: { value, source }, clients: { value, source } };
}

function describe(names: DeploymentNames, deployment: DeploymentInfo | undefined, targetFrom: AzureTargetDescription['targetFrom']): AzureTargetDescription {
  const description: AzureTargetDescription = { ...names, targetFrom };
  if (deployment) {
    description.authMode = deployment.authMode;
    description.maxConcurrentRequestsPerInstance = deployment.maxConcurrentRequestsPerInstance;
    description.requestTimeoutSec = deployment.requestTimeoutSec;
    if (deployment.instanceType) description.instanceType = deployment.instanceType;
    if (deployment.instanceCount) description.instanceCount = deployment.instanceCount;
  }
  return description;
}

/** A run request, and the Azure ML deployment behind it when one was named. */
export interface AzureRunRequest {
  request: RunRequest;
  azure?: AzureTarget;
}

/**
 * assembleRunRequest, with an Azure ML deployment resolved first when ONLINE_ENDPOINT is given: its
 * layer (scoring URI, credential, CONNECTIONS/CLIENTS) ranks just above the command's defaults, so
 * every setting the user gave still wins; the Azure Monitor monitor joins the run's monitors.
 */
export async function assembleAzureRunRequest(sources: RunSources, options: AzureTargetOptions): Promise<AzureRunRequest> {
  const request = azureTargetRequest(givenSettings(sources), options.log);
  if (!request) return { request: assembleRunRequest(sources) };
  const azure = await resolveAzureTarget(request, options);
  const commandDefaults = sources.commandDefaults ? mergeLayers([azure.layer, sources.commandDefaults]) : azure.layer;
  const assembled = assembleRunRequest({ ...sources, commandDefaults });
  const settings = { ...assembled.settings, azure: azure.description };
  assertCredentialOutlastsRun(azure, settings);
  return { request: { ...assembled, settings, monitors: [...assembled.monitors, azure.monitor] }, azure };
}

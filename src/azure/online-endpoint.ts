import { AzureError } from './azure-error.js';
import type { ArmClient } from './arm-client.js';

/**
 * Azure ML online endpoints through Azure Resource Manager, Microsoft.MachineLearningServices, as
 * published in Azure/azure-rest-api-specs
 * (specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2024-10-01/mfe.json).
 * 2024-10-01 is pinned rather than the newest stable because sovereign clouds take new versions
 * late; AZUREML_API_VERSION overrides it.
 */
export const DEFAULT_ML_API_VERSION = '2024-10-01';

/** What names one deployment: the seed's SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE, ONLINE_ENDPOINT, DEPLOYMENT. */
export interface DeploymentNames {
  subscription: string;
  resourceGroup: string;
  workspace: string;
  endpoint: string;
  deployment: string;
}

export type EndpointAuthMode = 'Key' | 'AMLToken' | 'AADToken';

/** OnlineEndpointTrackedResource, the fields modelprof reads (OnlineEndpoint + EndpointPropertiesBase). */
export interface OnlineEndpointResource {
  properties?: {
    authMode?: string;
    scoringUri?: string | null;
    provisioningState?: string;
    traffic?: Record<string, number> | null;
  };
}

/** OnlineDeploymentTrackedResource: OnlineDeployment properties, OnlineRequestSettings and the ARM Sku. */
export interface OnlineDeploymentResource {
  properties?: {
    instanceType?: string | null;
    provisioningState?: string;
    endpointComputeType?: string;
    requestSettings?: {
      maxConcurrentRequestsPerInstance?: number;
      /** ISO 8601 duration, default PT5S. */
      requestTimeout?: string;
      maxQueueWait?: string;
    } | null;
  };
  sku?: { name?: string; capacity?: number } | null;
}

/** EndpointAuthKeys, from POST .../listKeys. */
export interface EndpointAuthKeys {
  primaryKey?: string | null;
  secondaryKey?: string | null;
}

/** EndpointAuthToken, from POST .../token; the two times are Unix seconds (UTC). */
export interface EndpointAuthToken {
  accessToken?: string | null;
  tokenType?: string | null;
  expiryTimeUtc?: number;
  refreshAfterTimeUtc?: number;
}

/** The ARM resource IDs of a deployment and its endpoint, from the names alone (what Azure Monitor needs). */
export interface DeploymentResources {
  names: DeploymentNames;
  endpointResourceId: string;
  deploymentResourceId: string;
}

export function deploymentResources(names: DeploymentNames): DeploymentResources {
  return { names, endpointResourceId: endpointResourceId(names), deploymentResourceId: deploymentResourceId(names) };
}

/** report.target.azure: which deployment was profiled and what Azure says of it. */
export interface AzureTargetDescription {
  subscription: string;
  resourceGroup: string;
  workspace: string;
  endpoint: string;
  deployment: string;
  /** "azure": scoring URI and credential from ARM; "scoring_uri": SCORING_URI given, Azure for metrics. */
  targetFrom: 'azure' | 'scoring_uri';
  authMode?: EndpointAuthMode;
  instanceType?: string;
  instanceCount?: number;
  maxConcurrentRequestsPerInstance?: number;
  requestTimeoutSec?: number;
}

/** One deployment as modelprof uses it; secrets are not here (see scoring-credential.ts). */
export interface DeploymentInfo extends DeploymentResources {
  scoringUri: URL;
  authMode: EndpointAuthMode;
  instanceType?: string;
  /** sku.capacity: the number of instances. */
  instanceCount?: number;
  /** requestSettings.maxConcurrentRequestsPerInstance (Azure's default 1 when absent). */
  maxConcurrentRequestsPerInstance: number;
  /** requestSettings.requestTimeout in seconds (Azure's default PT5S when absent). */
  requestTimeoutSec: number;
  /** Share of the endpoint's traffic routed to this deployment by default, 0..100; absent when unknown. */
  trafficPercent?: number;
}

const AUTH_MODES: readonly EndpointAuthMode[] = ['Key', 'AMLToken', 'AADToken'];

export function endpointResourceId(names: DeploymentNames): string {
  const segments = [
    'subscriptions', names.subscription,
    'resourceGroups', names.resourceGroup,
    'providers', 'Microsoft.MachineLearningServices',
    'workspaces', names.workspace,
    'onlineEndpoints', names.endpoint,
  ];
  return `/${segments.map(encodeURIComponent).join('/')}`;
}

export function deploymentResourceId(names: DeploymentNames): string {
  return `${endpointResourceId(names)}/deployments/${encodeURIComponent(names.deployment)}`;
}

/** The four ARM calls modelprof makes on an online endpoint. */
export class OnlineEndpointClient {
  private readonly query: Record<string, string>;

  constructor(
    private readonly arm: ArmClient,
    readonly names: DeploymentNames,
    apiVersion = DEFAULT_ML_API_VERSION,
  ) {
    this.query = { 'api-version': apiVersion };
  }

  private get endpointLabel(): string {
    return `online endpoint "${this.names.endpoint}" in workspace "${this.names.workspace}" (resource group "${this.names.resourceGroup}")`;
  }

  endpoint(): Promise<OnlineEndpointResource> {
    return this.arm.get(endpointResourceId(this.names), this.query, this.endpointLabel);
  }

  deployment(): Promise<OnlineDeploymentResource> {
    return this.arm.get(deploymentResourceId(this.names), this.query, `deployment "${this.names.deployment}" of ${this.endpointLabel}`);
  }

  listKeys(): Promise<EndpointAuthKeys> {
    return this.arm.post(`${endpointResourceId(this.names)}/listKeys`, this.query, `the keys of ${this.endpointLabel}`);
  }

  token(): Promise<EndpointAuthToken> {
    return this.arm.post(`${endpointResourceId(this.names)}/token`, this.query, `an Azure ML token for ${this.endpointLabel}`);
  }

  /**
   * Reads the endpoint and the deployment and checks both are provisioned: a deployment that is
   * Creating, Updating, Failed or anything but Succeeded is refused with one line, before any request.
   */
  async describe(): Promise<DeploymentInfo> {
    // Both calls settle before either error is thrown: no request (or its retries) outlives this call.
    const [endpointRead, deploymentRead] = await Promise.allSettled([this.endpoint(), this.deployment()]);
    if (endpointRead.status === 'rejected') throw endpointRead.reason;
    if (deploymentRead.status === 'rejected') throw deploymentRead.reason;
    const [endpoint, deployment] = [endpointRead.value, deploymentRead.value];
    const { names } = this;
    const endpointState = endpoint.properties?.provisioningState;
    if (endpointState !== 'Succeeded') {
      throw new AzureError(
        `online endpoint "${names.endpoint}" is ${endpointState ?? 'in an unknown state'}, not Succeeded: wait until az ml online-endpoint show -n ${names.endpoint} says Succeeded, then run again`,
        'not_provisioned',
      );
    }
    const deploymentState = deployment.properties?.provisioningState;
    if (deploymentState !== 'Succeeded') {
      throw new AzureError(
        `deployment "${names.deployment}" of endpoint "${names.endpoint}" is ${deploymentState ?? 'in an unknown state'}, not Succeeded: wait until az ml online-deployment show -e ${names.endpoint} -n ${names.deployment} says Succeeded, then run again`,
        'not_provisioned',
      );
    }
    const authMode = endpoint.properties?.authMode;
    if (!AUTH_MODES.includes(authMode as EndpointAuthMode)) {
      throw new AzureError(`online endpoint "${names.endpoint}" has auth mode "${String(authMode)}"; modelprof knows ${AUTH_MODES.join(', ')}`, 'bad_response');
    }
    const scoringUri = parseScoringUri(endpoint.properties?.scoringUri, names.endpoint);
    const settings = deployment.properties?.requestSettings ?? {};
    const traffic = endpoint.properties?.traffic ?? undefined;
    const info: DeploymentInfo = {
      ...deploymentResources(names),
      scoringUri,
      authMode: authMode as EndpointAuthMode,
      maxConcurrentRequestsPerInstance: positiveOr(settings.maxConcurrentRequestsPerInstance, 1),
      requestTimeoutSec: parseIsoDuration(settings.requestTimeout) ?? 5,
    };
    const instanceType = deployment.properties?.instanceType;
    if (instanceType) info.instanceType = instanceType;
    const capacity = deployment.sku?.capacity;
    if (typeof capacity === 'number' && capacity > 0) info.instanceCount = capacity;
    if (traffic && typeof traffic[names.deployment] === 'number') info.trafficPercent = traffic[names.deployment]!;
    return info;
  }
}

function parseScoringUri(value: string | null | undefined, endpoint: string): URL {
  if (!value) throw new AzureError(`online endpoint "${endpoint}" has no scoringUri yet`, 'not_provisioned');
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {
    // falls through to the error below
  }
  throw new AzureError(`online endpoint "${endpoint}" has a scoringUri that is not an http(s) URL`, 'bad_response');
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** ISO 8601 durations as ARM writes them (PT5S, PT0.5S, PT1M30S, P1D) in seconds; undefined when absent or unreadable. */
export function parseIsoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!match || text.trim() === 'P' || text.trim().endsWith('T')) return undefined;
  const [, days, hours, minutes, secs] = match;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(secs ?? 0);
}

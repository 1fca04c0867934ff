import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local HTTPS stand-in for Azure, because no Azure can be reached from a test: Azure Resource
 * Manager for Microsoft.MachineLearningServices online endpoints, Azure Monitor metrics, an Azure ML
 * compute's managed-identity endpoint, and the endpoint's scoring route. Every answer has the exact
 * shape of the published REST API specs (Azure/azure-rest-api-specs), named at each route below:
 *
 * - ML: specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/
 *   stable/2024-10-01 (examples Workspace/OnlineEndpoint/get.json and getToken.json,
 *   OnlineDeployment/ManagedOnlineDeployment/get.json; EndpointAuthKeys in mfe.json);
 * - Monitor: specification/monitor/resource-manager/Microsoft.Insights/stable/2023-10-01
 *   (metrics_API.json Metrics_List, examples GetMetric.json and GetMetricError.json);
 * - errors: common-types/resource-management ErrorResponse ({"error": {"code", "message"}});
 * - managed identity: the Azure ML compute source MSAL implements (MSI_ENDPOINT, MSI_SECRET,
 *   api-version 2017-09-01: {access_token, expires_on, resource, token_type}).
 *
 * The scoring route demands the key or a live token, and the azureml-model-deployment header.
 */
export interface AzureStandInOptions {
  subscription?: string;
  resourceGroup?: string;
  workspace?: string;
  endpoint?: string;
  deployment?: string;
  authMode?: 'Key' | 'AMLToken' | 'AADToken';
  deploymentState?: string;
  /** AML tokens (POST .../token) live this long; refreshAfterTimeUtc is at `refreshAfterSec`. */
  amlTokenLifetimeSec?: number;
  amlTokenRefreshAfterSec?: number;
  /** The first n ARM calls answer 429 with this Retry-After (seconds). */
  throttle?: { times: number; retryAfterSec: number };
  /** ARM answers 403 AuthorizationFailed to every call. */
  forbidden?: boolean;
  /** A minute's metrics are published this long after the minute ends; Infinity: never. */
  metricsDelayMs?: number;
  maxConcurrentRequestsPerInstance?: number;
  /** Service time of the scoring route, ms. */
  scoreDelayMs?: number;
  /** The stand-in's clock (minute buckets, publication, token expiry); Date.now by default. */
  now?: () => number;
  /** Azure's clock runs this far ahead of ours (the Date header, and what counts as published). */
  clockAheadMs?: number;
}

export interface ArmCall {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string;
}

export interface AzureStandIn {
  origin: string;
  /** PEM of the stand-in's self-signed certificate (a trust anchor: give it to NODE_EXTRA_CA_CERTS or `ca`). */
  caFile: string;
  ca: Buffer;
  /** A token ARM accepts (what IDENTITY_ACCESS_TOKEN would hold). */
  armToken: string;
  key: string;
  msi: { endpoint: string; secret: string; clientId: string };
  names: { subscription: string; resourceGroup: string; workspace: string; endpoint: string; deployment: string };
  armCalls: ArmCall[];
  /** Scoring requests by answer: 200, 401 (credential), 400/404 (deployment header). */
  scoring: { ok: number; unauthorized: number; badDeployment: number };
  /** Every key and token the stand-in handed out: none may appear in any output. */
  secrets(): string[];
  close(): Promise<void>;
}

export async function startAzureStandIn(options: AzureStandInOptions = {}): Promise<AzureStandIn> {
  const names = {
    subscription: options.subscription ?? '00000000-1111-2222-3333-444444444444',
    resourceGroup: options.resourceGroup ?? 'test-rg',
    workspace: options.workspace ?? 'my-aml-workspace',
    endpoint: options.endpoint ?? 'my-endpoint',
    deployment: options.deployment ?? 'blue',
  };
  const { caFile, key: tlsKey, cert } = makeCertificate();
  const armToken = `arm-${secret()}`;
  const key = `key-${secret()}`;
  const msi = { secret: `msi-${secret()}`, clientId: '11111111-2222-3333-4444-555555555555' };
  const handedOut = new Set<string>([armToken, key, msi.secret]);
  const armTokens = new Set([armToken]);
  const amlTokens = new Map<string, number>();
  const entraScoringTokens = new Set<string>();
  const armCalls: ArmCall[] = [];
  const scoring = { ok: 0, unauthorized: 0, badDeployment: 0 };
  const perMinute = new Map<number, { count: number; serviceMs: number[] }>();
  let throttled = 0;
  let origin = '';
  const now = options.now ?? Date.now;

  const endpointPath = `/subscriptions/${names.subscription}/resourceGroups/${names.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${names.workspace}/onlineEndpoints/${names.endpoint}`;
  const deploymentPath = `${endpointPath}/deployments/${names.deployment}`;

  const server = https.createServer({ key: tlsKey, cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', origin);
      response.setHeader('Date', new Date(now() + (options.clockAheadMs ?? 0)).toUTCString());
      if (url.pathname === '/score') return score(request, response);
      arm(request, url, response);
    });
  });
  // A TLS socket still in its handshake is not among closeAllConnections' connections: track them all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Azure ML compute serves its managed identity over plain HTTP on loopback (MSI_ENDPOINT).
  const identityServer = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => managedIdentity(request, new URL(request.url ?? '/', 'http://127.0.0.1'), response));
  });

  function arm(request: IncomingMessage, url: URL, response: ServerResponse): void {
    const authorization = request.headers.authorization ?? '';
    armCalls.push({ method: request.method ?? '', path: url.pathname, query: url.searchParams, authorization });
    if (!url.searchParams.get('api-version')) return json(response, 400, armError('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'));
    if (!armTokens.has(authorization.replace(/^Bearer /, ''))) {
      return json(response, 401, armError('InvalidAuthenticationToken', 'The access token is invalid.'));
    }
    if (options.throttle && throttled < options.throttle.times) {
      throttled++;
      response.setHeader('Retry-After', String(options.throttle.retryAfterSec));
      return json(response, 429, armError('SubscriptionRequestsThrottled', 'Number of requests for subscription exceeded the limit.'));
    }
    if (options.forbidden) {
      return json(response, 403, armError('AuthorizationFailed', 'The client does not have authorization to perform action over scope.'));
    }
    const path = url.pathname;
    if (request.method === 'GET' && path === endpointPath) return json(response, 200, onlineEndpoint());
    if (request.method === 'GET' && path === deploymentPath) return json(response, 200, onlineDeployment());
    // EndpointAuthKeys (mfe.json), POST .../listKeys: Key-mode endpoints only.
    if (request.method === 'POST' && path === `${endpointPath}/listKeys`) return json(response, 200, { primaryKey: key, secondaryKey: `${key}-2` });
    // EndpointAuthToken (examples/Workspace/OnlineEndpoint/getToken.json): times in Unix seconds.
    if (request.method === 'POST' && path === `${endpointPath}/token`) {
      const issued = now() / 1000;
      const token = `aml-${secret()}`;
      const expiry = issued + (options.amlTokenLifetimeSec ?? 3600);
      amlTokens.set(token, expiry * 1000);
      handedOut.add(token);
      return json(response, 200, {
        accessToken: token,
        tokenType: 'Bearer',
        expiryTimeUtc: Math.floor(expiry),
        refreshAfterTimeUtc: Math.floor(issued + (options.amlTokenRefreshAfterSec ?? 1800)),
      });
    }
    if (request.method === 'GET' && (path === `${deploymentPath}/providers/Microsoft.Insights/metrics` || path === `${endpointPath}/providers/Microsoft.Insights/metrics`)) {
      return json(response, 200, metrics(url, path.startsWith(deploymentPath)));
    }
    json(response, 404, armError('ResourceNotFound', `The Resource '${path.split('/').slice(-1)[0]}' was not found.`));
  }

  /** OnlineEndpointTrackedResource (examples/Workspace/OnlineEndpoint/get.json), filled in. */
  function onlineEndpoint(): unknown {
    return {
      id: endpointPath,
      name: names.endpoint,
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
      properties: {
        description: 'stand-in',
        properties: {},
        scoringUri: `${origin}/score`,
        swaggerUri: `${origin}/swagger.json`,
        authMode: options.authMode ?? 'Key',
        provisioningState: 'Succeeded',
        compute: null,
        traffic: { [names.deployment]: 100 },
      },
      systemData: systemData(),
      tags: {},
      location: 'westus2',
      kind: 'Managed',
      identity: { type: 'SystemAssigned', principalId: '00000000-1111-2222-3333-444444444444', tenantId: '00000000-1111-2222-3333-444444444444' },
    };
  }

  /** OnlineDeploymentTrackedResource (examples/OnlineDeployment/ManagedOnlineDeployment/get.json), filled in. */
  function onlineDeployment(): unknown {
    return {
      id: deploymentPath,
      name: names.deployment,
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments',
      properties: {
        description: 'stand-in',
        properties: {},
        codeConfiguration: { codeId: 'azureml:code:1', scoringScript: 'score.py' },
        environmentId: 'azureml:env:1',
        environmentVariables: {},
        scaleSettings: { scaleType: 'Default' },
        requestSettings: { maxQueueWait: 'PT0.5S', requestTimeout: 'PT3S', maxConcurrentRequestsPerInstance: options.maxConcurrentRequestsPerInstance ?? 2 },
        appInsightsEnabled: false,
        livenessProbe: { failureThreshold: 30, successThreshold: 1, timeout: 'PT2S', period: 'PT10S', initialDelay: 'PT10S' },
        provisioningState: options.deploymentState ?? 'Succeeded',
        instanceType: 'Standard_DS3_v2',
        model: 'azureml:model:1',
        endpointComputeType: 'Managed',
        readinessProbe: { failureThreshold: 30, successThreshold: 1, timeout: 'PT2S', period: 'PT10S', initialDelay: 'PT10S' },
      },
      systemData: systemData(),
      tags: {},
      location: 'westus2',
      kind: 'Managed',
      sku: { name: 'Default', tier: 'Standard', capacity: 2 },
    };
  }

  /** Response (metrics_API.json): one Metric per name, PT1M data points; a minute not yet published has no aggregations. */
  function metrics(url: URL, forDeployment: boolean): unknown {
    const [from, to] = (url.searchParams.get('timespan') ?? '').split('/').map((t) => Date.parse(t)) as [number, number];
    const published = now() + (options.clockAheadMs ?? 0) - (options.metricsDelayMs ?? 0);
    const value = (url.searchParams.get('metricnames') ?? '').split(',').map((name) => {
      const points: Record<string, unknown>[] = [];
      for (let minute = Math.floor(from / 60_000) * 60_000; minute < to; minute += 60_000) {
        const point: Record<string, unknown> = { timeStamp: new Date(minute).toISOString().replace('.000Z', 'Z') };
        const seen = perMinute.get(minute);
        if (minute + 60_000 <= published && seen) Object.assign(point, figures(name, seen));
        points.push(point);
      }
      const gpu = name.startsWith('Gpu');
      return {
        id: `${forDeployment ? deploymentPath : endpointPath}/providers/Microsoft.Insights/metrics/${name}`,
        type: 'Microsoft.Insights/metrics',
        name: { value: name, localizedValue: name },
        displayDescription: name,
        unit: UNITS[name] ?? 'Count',
        // A CPU instance type publishes no GPU series at all.
        timeseries: gpu ? [] : [{ metadatavalues: forDeployment ? [] : [{ name: { value: 'deployment', localizedValue: 'deployment' }, value: names.deployment }], data: points }],
        errorCode: 'Success',
      };
    });
    return { cost: 0, timespan: url.searchParams.get('timespan'), interval: 'PT1M', value, namespace: forDeployment ? 'microsoft.machinelearningservices/workspaces/onlineendpoints/deployments' : 'microsoft.machinelearningservices/workspaces/onlineendpoints', resourceregion: 'westus2' };
  }

  function score(request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    const authorization = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const mode = options.authMode ?? 'Key';
    const valid =
      mode === 'Key' ? authorization === key : mode === 'AMLToken' ? (amlTokens.get(authorization) ?? 0) > now() : entraScoringTokens.has(authorization);
    if (!valid) {
      scoring.unauthorized++;
      return json(response, 401, { message: 'Unauthorized' });
    }
    if (request.headers['azureml-model-deployment'] !== names.deployment) {
      scoring.badDeployment++;
      return json(response, 404, { message: `deployment "${String(request.headers['azureml-model-deployment'])}" not found` });
    }
    const answer = (): void => {
      scoring.ok++;
      const minute = Math.floor(now() / 60_000) * 60_000;
      const entry = perMinute.get(minute) ?? { count: 0, serviceMs: [] };
      entry.count++;
      entry.serviceMs.push(performance.now() - started);
      perMinute.set(minute, entry);
      json(response, 200, { result: [1] });
    };
    if (options.scoreDelayMs) setTimeout(answer, options.scoreDelayMs);
    else answer();
  }

  function managedIdentity(request: IncomingMessage, url: URL, response: ServerResponse): void {
    if (request.headers['secret'] !== msi.secret) return json(response, 401, { error: 'invalid_secret', error_description: 'bad MSI secret' });
    const resource = url.searchParams.get('resource') ?? '';
    const token = `${resource.includes('ml.azure.com') ? 'entra-ml' : 'entra-arm'}-${secret()}`;
    handedOut.add(token);
    if (resource.includes('ml.azure.com')) entraScoringTokens.add(token);
    else armTokens.add(token);
    json(response, 200, { access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: 'Bearer' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => identityServer.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.keepAliveTimeout = 60_000;
  return {
    origin,
    caFile,
    ca: cert,
    armToken,
    key,
    msi: { endpoint: `http://127.0.0.1:${(identityServer.address() as AddressInfo).port}/msi/token`, secret: msi.secret, clientId: msi.clientId },
    names,
    armCalls,
    scoring,
    secrets: () => [...handedOut],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      for (const each of [server, identityServer]) {
        each.closeAllConnections();
        await new Promise<void>((resolve) => each.close(() => resolve()));
      }
    },
  };
}

/** The seed's variables that name the stand-in's deployment, with ARM_ENDPOINT pointing at it. */
export function standInVariables(standIn: AzureStandIn): Record<string, string> {
  const { names } = standIn;
  return {
    SUBSCRIPTION: names.subscription,
    RESOURCE_GROUP: names.resourceGroup,
    WORKSPACE: names.workspace,
    ONLINE_ENDPOINT: names.endpoint,
    DEPLOYMENT: names.deployment,
    ARM_ENDPOINT: standIn.origin,
  };
}

const UNITS: Record<string, string> = {
  CpuUtilizationPercentage: 'Percent',
  CpuMemoryUtilizationPercentage: 'Percent',
  DiskUtilization: 'Percent',
  RequestLatency_P50: 'MilliSeconds',
  RequestLatency_P90: 'MilliSeconds',
  RequestLatency_P95: 'MilliSeconds',
  RequestLatency_P99: 'MilliSeconds',
  RequestsPerMinute: 'Count',
};

/** Figures derived from what the scoring route really served in that minute. */
function figures(name: string, seen: { count: number; serviceMs: number[] }): { average: number; maximum: number } {
  const sorted = [...seen.serviceMs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  switch (name) {
    case 'CpuUtilizationPercentage':
      return { average: Math.min(100, 5 + seen.count / 60), maximum: Math.min(100, 8 + seen.count / 40) };
    case 'CpuMemoryUtilizationPercentage':
      return { average: 31.5, maximum: 32 };
    case 'DiskUtilization':
      return { average: 12, maximum: 12 };
    case 'RequestsPerMinute':
      return { average: seen.count, maximum: seen.count };
    default: {
      const q = Number(/_P(\d+)$/.exec(name)?.[1] ?? 50) / 100;
      return { average: at(q), maximum: at(q) };
    }
  }
}

function armError(code: string, message: string): unknown {
  return { error: { code, message } };
}

function systemData(): unknown {
  return { createdAt: '2024-01-01T12:34:56.999Z', createdBy: 'stand-in', createdByType: 'User', lastModifiedAt: '2024-01-01T12:34:56.999Z', lastModifiedBy: 'stand-in', lastModifiedByType: 'User' };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function secret(): string {
  return randomBytes(12).toString('hex');
}

/** A self-signed EC certificate for 127.0.0.1 (an IP SAN, which TLS clients check), made by the real openssl. */
function makeCertificate(): { caFile: string; key: Buffer; cert: Buffer } {
  const folder = mkdtempSync(join(tmpdir(), 'modelprof-azure-'));
  const keyFile = join(folder, 'key.pem');
  const caFile = join(folder, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', caFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { caFile, key: readFileSync(keyFile), cert: readFileSync(caFile) };
}

import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { MODELPROF_VERSION } from '../core/version.js';
import { AzureError, AzureNotFoundError } from './azure-error.js';
import type { TokenSource } from './credentials.js';

/** Azure Resource Manager in the public cloud; sovereign clouds and tests override it (ARM_ENDPOINT). */
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

export interface ArmClientOptions {
  /** ARM base URL, https only. */
  endpoint: URL;
  /** Gives the bearer token for the ARM scope (see armScope). */
  credential: TokenSource;
  /** Extra CA certificates (PEM) trusted for this endpoint only, e.g. a local stand-in's; the system store otherwise. */
  ca?: string | Buffer;
  /** Retries of a throttled (429) or transiently failing (5xx, network) call. Default 4. */
  maxRetries?: number;
  /** The longest single wait before a retry; a Retry-After beyond it ends the call. Default 60 s. */
  maxRetryWaitMs?: number;
  /** One request's limit. Default 30 s. */
  timeoutMs?: number;
  /** Told (one line) before each retry, e.g. for the console. */
  onRetry?: (message: string) => void;
  /** Injected for tests; real waits by default. */
  sleep?: (ms: number) => Promise<void>;
}

interface ArmResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** ARM answers errors as `{"error": {"code", "message"}}` (common-types ErrorResponse). */
interface ArmErrorBody {
  error?: { code?: string; message?: string };
}

const RETRIABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** The token scope for an ARM endpoint: its origin plus "/.default" (https://management.azure.com/.default). */
export function armScope(endpoint: URL): string {
  return `${endpoint.origin}/.default`;
}

/**
 * A small JSON client for ARM: bearer token per call, `api-version` on every request, bounded
 * retries that honour Retry-After (integer seconds or an HTTP date) on 429 and 5xx, and one-line
 * typed errors for 401, 403 and 404. Response bodies are never put in errors: some calls (listKeys,
 * token) return secrets.
 */
export class ArmClient {
  readonly scope: string;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Azure's clock minus ours, from the Date header of the last answer (1 s resolution). */
  private skewMs = 0;

  constructor(private readonly options: ArmClientOptions) {
    if (options.endpoint.protocol !== 'https:') {
      throw new AzureError(`ARM endpoint ${options.endpoint.origin} must be https: tokens are never sent in the clear`, 'unreachable');
    }
    this.scope = armScope(options.endpoint);
    this.maxRetries = options.maxRetries ?? 4;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  /** Now on Azure's clock (epoch ms): ours, corrected by the Date header of ARM's last answer. */
  serverNow(): number {
    return Date.now() + this.skewMs;
  }

  /** GET `path` (an ARM resource path) with `query`; `what` names the resource for errors. */
  get<T>(path: string, query: Record<string, string>, what: string): Promise<T> {
    return this.call<T>('GET', path, query, what);
  }

  /** POST with an empty body, as ARM actions (listKeys, token) take. */
  post<T>(path: string, query: Record<string, string>, what: string): Promise<T> {
    return this.call<T>('POST', path, query, what);
  }

  private async call<T>(method: string, path: string, query: Record<string, string>, what: string): Promise<T> {
    const url = new URL(path, this.options.endpoint);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    for (let attempt = 0; ; attempt++) {
      const token = await this.options.credential.getToken(this.scope);
      let response: ArmResponse;
      try {
        response = await this.send(method, url, token.token);
      } catch (error) {
        if (attempt >= this.maxRetries) {
          throw new AzureError(`cannot reach Azure Resource Manager at ${url.origin} for ${what}: ${(error as Error).message}`, 'unreachable');
        }
        const waitMs = Math.min(this.maxRetryWaitMs, 1000 * 2 ** attempt);
        this.options.onRetry?.(`ARM unreachable for ${what} (${(error as Error).message}); retrying in ${seconds(waitMs)}`);
        await this.sleep(waitMs);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return parseJson<T>(response.body, what);
      if (RETRIABLE_STATUS.has(response.status)) {
        const waitMs = retryAfterMs(response.headers['retry-after']) ?? Math.min(this.maxRetryWaitMs, 1000 * 2 ** attempt);
        const reason = response.status === 429 ? 'throttled (429)' : `answered ${response.status}`;
        if (attempt >= this.maxRetries || waitMs > this.maxRetryWaitMs) {
          const why = attempt >= this.maxRetries ? `after ${attempt + 1} attempts` : `and asks to wait ${seconds(waitMs)}, beyond the ${seconds(this.maxRetryWaitMs)} limit`;
          throw new AzureError(`Azure Resource Manager ${reason} for ${what} ${why}`, response.status === 429 ? 'throttled' : 'unreachable', response.status);
        }
        this.options.onRetry?.(`ARM ${reason} for ${what}; retrying in ${seconds(waitMs)}`);
        await this.sleep(waitMs);
        continue;
      }
      throw errorFor(response, what);
    }
  }

  private send(method: string, url: URL, token: string): Promise<ArmResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'user-agent': `modelprof/${MODELPROF_VERSION}`,
    };
    if (method === 'POST') headers['content-length'] = '0';
    return new Promise((resolve, reject) => {
      const request = https.request(url, { method, headers, timeout: this.timeoutMs, ...(this.options.ca ? { ca: this.options.ca } : {}) }, (res) => {
        const serverDate = Date.parse(res.headers.date ?? '');
        if (!Number.isNaN(serverDate)) this.skewMs = serverDate - Date.now();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${seconds(this.timeoutMs)}`)));
      request.on('error', reject);
      request.end();
    });
  }
}

function errorFor(response: ArmResponse, what: string): Error {
  const detail = armErrorDetail(response.body);
  switch (response.status) {
    case 401:
      return new AzureError(
        `Azure Resource Manager rejected the credential for ${what} (401${detail}): the token is expired or not meant for ARM; refresh IDENTITY_ACCESS_TOKEN or sign in again (az login)`,
        'unauthorized',
        401,
      );
    case 403:
      return new AzureError(
        `the identity may not read ${what} (403${detail}): give it the Contributor role on the workspace (README: "Role assignment")`,
        'forbidden',
        403,
      );
    case 404:
      return new AzureNotFoundError(`${what} does not exist (404${detail}): check SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE, ONLINE_ENDPOINT and DEPLOYMENT`);
    default:
      return new AzureError(`Azure Resource Manager answered ${response.status} for ${what}${detail ? ` (${detail.slice(2)})` : ''}`, 'bad_response', response.status);
  }
}

/** ", Code: message" from an ARM error body, first line only and bounded; "" when the body is not one. */
function armErrorDetail(body: string): string {
  try {
    const error = (JSON.parse(body) as ArmErrorBody).error;
    if (!error?.code) return '';
    const message = (error.message ?? '').split('\n')[0]!.slice(0, 200);
    return `, ${error.code}${message ? `: ${message}` : ''}`;
  } catch {
    return '';
  }
}

function parseJson<T>(body: string, what: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new AzureError(`Azure Resource Manager answered ${what} with something that is not JSON`, 'bad_response');
  }
}

/** Retry-After as ms: delay-seconds or an HTTP date (RFC 9110, 10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

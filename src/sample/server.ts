import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { timingSafeEqual } from 'node:crypto';
import { SettingsError } from '../core/errors.js';
import { SampleMetrics } from './metrics.js';
import { resolveSampleServerOptions, type ResolvedSampleServerOptions, type SampleServerOptions } from './options.js';
import { parseScoringInput } from './scoring-input.js';
import { ScoringPool, type ScoringJob } from './scoring-pool.js';
import { SimulatedAccelerator, type DeviceJob } from './accelerator.js';
import { OpenAiRoutes } from './llm/openai-routes.js';

export type { SampleServerOptions } from './options.js';

export interface SampleCounters {
  /** Requests that reached /score, whatever their answer (or none, when the client went away first). */
  readonly received: number;
  /** Answers to /score by HTTP status code, e.g. { "200": 97, "429": 3 }. */
  readonly byStatus: Record<string, number>;
}

export interface SampleServer {
  /** The scoring URL, e.g. http://127.0.0.1:5001/score. */
  readonly url: string;
  readonly port: number;
  counters(): SampleCounters;
  /** Stops listening, answers requests still in flight with 503 and stops the compute workers. */
  close(): Promise<void>;
}

/** Bodies past this size get 413 without being parsed, so one request cannot exhaust memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Longer than common client and load-balancer idle timeouts, so keep-alive connections are not cut mid-run. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How long close() lets answered connections finish writing before cutting them. */
const CLOSE_GRACE_MS = 1000;

/**
 * Starts the sample scoring endpoint: behaves like an Azure ML managed online deployment serving a
 * model on one accelerator (accelerator.ts: a few ms of device time per request, off the CPU, one
 * request at a time), after a small CPU step that computes the answer (model.ts), with Azure's auth,
 * routing, concurrency and timeout answers.
 */
export async function startSampleServer(options: SampleServerOptions = {}): Promise<SampleServer> {
  const settings = resolveSampleServerOptions(options);
  const pool = await ScoringPool.start(settings.workers, settings.workFactor);
  const endpoint = new SampleEndpoint(settings, pool);
  try {
    await endpoint.listen();
  } catch (error) {
    await pool.close();
    throw error;
  }
  return endpoint;
}

class SampleEndpoint implements SampleServer {
  readonly #settings: ResolvedSampleServerOptions;
  readonly #pool: ScoringPool;
  readonly #device: SimulatedAccelerator;
  readonly #metrics = new SampleMetrics();
  readonly #server: Server;
  readonly #expectedAuthorization: Buffer | undefined;
  readonly #jsonHeaders: OutgoingHttpHeaders;
  /** Admitted /score requests not yet answered, keyed to the function that answers them. */
  readonly #inFlight = new Set<(status: number, message: string) => void>();
  readonly #llm: OpenAiRoutes;
  #closing: Promise<void> | undefined;
  url = '';
  port = 0;

  constructor(settings: ResolvedSampleServerOptions, pool: ScoringPool) {
    this.#settings = settings;
    this.#pool = pool;
    this.#device = new SimulatedAccelerator(settings.deviceMs);
    this.#expectedAuthorization = settings.key === undefined ? undefined : Buffer.from(`Bearer ${settings.key}`);
    this.#jsonHeaders =
      settings.deployment === undefined
        ? { 'content-type': 'application/json' }
        : { 'content-type': 'application/json', 'azureml-model-deployment': settings.deployment };
    this.#llm = new OpenAiRoutes({
      modelName: settings.llmModel,
      maxBatch: settings.llmMaxBatch,
      evaluationsPerToken: Math.max(1, Math.round(settings.workFactor)),
    });
    this.#server = createServer({ keepAlive: true }, (req, res) => this.#route(req, res));
    this.#server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  }

  listen(): Promise<void> {
    const { host, port } = this.#settings;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => reject(listenError(error, host, port));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        this.port = (this.#server.address() as AddressInfo).port;
        const urlHost = host.includes(':') ? `[${host}]` : host;
        this.url = `http://${urlHost}:${this.port}/score`;
        resolve();
      });
    });
  }

  counters(): SampleCounters {
    return { received: this.#metrics.received, byStatus: this.#metrics.byStatus() };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const answer of [...this.#inFlight]) answer(503, 'the endpoint is shutting down');
    this.#llm.close();
    this.#device.close();
    this.#server.closeIdleConnections();
    const grace = setTimeout(() => this.#server.closeAllConnections(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(grace);
    await this.#pool.close();
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (path === '/score') this.#score(req, res);
    else if (this.#llm.handles(path)) this.#generate(path, req, res);
    else if (path === '/' || path === '/health') this.#read(req, res, 'text/plain; charset=utf-8', () => 'Healthy\n');
    else if (path === '/metrics') {
      this.#read(req, res, 'text/plain; version=0.0.4; charset=utf-8', () =>
        this.#metrics.render({ inFlight: this.#inFlight.size, queued: this.#pool.queued + this.#device.queued }),
      );
    } else this.#send(res, 404, this.#jsonHeaders, errorBody('no such route; score at POST /score, generate at POST /v1/chat/completions or /v1/completions'));
  }

  /** The OpenAI-compatible routes, behind the same key as /score. */
  #generate(path: string, req: IncomingMessage, res: ServerResponse): void {
    if (this.#closing !== undefined) return this.#send(res, 503, this.#jsonHeaders, errorBody('the endpoint is shutting down'));
    if (!this.#authorized(req.headers.authorization)) {
      return this.#send(res, 401, { ...this.#jsonHeaders, 'www-authenticate': 'Bearer' }, errorBody('missing or invalid Authorization: Bearer key'));
    }
    this.#llm.handle(path, req, res);
  }

  /** GET (or HEAD) routes: liveness and metrics, open without a key like a container's probes. */
  #read(req: IncomingMessage, res: ServerResponse, contentType: string, body: () => string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.#send(res, 405, { ...this.#jsonHeaders, allow: 'GET, HEAD' }, errorBody('method not allowed; use GET'));
      return;
    }
    this.#send(res, 200, { 'content-type': contentType }, body());
  }

  #score(req: IncomingMessage, res: ServerResponse): void {
    const metrics = this.#metrics;
    metrics.received++;
    const arrived = performance.now();
    const refuse = (status: number, message: string, headers: OutgoingHttpHeaders = this.#jsonHeaders): void => {
      metrics.recordAnswer(status, (performance.now() - arrived) / 1000);
      this.#send(res, status, headers, errorBody(message));
    };
    if (this.#closing !== undefined) return refuse(503, 'the endpoint is shutting down');
    if (!this.#authorized(req.headers.authorization)) {
      return refuse(401, 'missing or invalid Authorization: Bearer key', { ...this.#jsonHeaders, 'www-authenticate': 'Bearer' });
    }
    const deployment = req.headers['azureml-model-deployment'];
    if (this.#settings.deployment !== undefined && deployment !== undefined && deployment !== this.#settings.deployment) {
      return refuse(404, 'the deployment named in the azureml-model-deployment header does not exist');
    }
    if (req.method !== 'POST') return refuse(405, 'method not allowed; use POST', { ...this.#jsonHeaders, allow: 'POST' });
    const limit = this.#settings.maxConcurrentRequests;
    if (limit !== undefined && this.#inFlight.size >= limit) {
      return refuse(429, `too many requests in flight: max_concurrent_requests_per_instance is ${limit}`);
    }
    this.#admit(req, res, arrived);
  }

  /** Follows one admitted request to its single answer: 200, 400, 408, 413, 500 or 503. */
  #admit(req: IncomingMessage, res: ServerResponse, arrived: number): void {
    let answered = false;
    let job: ScoringJob | undefined;
    let onDevice: DeviceJob | undefined;
    const settle = (): void => {
      answered = true;
      this.#inFlight.delete(fail);
      clearTimeout(timer);
      if (job !== undefined) job.cancelled = true;
      if (onDevice !== undefined) onDevice.cancelled = true;
    };
    const answer = (status: number, body: string, headers: OutgoingHttpHeaders = this.#jsonHeaders): void => {
      if (answered) return;
      settle();
      this.#metrics.recordAnswer(status, (performance.now() - arrived) / 1000);
      this.#send(res, status, headers, body);
    };
    const fail = (status: number, message: string): void => answer(status, errorBody(message));
    this.#inFlight.add(fail);
    const timer = setTimeout(
      () => fail(408, `request timed out after request_timeout_ms ${this.#settings.requestTimeoutMs}`),
      this.#settings.requestTimeoutMs,
    );
    // The client went away before its answer: free the slot, skip or drop the compute.
    res.once('close', () => {
      if (!answered) settle();
    });
    req.once('error', () => {
      if (!answered) settle();
    });

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (answered) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        answer(413, errorBody(`body is larger than ${MAX_BODY_BYTES} bytes`), { ...this.#jsonHeaders, connection: 'close' });
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (answered) return;
      const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      const parsed = parseScoringInput(body);
      if (!parsed.ok) return fail(400, parsed.message);
      job = {
        features: parsed.input.features,
        rows: parsed.input.rows,
        cancelled: false,
        done: (outcome) => {
          if (!outcome.ok) return fail(500, 'scoring failed');
          // The answer is computed; the inference itself takes its turn on the device.
          onDevice = { cancelled: false, done: () => answer(200, outcome.body) };
          this.#device.submit(onDevice);
        },
      };
      this.#pool.submit(job);
    });
  }

  #authorized(header: string | undefined): boolean {
    const expected = this.#expectedAuthorization;
    if (expected === undefined) return true;
    if (header === undefined) return false;
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string): void {
    const sized = { ...headers, 'content-length': Buffer.byteLength(body) };
    // While closing, tell keep-alive clients not to reuse the connection.
    if (this.#closing !== undefined) sized.connection = 'close';
    res.writeHead(status, sized).end(body);
  }
}

function errorBody(message: string): string {
  return JSON.stringify({ error: message });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const reasons: Record<string, string> = {
    EADDRINUSE: 'the port is already in use',
    EACCES: 'permission denied (ports below 1024 need privileges)',
    EADDRNOTAVAIL: 'the address is not on this machine',
    ENOTFOUND: 'the host name does not resolve',
  };
  const reason = error.code === undefined ? undefined : reasons[error.code];
  return reason === undefined ? error : new SettingsError(`cannot listen on ${host}:${port}: ${reason}`);
}

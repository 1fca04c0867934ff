import { AzureError } from './azure-error.js';
import { AML_SCORING_SCOPE, type AzureAccessToken, type TokenSource } from './credentials.js';
import type { EndpointAuthMode, OnlineEndpointClient } from './online-endpoint.js';

/** A clock and timers, injected so refresh scheduling is tested without waiting. */
export interface RefreshClock {
  now(): number;
  setTimeout(action: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: RefreshClock = {
  now: () => Date.now(),
  setTimeout: (action, ms) => setTimeout(action, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Node timers hold at most 2^31-1 ms. */
const MAX_TIMER_MS = 2_147_483_647;
/** Without a refresh time from the issuer, renew this long before expiry (or halfway, for short-lived tokens). */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;
/** A failed refresh is tried again this often, while the current token still works. */
const RETRY_MS = 30_000;

/**
 * The Authorization header for scoring an online endpoint, by its auth mode: the endpoint's primary
 * key (listKeys), an Azure ML token (POST .../token, renewed before its refreshAfterTimeUtc), or an
 * Entra token for https://ml.azure.com. Tokens are renewed in the background while a run lasts.
 */
export interface ScoringCredential {
  readonly authMode: EndpointAuthMode;
  /** The header value in force: "Bearer <key or token>". Never print it. */
  header(): string;
  /** When the value in force stops working (epoch ms); Infinity for keys. */
  expiresOnMs(): number;
  /**
   * Renews the token before it expires, handing each new header value to `onRefresh`; a refresh that
   * fails is retried while the old token works, and each failure is told to `onError` in one line.
   */
  keepFresh(onRefresh: (header: string) => void, onError: (reason: string) => void): void;
  stop(): void;
  /** Every secret handed out so far (keys and tokens), so outputs can be checked and scrubbed. */
  secrets(): readonly string[];
}

/** Fetches the scoring credential of `authMode` once; keepFresh renews tokens from then on. */
export async function scoringCredential(
  authMode: EndpointAuthMode,
  endpoint: OnlineEndpointClient,
  tokens: TokenSource,
  clock: RefreshClock = REAL_CLOCK,
): Promise<ScoringCredential> {
  switch (authMode) {
    case 'Key': {
      const keys = await endpoint.listKeys();
      const key = keys.primaryKey || keys.secondaryKey;
      if (!key) throw new AzureError(`listKeys returned no key for endpoint "${endpoint.names.endpoint}"`, 'bad_response');
      return new RefreshingCredential(authMode, { token: key, expiresOnMs: Number.POSITIVE_INFINITY }, undefined, clock);
    }
    case 'AMLToken': {
      const fetchToken = (): Promise<AzureAccessToken> => endpoint.token().then((answer) => amlToken(answer, endpoint.names.endpoint));
      return new RefreshingCredential(authMode, await fetchToken(), fetchToken, clock);
    }
    case 'AADToken': {
      const fetchToken = (): Promise<AzureAccessToken> => tokens.getToken(AML_SCORING_SCOPE);
      return new RefreshingCredential(authMode, await fetchToken(), fetchToken, clock);
    }
  }
}

function amlToken(answer: { accessToken?: string | null; expiryTimeUtc?: number; refreshAfterTimeUtc?: number }, endpoint: string): AzureAccessToken {
  if (!answer.accessToken) throw new AzureError(`the token call for endpoint "${endpoint}" returned no accessToken`, 'bad_response');
  const expiresOnMs = answer.expiryTimeUtc ? answer.expiryTimeUtc * 1000 : Number.POSITIVE_INFINITY;
  return {
    token: answer.accessToken,
    expiresOnMs,
    ...(answer.refreshAfterTimeUtc ? { refreshAfterMs: answer.refreshAfterTimeUtc * 1000 } : {}),
  };
}

class RefreshingCredential implements ScoringCredential {
  private current: AzureAccessToken;
  private readonly handedOut: string[] = [];
  private timer: unknown;
  private stopped = false;

  constructor(
    readonly authMode: EndpointAuthMode,
    first: AzureAccessToken,
    private readonly fetchToken: (() => Promise<AzureAccessToken>) | undefined,
    private readonly clock: RefreshClock,
  ) {
    this.current = first;
    this.handedOut.push(first.token);
  }

  header(): string {
    return `Bearer ${this.current.token}`;
  }

  expiresOnMs(): number {
    return this.current.expiresOnMs;
  }

  secrets(): readonly string[] {
    return this.handedOut;
  }

  keepFresh(onRefresh: (header: string) => void, onError: (reason: string) => void): void {
    if (!this.fetchToken || !Number.isFinite(this.current.expiresOnMs)) return;
    this.schedule(this.renewAt(this.current), onRefresh, onError);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  /** The issuer's refresh time when it gives one, else 5 minutes before expiry, else halfway to it. */
  private renewAt(token: AzureAccessToken): number {
    const now = this.clock.now();
    if (token.refreshAfterMs !== undefined && token.refreshAfterMs > now && token.refreshAfterMs < token.expiresOnMs) return token.refreshAfterMs;
    const early = token.expiresOnMs - RENEW_BEFORE_EXPIRY_MS;
    return early > now ? early : now + Math.max(0, (token.expiresOnMs - now) / 2);
  }

  private schedule(atMs: number, onRefresh: (header: string) => void, onError: (reason: string) => void): void {
    if (this.stopped) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, atMs - this.clock.now()));
    this.timer = this.clock.setTimeout(() => void this.renew(onRefresh, onError), wait);
  }

  private async renew(onRefresh: (header: string) => void, onError: (reason: string) => void): Promise<void> {
    if (this.stopped) return;
    try {
      const next = await this.fetchToken!();
      if (this.stopped) return;
      this.current = next;
      this.handedOut.push(next.token);
      onRefresh(this.header());
      this.schedule(this.renewAt(next), onRefresh, onError);
    } catch (error) {
      if (this.stopped) return;
      const left = this.current.expiresOnMs - this.clock.now();
      const reason = error instanceof Error ? error.message : String(error);
      if (left <= 0) {
        onError(`the ${this.authMode} scoring token expired and could not be renewed (${reason}); requests from now on are refused`);
        return;
      }
      onError(`renewing the ${this.authMode} scoring token failed (${reason}); retrying, ${Math.round(left / 1000)} s before it expires`);
      this.schedule(this.clock.now() + Math.min(RETRY_MS, left / 2), onRefresh, onError);
    }
  }
}

import type { TokenCredential } from '@azure/identity';
import { AzureError } from './azure-error.js';

/** A bearer token and when it stops working (epoch ms); refreshAfterMs when the issuer says when to renew. */
export interface AzureAccessToken {
  token: string;
  expiresOnMs: number;
  refreshAfterMs?: number;
}

/** Gives Entra (Azure AD) tokens for a scope such as https://management.azure.com/.default. */
export interface TokenSource {
  /** Where tokens come from, for messages: never the token itself. */
  readonly description: string;
  getToken(scope: string): Promise<AzureAccessToken>;
}

/** The audience of Azure ML online endpoints that use Entra tokens (auth mode AADToken). */
export const AML_SCORING_SCOPE = 'https://ml.azure.com/.default';

/**
 * The seed's credential rules: IDENTITY_ACCESS_TOKEN, when set, is the token for Azure Resource
 * Manager (`armScope`); any other scope (the ml.azure.com audience of an AADToken endpoint), and
 * every scope when it is unset, comes from @azure/identity's DefaultAzureCredential: environment
 * service principal (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), workload identity,
 * managed identity (on Azure ML compute: MSI_ENDPOINT/MSI_SECRET), Azure CLI (`az login`), and the
 * rest of its chain; AZURE_TOKEN_CREDENTIALS narrows it, as in every Azure SDK.
 */
export function credentialFromEnvironment(env: NodeJS.ProcessEnv, armScope: string, nowMs: () => number = Date.now): TokenSource {
  const chain = new IdentityChain();
  const given = env['IDENTITY_ACCESS_TOKEN']?.trim();
  if (!given) return chain;
  const expiresOnMs = jwtExpiryMs(given) ?? Number.POSITIVE_INFINITY;
  return {
    description: 'IDENTITY_ACCESS_TOKEN',
    async getToken(scope) {
      if (scope !== armScope) return chain.getToken(scope);
      if (expiresOnMs <= nowMs()) {
        throw new AzureError(
          `IDENTITY_ACCESS_TOKEN expired at ${new Date(expiresOnMs).toISOString()}: get a fresh one (az account get-access-token --query accessToken -o tsv), or unset it and let the compute's identity sign in`,
          'unauthorized',
        );
      }
      return { token: given, expiresOnMs };
    },
  };
}

/** DefaultAzureCredential, loaded on first use so runs that never touch Azure do not pay for it. */
class IdentityChain implements TokenSource {
  readonly description = 'the Azure credential chain (environment, workload identity, managed identity, Azure CLI)';
  private credential: Promise<TokenCredential> | undefined;

  async getToken(scope: string): Promise<AzureAccessToken> {
    this.credential ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
    let token;
    try {
      token = await (await this.credential).getToken(scope);
    } catch (error) {
      throw new AzureError(`no Azure credential for ${scope}: ${oneLine(error)}. ${SIGN_IN_HELP}`, 'no_credential');
    }
    if (!token) throw new AzureError(`no Azure credential for ${scope}. ${SIGN_IN_HELP}`, 'no_credential');
    return {
      token: token.token,
      expiresOnMs: token.expiresOnTimestamp,
      ...(token.refreshAfterTimestamp ? { refreshAfterMs: token.refreshAfterTimestamp } : {}),
    };
  }
}

const SIGN_IN_HELP =
  'Set IDENTITY_ACCESS_TOKEN, sign in with az login, run on Azure compute with a managed identity, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET';

/** The first line of an error, bounded, with anything that looks like a JWT cut out. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<token>').slice(0, 300);
}

/** A JWT's `exp` claim as epoch ms; undefined when the token is not a JWT (Entra tokens are). */
export function jwtExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

import type { TlsVerification } from '../record/result.js';
import type { Settings } from '../settings/settings.js';
import { endpointOf } from '../target/http-request.js';
import { checkReachable } from './preflight.js';

/** How the builtin engine checks a TLS peer: on every connection it opens (Node's TLS, host name included). */
export function builtinTlsVerification(settings: Pick<Settings, 'url' | 'insecure'>): TlsVerification | undefined {
  if (settings.url.protocol !== 'https:') return undefined;
  if (settings.insecure) return { verified: false, by: '--insecure accepts any certificate' };
  return { verified: true, by: 'modelprof, on every connection (certificate chain and host name)' };
}

/**
 * Before an external program gets an https target: wrk and wrk2 never verify a certificate, so
 * modelprof opens one connection itself and verifies the chain and host name, refusing (a
 * TargetError, exit 4) a peer it cannot trust unless --insecure; LaBench verifies every connection
 * on its own as well (and refuses --insecure). Says who verified what, for the report.
 */
export async function verifyTlsForProgram(settings: Settings, program: { name: string; verifies: boolean }): Promise<TlsVerification | undefined> {
  if (settings.url.protocol !== 'https:') return undefined;
  if (settings.insecure) return { verified: false, by: `--insecure accepts any certificate${program.verifies ? '' : `, and ${program.name} never verifies one`}` };
  await checkReachable(endpointOf(settings.url), Math.min(settings.timeoutSec * 1000, 10_000), true);
  const own = program.verifies ? `; ${program.name} verified it on every connection` : `; ${program.name} itself verifies no certificate`;
  return { verified: true, by: `modelprof, once before the load (certificate chain and host name)${own}` };
}

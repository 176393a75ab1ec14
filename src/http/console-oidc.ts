// OIDC sign-in for the console (authorization code with PKCE, run in the browser by
// oauth4webapi). The gateway only tells the console where to go: the issuer (its
// discovery document names the endpoints), the console's public client id and the
// scope. The tokens the console gets are verified by the API like any OIDC bearer token
// (src/auth/oidc.ts): same issuer, audience and roles claim.
import { AuthError } from '../auth/errors.js';

export interface ConsoleOidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
}

/**
 * The console's OIDC settings: null unless both DSR_OIDC_ISSUER (the API's OIDC) and
 * DSR_OIDC_CONSOLE_CLIENT_ID are set. DSR_OIDC_CONSOLE_SCOPE defaults to "openid".
 */
export function consoleOidcFromEnv(env: Record<string, string | undefined>): ConsoleOidcSettings | null {
  const issuer = env.DSR_OIDC_ISSUER;
  const clientId = env.DSR_OIDC_CONSOLE_CLIENT_ID;
  if (!issuer || !clientId) return null;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new AuthError('CONFIG_ERROR', 'DSR_OIDC_ISSUER must be a URL');
  }
  if (url.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new AuthError('CONFIG_ERROR', 'DSR_OIDC_ISSUER must be https (http only on the loopback, for development)');
  }
  return { issuer, clientId, scope: env.DSR_OIDC_CONSOLE_SCOPE || 'openid' };
}

/** The origin the console's page may call besides its own (discovery and token endpoints). */
export function oidcOrigin(settings: ConsoleOidcSettings | null): string | null {
  return settings ? new URL(settings.issuer).origin : null;
}

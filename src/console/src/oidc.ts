// OIDC sign-in: authorization code with PKCE (RFC 7636), done by oauth4webapi. The
// gateway says where to go (/console/oidc.json); the provider sends the browser back to
// /console/ with a one-time code, exchanged here for an access token that the API
// verifies like any OIDC bearer token. The PKCE verifier and state live in this tab's
// sessionStorage between the two halves and are dropped as soon as they are used.
import * as oauth from 'oauth4webapi';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
}

const PENDING = 'dsr-console-oidc';
const redirectUri = () => `${window.location.origin}/console/`;

/** The gateway's OIDC settings, or null when the console signs in with API keys only. */
export async function oidcSettings(): Promise<OidcSettings | null> {
  const res = await fetch('/console/oidc.json', { headers: { accept: 'application/json' } });
  return res.ok ? ((await res.json()) as OidcSettings) : null;
}

/** http issuers are accepted on the loopback only (the gateway refuses others at start). */
function requestOptions(issuer: URL) {
  return { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
}

async function server(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  const response = await oauth.discoveryRequest(issuer, requestOptions(issuer));
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Sends the browser to the provider, with a fresh PKCE challenge and state. */
export async function startOidcSignIn(settings: OidcSettings): Promise<void> {
  const as = await server(settings);
  if (!as.authorization_endpoint) throw new Error('The OIDC provider names no authorization endpoint');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', settings.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  window.location.assign(url.href);
}

/**
 * The provider's answer when the address is one (a state with a code or an error), taken out
 * of the address at once, before anything is asked of the network: a one-time code, or an
 * error whose description may name the user, must not stay in the address bar or the tab's
 * back and forward list whatever happens next (no settings, no sign-in started in this tab). Null otherwise.
 */
export function takeOidcReturn(): URL | null {
  const current = new URL(window.location.href);
  const params = current.searchParams;
  if (!params.has('state') || !(params.has('code') || params.has('error'))) return null;
  window.history.replaceState(null, '', '/console/');
  return current;
}

/**
 * Finishes the sign-in from the provider's answer: checks the state, exchanges the code with
 * the PKCE verifier and returns the access token.
 */
export async function finishOidcSignIn(settings: OidcSettings, current: URL): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? '{}') as { verifier?: string; state?: string };
  sessionStorage.removeItem(PENDING);
  if (!pending.verifier || !pending.state) throw new Error('No OIDC sign-in was started in this tab');
  const as = await server(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(as, client, current, pending.state);
  const issuer = new URL(settings.issuer);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.verifier, requestOptions(issuer));
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  return result.access_token;
}

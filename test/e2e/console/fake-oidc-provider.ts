// A minimal OIDC provider for the console's browser test: discovery, an authorization
// endpoint that signs the user in at once, a token endpoint that insists on PKCE (S256),
// and the JWKS the gateway verifies the access token with. Test-only, on the loopback.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface FakeOidcProvider {
  issuer: string;
  audience: string;
  clientId: string;
  /** Code exchanges whose code_verifier matched the S256 challenge of the authorization request. */
  pkceVerified: number;
  /** Code exchanges refused (no or wrong verifier, unknown code). */
  refused: number;
  close(): Promise<void>;
}

export async function startFakeOidcProvider(user: { sub: string; roles: string[]; controllers?: string | string[] }): Promise<FakeOidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const state = { pkceVerified: 0, refused: 0 };
  const audience = 'dsr-gateway';
  const clientId = 'dsr-console';
  let issuer = '';

  const sign = (claims: Record<string, unknown>, aud: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(issuer)
      .setAudience(aud)
      .setSubject(user.sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    // The console calls discovery and the token endpoint from its own origin.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge'))
        return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('base64url');
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      return void res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        void (async () => {
          const form = new URLSearchParams(body);
          const pending = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          if (!pending || !verifier || challenge !== pending.challenge || form.get('redirect_uri') !== pending.redirectUri) {
            state.refused++;
            return json(400, { error: 'invalid_grant' });
          }
          state.pkceVerified++;
          json(200, {
            access_token: await sign({ roles: user.roles, ...(user.controllers !== undefined ? { controllers: user.controllers } : {}) }, audience),
            id_token: await sign({}, clientId),
            token_type: 'Bearer',
            expires_in: 300,
          });
        })();
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    audience,
    clientId,
    get pkceVerified() {
      return state.pkceVerified;
    },
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// The console's OIDC settings: offered only when the API's OIDC and a console client id
// are both configured, and never over plain http off the loopback.
import { describe, expect, it } from 'vitest';
import { consoleOidcFromEnv, oidcOrigin } from '../../../src/http/console-oidc.js';
import { consoleContentSecurityPolicy } from '../../../src/http/console-route.js';

describe('console OIDC settings', () => {
  it('are absent unless both DSR_OIDC_ISSUER and DSR_OIDC_CONSOLE_CLIENT_ID are set', () => {
    expect(consoleOidcFromEnv({ DSR_OIDC_ISSUER: 'https://id.example.org' })).toBeNull();
    expect(consoleOidcFromEnv({ DSR_OIDC_CONSOLE_CLIENT_ID: 'console' })).toBeNull();
    expect(consoleOidcFromEnv({ DSR_OIDC_ISSUER: 'https://id.example.org/realms/x', DSR_OIDC_CONSOLE_CLIENT_ID: 'console' })).toEqual({
      issuer: 'https://id.example.org/realms/x',
      clientId: 'console',
      scope: 'openid',
    });
  });

  it('refuse an http issuer except on the loopback, with CONFIG_ERROR', () => {
    expect(() => consoleOidcFromEnv({ DSR_OIDC_ISSUER: 'http://id.example.org', DSR_OIDC_CONSOLE_CLIENT_ID: 'c' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
    expect(consoleOidcFromEnv({ DSR_OIDC_ISSUER: 'http://127.0.0.1:8080', DSR_OIDC_CONSOLE_CLIENT_ID: 'c' })?.issuer).toBe('http://127.0.0.1:8080');
  });

  it('let the page connect to the provider’s origin only', () => {
    const settings = consoleOidcFromEnv({ DSR_OIDC_ISSUER: 'https://id.example.org/realms/x', DSR_OIDC_CONSOLE_CLIENT_ID: 'c' });
    expect(consoleContentSecurityPolicy(null, oidcOrigin(settings))).toContain("connect-src 'self' https://id.example.org;");
    expect(consoleContentSecurityPolicy(null, oidcOrigin(null))).toContain("connect-src 'self';");
  });
});

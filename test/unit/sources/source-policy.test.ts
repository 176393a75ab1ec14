// The pure decisions of the source policy: which variables a registration may name, and
// which addresses it may reach (docs/security.md, "Trust boundaries").
import { describe, expect, it } from 'vitest';
import { destinationRefusal, guardedLookup, parseDestinationRules, secretNameAllowed, type SourcePolicy } from '../../../src/sources/source-policy.js';

const policy = (overrides: Partial<SourcePolicy> = {}): SourcePolicy => ({
  secretPrefix: 'DSR_SOURCE_SECRET_',
  secretAllow: new Set(['CRM_PASSWORD', 'DATABASE_URL', 'DSR_ENCRYPTION_KEYS']),
  destinations: null,
  allowLoopback: false,
  lookup: async (host) =>
    ({ 'crm.example.com': ['93.184.216.34'], 'rebound.example.com': ['10.0.0.7'], 'mixed.example.com': ['93.184.216.34', '127.0.0.1'] })[host] ?? [],
  ...overrides,
});
const at = (host: string, port = 5432) => ({ field: 'connection.url', host, port });

describe('secret names', () => {
  it("allows the source prefix and the operator's list, never the gateway's own variables", () => {
    const p = policy();
    expect(secretNameAllowed('DSR_SOURCE_SECRET_CRM', p)).toBe(true);
    expect(secretNameAllowed('CRM_PASSWORD', p)).toBe(true);
    for (const name of [
      'DATABASE_URL',
      'DSR_ENCRYPTION_KEYS',
      'DSR_TOMBSTONE_KEYS',
      'DSR_BOOTSTRAP_ADMIN_KEY',
      'REDIS_URL',
      'DSR_OIDC_ISSUER',
      'PGPASSWORD',
      'HOME',
      'OTHER_SECRET',
    ]) {
      expect(secretNameAllowed(name, p), name).toBe(false);
    }
  });
});

describe('destinations', () => {
  it('without configuration: public addresses only; loopback only outside production', async () => {
    expect(await destinationRefusal(at('crm.example.com'), policy())).toBeNull();
    expect(await destinationRefusal(at('93.184.216.34'), policy())).toBeNull();
    for (const host of [
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      'rebound.example.com',
      'mixed.example.com',
      'unknown.example.com',
    ]) {
      expect(await destinationRefusal(at(host), policy()), host).not.toBeNull();
    }
    expect(await destinationRefusal(at('127.0.0.1'), policy({ allowLoopback: true }))).toBeNull();
    expect(await destinationRefusal(at('10.1.2.3'), policy({ allowLoopback: true }))).not.toBeNull();
  });

  it('with SOURCE_ALLOWED_HOSTS: only the listed hosts, addresses and networks (and ports)', async () => {
    const p = policy({ destinations: parseDestinationRules('crm.internal, 10.1.0.0/16:5432, [::1]:8080, 192.0.2.10') });
    expect(await destinationRefusal(at('crm.internal'), p)).toBeNull();
    expect(await destinationRefusal(at('10.1.200.3', 5432), p)).toBeNull();
    expect(await destinationRefusal(at('10.1.200.3', 6379), p)).not.toBeNull();
    expect(await destinationRefusal(at('::1', 8080), p)).toBeNull();
    expect(await destinationRefusal(at('192.0.2.10', 1), p)).toBeNull();
    expect(await destinationRefusal(at('crm.example.com'), p)).not.toBeNull();
    expect(await destinationRefusal(at('127.0.0.1'), { ...p, allowLoopback: true })).not.toBeNull();
    expect(() => parseDestinationRules('10.0.0.0/99')).toThrow(/SOURCE_ALLOWED_HOSTS/);
    expect(() => parseDestinationRules('not a host!')).toThrow(/SOURCE_ALLOWED_HOSTS/);
  });

  it("an allowed host name is trusted for its own addresses, not for the gateway's host or the cloud's metadata service its DNS may point at", async () => {
    const resolvingTo = (addresses: string[], overrides: Partial<SourcePolicy> = {}) =>
      policy({ destinations: parseDestinationRules('connector.team.example'), lookup: async () => addresses, ...overrides });
    const named = at('connector.team.example', 443);
    expect(await destinationRefusal(named, resolvingTo(['10.0.0.7']))).toBeNull();
    expect(await destinationRefusal(named, resolvingTo(['93.184.216.34']))).toBeNull();
    for (const address of ['169.254.169.254', 'fe80::1', '127.0.0.1', '::1', '::ffff:127.0.0.1', '0.0.0.0', '::', '224.0.0.1']) {
      expect(await destinationRefusal(named, resolvingTo([address])), address).toMatch(/connector\.team\.example resolves to/);
      expect(await destinationRefusal(named, resolvingTo(['10.0.0.7', address])), address).not.toBeNull();
    }
    // Loopback where loopback is allowed (development), or when the operator lists the address itself.
    expect(await destinationRefusal(named, resolvingTo(['127.0.0.1'], { allowLoopback: true }))).toBeNull();
    const listed = parseDestinationRules('connector.team.example, 169.254.10.10:443');
    expect(await destinationRefusal(named, resolvingTo(['169.254.10.10'], { destinations: listed }))).toBeNull();
    // A listed name that does not resolve now is checked again when a socket connects.
    expect(await destinationRefusal(named, resolvingTo([]))).toBeNull();
  });
});

describe('connect-time resolution (DNS rebinding)', () => {
  const resolveWith = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<unknown>((resolve, reject) =>
      (lookup as unknown as (h: string, o: object, cb: (e: Error | null, a?: unknown) => void) => void)('localhost', { all }, (e, a) =>
        e ? reject(e) : resolve(a),
      ),
    );

  it('hands a socket only addresses the policy allows, whatever the name resolves to now', async () => {
    await expect(resolveWith(guardedLookup(policy({ lookup: undefined }), 5432), false)).rejects.toThrow(/no allowed destination/);
    const loopback = guardedLookup(policy({ lookup: undefined, allowLoopback: true }), 5432);
    expect(await resolveWith(loopback, false)).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await resolveWith(loopback, true)).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) })]),
    );
  });

  it('a listed name rebound to loopback gets no socket in production', async () => {
    const listed = policy({ lookup: undefined, destinations: parseDestinationRules('localhost') });
    await expect(resolveWith(guardedLookup(listed, 5432), false)).rejects.toThrow(/no allowed destination/);
  });
});

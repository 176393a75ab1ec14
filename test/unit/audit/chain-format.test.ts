import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryHash, paramsDigest } from '../../../src/audit/chain.js';
import { canonicalJson } from '../../../src/audit/canonical-json.js';
import { HmacKeyring } from '../../../src/crypto/hmac-keyring.js';

// The hash layout is stored in every audit entry: a change of layout (version tag, field
// order, encoding) would make every existing log fail verification. Fixed vectors pin it.
const entry = {
  seq: '1',
  id: 'e-1',
  at: new Date('2026-01-01T00:00:00.000Z'),
  actorId: 'user-1',
  actorKind: 'USER',
  action: 'REQUEST_CREATED',
  targetType: 'request',
  targetId: 'r-1',
  paramsDigest: 'sha256:00',
  outcome: 'SUCCESS',
  controllerId: null,
};

describe('audit chain format', () => {
  it('an entry hash is SHA-256 of the previous hash and the versioned canonical fields (fixed vector)', () => {
    const hash = entryHash(GENESIS_HASH, entry);
    expect(hash).toBe('7283093ba4dc8b8fc2e1d883500cc947c0474546e64ccc9e6e53e9f6e39681bf');
    const fields = ['audit-v1', '1', 'e-1', '2026-01-01T00:00:00.000Z', 'user-1', 'USER', 'REQUEST_CREATED', 'request', 'r-1', 'sha256:00', 'SUCCESS', null];
    expect(hash).toBe(
      createHash('sha256')
        .update(GENESIS_HASH + canonicalJson(fields))
        .digest('hex'),
    );
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('a parameter digest without a key is sha256 over the canonical JSON; absent parameters digest as null', () => {
    expect(paramsDigest({ b: 1, a: 'x' })).toBe('sha256:cdab067e9f3beb32d1252cfd63e492592fecbf591b0d08cadb24bb17f3864246');
    expect(paramsDigest({ a: 'x', b: 1 })).toBe(paramsDigest({ b: 1, a: 'x' }));
    // sha256("null")
    expect(paramsDigest(undefined)).toBe('sha256:74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b');
    expect(paramsDigest(null)).toBe(paramsDigest(undefined));
  });

  it('with a keyring the parameter digest is an HMAC naming its key, so guessable personal data cannot be brute-forced', () => {
    const keyring = new HmacKeyring([{ kid: 'k1', key: Buffer.alloc(32, 7) }]);
    expect(paramsDigest({ b: 1, a: 'x' }, keyring)).toBe('hmac:k1:C3BeALD8ZElAk1JLAMO64i8vzfA-MqjuSqJ1ZXQYG9U');
  });
});

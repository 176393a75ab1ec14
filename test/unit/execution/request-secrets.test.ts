import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EncryptionKeyring } from '../../../src/crypto/encryption-keyring.js';
import { openCorrections, openIdentifiers } from '../../../src/execution/request-secrets.js';
import { BLIND_INDEX_PURPOSE, RequestSecrets } from '../../../src/requests/services/request-secrets.js';
import { HmacKeyring } from '../../../src/crypto/hmac-keyring.js';
import { IdentifierType } from '../../../src/domain/vocabulary.js';

// A request's identifiers and corrections are sealed bound to the request's id: an
// envelope moved to another row, or written without that binding, is not opened.
describe('sealed parts of a request, as workers open them', () => {
  const keyring = new EncryptionKeyring([{ kid: 'k1', key: randomBytes(32) }]);
  const secrets = new RequestSecrets(keyring, new HmacKeyring([{ kid: 'h1', key: randomBytes(32) }]));
  const identifiers = [{ type: 'EMAIL', value: 'ada@example.org' }];

  it('opens what the request service sealed for the same request', () => {
    expect(openIdentifiers(keyring, { id: 'r1', identifiers_sealed: secrets.seal('r1', identifiers) })).toEqual(identifiers);
    const corrections = [{ field: 'email', value: 'ada@example.com' }];
    expect(openCorrections(keyring, { id: 'r1', corrections_sealed: secrets.seal('r1', corrections) })).toEqual(corrections);
  });

  it("refuses another request's envelope and one sealed without the request's binding", () => {
    expect(() => openIdentifiers(keyring, { id: 'r2', identifiers_sealed: secrets.seal('r1', identifiers) })).toThrow();
    const unbound = keyring.encrypt(JSON.stringify(identifiers));
    expect(() => openIdentifiers(keyring, { id: 'r1', identifiers_sealed: unbound })).toThrow();
    expect(() => openCorrections(keyring, { id: 'r1', corrections_sealed: unbound })).toThrow();
  });
});

// Blind indexes stored before values were put in one Unicode form hold the hash of the form
// the value had then: a duplicate or a search by the same value must still find them.
describe('blind-index look-ups across the Unicode step', () => {
  const hmac = new HmacKeyring([{ kid: 'h1', key: randomBytes(32) }]);
  const secrets = new RequestSecrets(new EncryptionKeyring([{ kid: 'k1', key: randomBytes(32) }]), hmac);
  const storedBefore = `EMAIL.h1.${hmac.keyedHash(null, 'EMAIL\u0000ine\u0301s@example.org', BLIND_INDEX_PURPOSE).hash}`;

  it('a look-up finds the entry written before; a new entry is in the current form only', () => {
    const given = [{ type: IdentifierType.EMAIL, value: 'Ine\u0301s@example.org' }];
    expect(secrets.blindIndex(given, true)).toContain(storedBefore);
    expect(secrets.blindIndex(given)).not.toContain(storedBefore);
    expect(secrets.blindIndex(given)).toHaveLength(1);
  });
});

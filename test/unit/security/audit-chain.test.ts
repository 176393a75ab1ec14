import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/audit/canonical-json.js';
import { GENESIS_HASH, entryHash, paramsDigest, type ChainedFields } from '../../../src/audit/chain.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: null }], c: 'é' } })).toBe('{"a":{"c":"é","d":[1,{"x":null,"z":1}]},"b":1}');
  });

  it('does not depend on key insertion order, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const reversed = JSON.parse(JSON.stringify(value), (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        expect(canonicalJson(reversed)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes Dates as ISO strings and bigints as strings; refuses what JSON cannot hold', () => {
    expect(canonicalJson({ at: new Date('2025-01-02T03:04:05.006Z'), n: 10n })).toBe('{"at":"2025-01-02T03:04:05.006Z","n":"10"}');
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });
});

describe('hash chain', () => {
  const fields: ChainedFields = {
    seq: '1',
    id: '3f1c1f8e-0000-4000-8000-000000000001',
    at: new Date('2025-05-01T10:00:00.000Z'),
    actorId: 'k1',
    actorKind: 'api-key',
    action: 'discovery.run',
    targetType: 'subject',
    targetId: null,
    paramsDigest: paramsDigest({ email: 'a@b.c' }),
    outcome: 'SUCCESS',
    controllerId: null,
  };

  it('depends on the previous hash and on every field', () => {
    const base = entryHash(GENESIS_HASH, fields);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash('1'.repeat(64), fields)).not.toBe(base);
    const variants: Partial<ChainedFields>[] = [
      { seq: '2' },
      { id: '3f1c1f8e-0000-4000-8000-000000000002' },
      { at: new Date('2025-05-01T10:00:00.001Z') },
      { actorId: 'k2' },
      { actorKind: 'oidc' },
      { action: 'request.export' },
      { targetType: 'request' },
      { targetId: 'r1' },
      { paramsDigest: paramsDigest({ email: 'a@b.d' }) },
      { outcome: 'DENIED' },
      { controllerId: 'A' },
    ];
    for (const v of variants) expect(entryHash(GENESIS_HASH, { ...fields, ...v }), JSON.stringify(v)).not.toBe(base);
  });

  it('null and the string "null" hash differently (no ambiguity between fields)', () => {
    expect(entryHash(GENESIS_HASH, { ...fields, targetId: 'null' })).not.toBe(entryHash(GENESIS_HASH, fields));
  });

  it('digests parameters canonically, without containing them', () => {
    const d = paramsDigest({ email: 'person@example.org', types: ['EMAIL'] });
    expect(d).toBe(paramsDigest({ types: ['EMAIL'], email: 'person@example.org' }));
    expect(d).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(d).not.toContain('example');
  });
});

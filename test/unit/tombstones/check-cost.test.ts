import { describe, expect, it } from 'vitest';
import { InMemoryTokenBucket } from '../../../src/auth/index.js';
import { maxIdentifiersPerCheck, MAX_IDENTIFIERS_PER_CHECK, tombstoneCheckCost } from '../../../src/tombstones/tombstone-check.js';

describe('what a tombstone check costs (docs/security.md, "Limits")', () => {
  it('one token per identifiers-per-token begun, at least one, the call itself included', () => {
    expect([0, 1, 10, 11, 100, 600, 999, 1000].map((n) => tombstoneCheckCost(n, 10))).toEqual([1, 1, 1, 2, 10, 60, 100, 100]);
    expect(tombstoneCheckCost(1000, 1000)).toBe(1);
    expect(tombstoneCheckCost(7, 1)).toBe(7);
  });

  it('a check may carry no more identifiers than a full bucket pays for, and never more than 1,000', () => {
    const budget = (perMinute: number, identifiersPerToken: number) => ({ limiter: new InMemoryTokenBucket({ perMinute }), key: 'k', identifiersPerToken });
    expect(maxIdentifiersPerCheck(budget(600, 10))).toBe(MAX_IDENTIFIERS_PER_CHECK);
    expect(maxIdentifiersPerCheck(budget(30, 10))).toBe(300);
    expect(maxIdentifiersPerCheck(budget(3, 10))).toBe(30);
    expect(maxIdentifiersPerCheck()).toBe(MAX_IDENTIFIERS_PER_CHECK);
  });
});

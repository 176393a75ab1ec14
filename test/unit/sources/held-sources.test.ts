import { describe, expect, it } from 'vitest';
import { heldSourceCode } from '../../../src/sources/held-sources.js';
import { SourceStatus, type DeclaredSource } from '../../../src/sources/source.entity.js';

const declared = (approvedBefore?: true) =>
  ({ identifierTypes: [], capabilities: [], description: {}, ...(approvedBefore ? { approvedBefore } : {}) }) as unknown as DeclaredSource;

describe('heldSourceCode (R1)', () => {
  it('names a disabled source, and one waiting for approval again after having been ACTIVE', () => {
    expect(heldSourceCode({ status: SourceStatus.DISABLED, declared: declared() })).toBe('SOURCE_DISABLED');
    expect(heldSourceCode({ status: SourceStatus.DISABLED, declared: null })).toBe('SOURCE_DISABLED');
    expect(heldSourceCode({ status: SourceStatus.PENDING_APPROVAL, declared: declared(true) })).toBe('SOURCE_PENDING_APPROVAL');
  });

  it('does not count an ACTIVE source, a registration never approved, or a removed source', () => {
    expect(heldSourceCode({ status: SourceStatus.ACTIVE, declared: declared(true) })).toBeNull();
    expect(heldSourceCode({ status: SourceStatus.PENDING_APPROVAL, declared: declared() })).toBeNull();
    expect(heldSourceCode({ status: SourceStatus.PENDING_APPROVAL, declared: null })).toBeNull();
    expect(heldSourceCode({ status: SourceStatus.REMOVED, declared: declared(true) })).toBeNull();
  });
});

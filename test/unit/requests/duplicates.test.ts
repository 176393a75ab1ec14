import { describe, expect, it } from 'vitest';
import { IdentifierType, RequestStatus, RequestType } from '../../../src/domain/vocabulary.js';
import { findPossibleDuplicates } from '../../../src/requests/duplicates.js';

const email = (index: string) => ({ type: IdentifierType.EMAIL, index });
const name = (index: string) => ({ type: IdentifierType.FULL_NAME, index });
const dob = (index: string) => ({ type: IdentifierType.DATE_OF_BIRTH, index });

describe('duplicate requests', () => {
  const candidate = { requestId: 'new', type: RequestType.ERASURE, indexes: [email('e1'), name('n1'), dob('d1')] };
  const existing = [
    { requestId: 'r-email', type: RequestType.ERASURE, status: RequestStatus.IN_REVIEW, indexes: [email('e1')] },
    { requestId: 'r-name', type: RequestType.ACCESS, indexes: [name('n1')] },
    { requestId: 'r-name-dob', type: RequestType.ACCESS, indexes: [name('n1'), dob('d1')] },
    { requestId: 'r-none', indexes: [email('e2')] },
    { requestId: 'new', indexes: [email('e1')] },
  ];

  it('reports requests sharing a blind index, strongest first, without merging them', () => {
    const found = findPossibleDuplicates(candidate, existing);
    expect(found.map((f) => [f.requestId, f.strength, f.shared, f.sameType])).toEqual([
      ['r-name-dob', 'STRONG', ['d1', 'n1'], false],
      ['r-email', 'STRONG', ['e1'], true],
      ['r-name', 'WEAK', ['n1'], false],
    ]);
    expect(found[1]!.status).toBe(RequestStatus.IN_REVIEW);
    expect(existing).toHaveLength(5); // inputs untouched
  });

  it('can leave out weak matches; untyped indexes count as strong', () => {
    expect(findPossibleDuplicates(candidate, existing, { includeWeak: false }).map((f) => f.requestId)).toEqual(['r-name-dob', 'r-email']);
    const untyped = findPossibleDuplicates({ requestId: 'x', indexes: ['k1', 'k2'] }, [{ requestId: 'y', indexes: ['k2', 'k3'] }]);
    expect(untyped).toEqual([{ requestId: 'y', shared: ['k2'], sameType: false, strength: 'STRONG' }]);
    expect(findPossibleDuplicates({ requestId: 'x', indexes: [] }, existing)).toEqual([]);
  });
});

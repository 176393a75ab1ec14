import { describe, expect, it } from 'vitest';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { recreationVerdict } from '../../../src/tombstones/recreation-evidence.js';

const hit = (type: T, requestId: string | null = 'req-1') => ({ type, tombstoned: true, requestId });
const miss = (type: T) => ({ type, tombstoned: false, requestId: null });

describe('recreation evidence (R10, R16)', () => {
  it('R10: no tombstoned identifier, no recreation', () => {
    expect(recreationVerdict([])).toBeNull();
    expect(recreationVerdict([miss(T.EMAIL), miss(T.PHONE)])).toBeNull();
  });

  it('R10: an identifier of one person, or an e-mail and a phone together, confirm the erased person', () => {
    for (const type of [T.NATIONAL_ID, T.MEMBERSHIP_NUMBER, T.PATIENT_ID, T.CANDIDATE_ID, T.EMPLOYEE_ID, T.LEARNER_ID, T.BADGE_ID]) {
      expect(recreationVerdict([hit(type), miss(T.PHONE)])).toEqual({ requestId: 'req-1', confirmed: true });
    }
    // A name with the date of birth: both identifiers answer the one NAME_DOB token.
    expect(recreationVerdict([hit(T.GIVEN_NAME), hit(T.FAMILY_NAME), hit(T.DATE_OF_BIRTH), miss(T.EMAIL)])).toEqual({ requestId: 'req-1', confirmed: true });
    expect(recreationVerdict([hit(T.EMAIL), hit(T.PHONE)])).toEqual({ requestId: 'req-1', confirmed: true });
  });

  it('R16: one shared contact alone (a household phone, a family mailbox) is reported, not confirmed', () => {
    expect(recreationVerdict([miss(T.GIVEN_NAME), miss(T.DATE_OF_BIRTH), miss(T.EMAIL), hit(T.PHONE)])).toEqual({ requestId: 'req-1', confirmed: false });
    expect(recreationVerdict([hit(T.EMAIL), miss(T.PHONE)])).toEqual({ requestId: 'req-1', confirmed: false });
  });

  it('R16: the evidence must come from one erasure: an e-mail of one and a phone of another confirm neither', () => {
    expect(recreationVerdict([hit(T.EMAIL, 'req-1'), hit(T.PHONE, 'req-2')])).toEqual({ requestId: 'req-1', confirmed: false });
    expect(recreationVerdict([hit(T.PHONE, 'req-2'), hit(T.EMAIL, 'req-1'), hit(T.NATIONAL_ID, 'req-1')])).toEqual({ requestId: 'req-1', confirmed: true });
  });
});

import { describe, expect, it } from 'vitest';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { recreationVerdict, recreationVerdicts } from '../../../src/tombstones/recreation-evidence.js';

const hit = (type: T, ...requestIds: string[]) => {
  const ids = requestIds.length > 0 ? requestIds : ['req-1'];
  return { type, tombstoned: true, requestId: ids[0]!, requestIds: ids };
};
const miss = (type: T) => ({ type, tombstoned: false, requestId: null, requestIds: [] });

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

  it('R10: every erasure a token names counts: an e-mail two erasures hold and a phone only the later one holds confirm the later one', () => {
    // The e-mail's earliest erasure (req-1) tombstoned it alone; the later one (req-2) both.
    expect(recreationVerdict([hit(T.EMAIL, 'req-1', 'req-2'), hit(T.PHONE, 'req-2')])).toEqual({ requestId: 'req-2', confirmed: true });
    // Each erasure is one verdict, those naming the person first.
    expect(recreationVerdicts([hit(T.EMAIL, 'req-1', 'req-2'), hit(T.NATIONAL_ID, 'req-3', 'req-2')])).toEqual([
      { requestId: 'req-2', confirmed: true },
      { requestId: 'req-3', confirmed: true },
      { requestId: 'req-1', confirmed: false },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { bindingHold, sharedHold, sharedHoldError } from '../../../src/execution/binding-hold.js';
import type { RecordHold } from '../../../src/retention/retention-plan.js';

const refused: RecordHold = { reason: 'CONTROLLER_REFUSED', requestId: 'r-refused' };
const litigation: RecordHold = { reason: 'OPEN_REQUEST', requestId: 'r-litigation' };

describe('which hold binds a task (R8, R9, R6)', () => {
  it("a retention run's task is held by any hold, a controller's refusal first", () => {
    expect(bindingHold({ requestId: null, action: 'ERASE' }, [refused, litigation])).toEqual(refused);
    expect(bindingHold({ requestId: null, action: 'ERASE' }, [litigation])).toEqual(litigation);
    expect(bindingHold({ requestId: null, action: 'ERASE' }, [])).toBeUndefined();
  });

  it("R8: a request's erasure is held by another open request's RETAIN, even where a controller refused a third request", () => {
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE' }, [refused, litigation])).toEqual(litigation);
  });

  it("a request is not held by its own RETAIN, nor by a controller's refusal of another request (its own controller's instruction decides)", () => {
    expect(bindingHold({ requestId: 'r-litigation', action: 'ERASE' }, [litigation])).toBeUndefined();
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE' }, [refused])).toBeUndefined();
  });

  it("R8, R14: another open request's RETAIN holds a correction that overwrites the record, not a restriction nor an annotation that leave it whole", () => {
    expect(bindingHold({ requestId: 'r-rectification', action: 'CORRECT' }, [litigation])).toEqual(litigation);
    expect(bindingHold({ requestId: 'r-restriction', action: 'RESTRICT' }, [litigation])).toBeUndefined();
    expect(bindingHold({ requestId: 'r-rectification', action: 'ANNOTATE' }, [litigation])).toBeUndefined();
  });

  it("R14: a rectification's RETAIN that found nothing to correct holds a retention run, but no other request", () => {
    const accurate: RecordHold = { reason: 'OPEN_REQUEST', requestId: 'r-accurate', nothingToCorrect: true };
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE' }, [accurate])).toBeUndefined();
    expect(bindingHold({ requestId: 'r-rectification', action: 'CORRECT' }, [accurate, litigation])).toEqual(litigation);
    expect(bindingHold({ requestId: null, action: 'PURGE' }, [accurate])).toEqual(accurate);
  });

  it("R1, R9: an answered restriction's RESTRICT holds a retention run, but no request's task on that record (the person may still have it erased); an erasure of another record sharing its footage is held", () => {
    const restricted: RecordHold = { reason: 'RESTRICTED', requestId: 'r-restricted', restriction: true };
    expect(bindingHold({ requestId: null, action: 'ERASE' }, [restricted])).toEqual(restricted);
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE' }, [restricted])).toBeUndefined();
    expect(sharedHold({ requestId: null, action: 'PURGE' }, [restricted])).toEqual(restricted);
    expect(sharedHold({ requestId: 'r-erasure', action: 'ERASE' }, [restricted])).toEqual(restricted);
    expect(sharedHoldError({ requestId: 'r-erasure' }, restricted)).toMatch(/^OPEN_REQUEST: left alone, a restriction keeps/);
  });

  it("R8: a hold on a record whose data (footage) an erasure destroys too binds the erasure, the task's own request's RETAIN included; nothing else is held by it", () => {
    expect(sharedHold({ requestId: 'r-erasure', action: 'ERASE' }, [refused, litigation])).toEqual(litigation);
    expect(sharedHold({ requestId: 'r-litigation', action: 'PURGE' }, [litigation])).toEqual(litigation);
    expect(sharedHold({ requestId: 'r-erasure', action: 'ERASE' }, [refused])).toBeUndefined();
    expect(sharedHold({ requestId: 'r-erasure', action: 'ERASE' }, [{ ...litigation, nothingToCorrect: true }])).toBeUndefined();
    expect(sharedHold({ requestId: null, action: 'PURGE' }, [refused, litigation])).toEqual(refused);
    expect(sharedHold({ requestId: 'r-restriction', action: 'RESTRICT' }, [litigation])).toBeUndefined();
    expect(sharedHold({ requestId: null, action: 'PURGE' }, [])).toBeUndefined();
  });

  it("R1, R10: a restriction asked for after an erasing request (a record found again by the recreation sweep, then restricted) holds that request's erasure of the record; one asked for before it, or of unknown time, does not, nor a correction", () => {
    const restriction: RecordHold = { reason: 'OPEN_REQUEST', requestId: 'r-restriction', restriction: true, receivedAt: new Date('2026-06-01T00:00:00Z') };
    const before = new Date('2026-01-01T00:00:00Z');
    const after = new Date('2026-09-01T00:00:00Z');
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE', receivedAt: before }, [restriction])).toEqual(restriction);
    expect(bindingHold({ requestId: 'r-erasure', action: 'ANONYMISE', receivedAt: before }, [restriction])).toEqual(restriction);
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE', receivedAt: after }, [restriction])).toBeUndefined();
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE' }, [restriction])).toBeUndefined();
    expect(bindingHold({ requestId: 'r-fix', action: 'CORRECT', receivedAt: before }, [restriction])).toBeUndefined();
    expect(bindingHold({ requestId: 'r-restriction', action: 'ERASE', receivedAt: before }, [restriction])).toBeUndefined();
  });

  it("R1, R9: a restriction request's RESTRICT (keep the record, stop processing it) holds a retention run, and another record's erasure that would destroy its footage, but no earlier request's task on the record itself", () => {
    const restriction: RecordHold = { reason: 'OPEN_REQUEST', requestId: 'r-restriction', restriction: true };
    expect(bindingHold({ requestId: null, action: 'ERASE' }, [restriction])).toEqual(restriction);
    expect(bindingHold({ requestId: 'r-erasure', action: 'ERASE' }, [restriction])).toBeUndefined();
    expect(sharedHold({ requestId: 'r-erasure', action: 'PURGE' }, [restriction])).toEqual(restriction);
    expect(sharedHold({ requestId: 'r-erasure', action: 'RESTRICT' }, [restriction])).toBeUndefined();
    expect(sharedHold({ requestId: null, action: 'PURGE' }, [restriction])).toEqual(restriction);
    // It stands once answered: the erasure is not told to wait for a request to close.
    expect(sharedHoldError({ requestId: 'r-erasure' }, restriction)).toBe(
      'OPEN_REQUEST: left alone, a restriction keeps a record whose data (footage) erasing this one would destroy too; it stands until lifted (R1, R8)',
    );
  });
});

describe('the task error of a shared hold (R8)', () => {
  it("another request's hold may be retried once it closes; the erasing request's own hold may not: a retry then would destroy what it keeps", () => {
    expect(sharedHoldError({ requestId: 'r-erasure' }, litigation)).toMatch(
      /^OPEN_REQUEST: left alone, an open request holds a record whose data \(footage\) erasing this one would destroy too; retry once that request is closed/,
    );
    const own = sharedHoldError({ requestId: 'r-litigation' }, litigation);
    expect(own).toMatch(/^OPEN_REQUEST: left alone for good, this request itself keeps a record whose data \(footage\) erasing this one would destroy too/);
    expect(own).not.toContain('retry once');
    expect(own).not.toContain('r-litigation');
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ControllerDecision, RecordAction, Relationship, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import {
  assertActionAllowed,
  decideRecord,
  mayHoldPersonnelFiles,
  overrideDecision,
  personnelFileHold,
  retentionEndOf,
  type DecisionInput,
} from '../../../src/requests/decisions.js';
import { retention } from './fixtures.js';
import { ruleCodeOf } from '../../support/error-codes.js';

const now = new Date('2025-06-01T12:00:00Z');

function input(over: Partial<Omit<DecisionInput, 'record'>> & { record?: Partial<DecisionInput['record']> }): DecisionInput {
  return {
    requestType: RequestType.ERASURE,
    retention: retention.training,
    now,
    ...over,
    record: {
      sourceKind: SourceKind.TRAINING,
      recordType: 'enrolment',
      relationship: Relationship.SUBJECT,
      dates: { createdAt: '2024-01-10T00:00:00Z', lastActivityAt: '2024-03-01T00:00:00Z' },
      ...over.record,
    },
  };
}

describe('per-record decisions', () => {
  it('R1: an access request releases the record', () => {
    expect(decideRecord(input({ requestType: RequestType.ACCESS })).action).toBe(RecordAction.RELEASE);
  });

  it('R9: erasure deletes or anonymises as the source policy states', () => {
    expect(decideRecord(input({})).action).toBe(RecordAction.ERASE);
    const c = decideRecord(input({ retention: retention.case, record: { sourceKind: SourceKind.CASE_MANAGEMENT, recordType: 'case' } }));
    expect(c.action).toBe(RecordAction.ANONYMISE);
  });

  it('R8: clinic records within 3 + 30 years are retained under legal hold with the basis and the date', () => {
    const d = decideRecord(
      input({
        retention: retention.clinic,
        record: { sourceKind: SourceKind.CLINIC, recordType: 'consultation', dates: { lastActivityAt: '2020-06-15T00:00:00Z' } },
      }),
    );
    expect(d.action).toBe(RecordAction.RETAIN);
    expect(d.basis).toBe('legal obligation to keep original medical records');
    expect(d.retainUntil).toEqual(new Date('2053-06-15T00:00:00Z'));
    expect(d.followUpAction).toBe(RecordAction.RESTRICT);
    expect(d.reason).toContain('2053-06-15');
    expect(d.rules).toContain('R8');
  });

  it('R8: a clinic record is held even when the connector forgot the statutory flag, with a default basis', () => {
    const d = decideRecord(
      input({
        retention: { summary: 'medical', statutory: false, erasure: 'DELETE' },
        record: { sourceKind: SourceKind.CLINIC, recordType: 'consultation', dates: { lastActivityAt: '2024-01-01T00:00:00Z' } },
      }),
    );
    expect(d).toMatchObject({ action: RecordAction.RETAIN, basis: 'statutory retention of medical records' });
    expect(d.retainUntil).toEqual(new Date('2057-01-01T00:00:00Z'));
  });

  it('R9: a clinic record past its 33 years is destroyed; one without dates goes to review, held', () => {
    const old = decideRecord(
      input({
        retention: retention.clinic,
        record: { sourceKind: SourceKind.CLINIC, recordType: 'consultation', dates: { lastActivityAt: '1990-01-01T00:00:00Z' } },
      }),
    );
    expect(old.action).toBe(RecordAction.ERASE);
    const undated = decideRecord(input({ retention: retention.clinic, record: { sourceKind: SourceKind.CLINIC, recordType: 'x', dates: {} } }));
    expect(undated).toMatchObject({ action: RecordAction.RETAIN, needsReview: true });
    expect(undated.retainUntil).toBeUndefined();
  });

  it('R9: an unsuccessful candidate is minimised to the recruiting-activity record', () => {
    const d = decideRecord(
      input({
        retention: { ...retention.recruitment, erasure: 'DELETE' },
        record: { sourceKind: SourceKind.RECRUITMENT, recordType: 'application', facts: { hired: false } },
      }),
    );
    expect(d.action).toBe(RecordAction.MINIMISE);
    expect(decideRecord(input({ retention: retention.recruitment, record: { sourceKind: SourceKind.RECRUITMENT } })).action).toBe(RecordAction.MINIMISE);
  });

  it('R8: a hired candidate’s recruitment data is their personnel file: an erasure keeps it with that basis', () => {
    const hired = decideRecord(
      input({ retention: retention.recruitment, record: { sourceKind: SourceKind.RECRUITMENT, recordType: 'candidate', facts: { hired: true } } }),
    );
    expect(hired).toMatchObject({ action: RecordAction.RETAIN, basis: 'the application became the personnel file of an employee' });
    expect(hired.reason).toContain('personnel file');
    // Only an erasure is affected: the hired person still gets a copy.
    const access = decideRecord(
      input({ requestType: RequestType.ACCESS, retention: retention.recruitment, record: { sourceKind: SourceKind.RECRUITMENT, facts: { hired: true } } }),
    );
    expect(access.action).toBe(RecordAction.RELEASE);
  });

  it('R8: a hired candidate’s own record is held as the personnel file, whatever acts on it; a referee or an unsuccessful candidate is not', () => {
    const hold = personnelFileHold({ relationship: Relationship.SUBJECT, facts: { hired: true } });
    expect(hold).toEqual({ basis: expect.stringContaining('personnel file of an employee'), until: null });
    expect(ruleCodeOf(() => assertActionAllowed(RecordAction.MINIMISE, { legalHold: hold }))).toBe('LEGAL_HOLD');
    expect(() => assertActionAllowed(RecordAction.RESTRICT, { legalHold: hold })).not.toThrow();
    expect(personnelFileHold({ relationship: Relationship.SUBJECT, facts: { hired: false } })).toBeNull();
    expect(personnelFileHold({ relationship: Relationship.REFERENCE, facts: { hired: true } })).toBeNull();
    expect(mayHoldPersonnelFiles(SourceKind.RECRUITMENT)).toBe(true);
    expect(mayHoldPersonnelFiles(SourceKind.TRAINING)).toBe(false);
  });

  it('R9: training certificates stay verifiable only with the person’s agreement', () => {
    const training = (certificatesVerifiable?: boolean | null) =>
      decideRecord(input({ record: { recordType: 'certificate' }, ...(certificatesVerifiable === undefined ? {} : { options: { certificatesVerifiable } }) }));
    expect(training(true)).toMatchObject({ action: RecordAction.ANONYMISE, rules: ['R9'] });
    expect(training(true).reason).toContain('agreed');
    expect(training(false)).toMatchObject({ action: RecordAction.ERASE });
    expect(training(false).reason).toContain('did not agree');
    expect(training(null).action).toBe(RecordAction.ERASE);
    expect(training().reason).toContain('not asked');
    // A source without certificates follows its policy whatever the answer.
    const concierge = decideRecord(
      input({ retention: retention.concierge, options: { certificatesVerifiable: true }, record: { sourceKind: SourceKind.CONCIERGE, recordType: 'member' } }),
    );
    expect(concierge.action).toBe(RecordAction.ERASE);
  });

  it('R9: CCTV footage past 90 days is purged; younger footage loses the person’s segments', () => {
    const cctv = (recorded: string) =>
      decideRecord(
        input({
          retention: retention.cctv,
          record: { sourceKind: SourceKind.CCTV, recordType: 'clip', relationship: Relationship.VISITOR, dates: { lastActivityAt: recorded } },
        }),
      ).action;
    expect(cctv('2025-02-01T10:00:00Z')).toBe(RecordAction.PURGE); // 120 days
    expect(cctv('2025-03-03T12:00:00Z')).toBe(RecordAction.PURGE); // exactly 90 days
    expect(cctv('2025-03-04T12:00:00Z')).toBe(RecordAction.ERASE); // 89 days
    expect(cctv('2025-05-20T10:00:00Z')).toBe(RecordAction.ERASE);
  });

  describe('controller gate', () => {
    const held = { sourceKind: SourceKind.CLINIC, recordType: 'ohs-assessment', controllerId: 'employer-7', dates: { lastActivityAt: '2023-01-01T00:00:00Z' } };
    const caseHeld = { sourceKind: SourceKind.CASE_MANAGEMENT, recordType: 'case', controllerId: 'client-3' };

    it('R6: a record held for a controller waits for its instruction and nothing is done meanwhile', () => {
      const d = decideRecord(input({ retention: retention.case, record: caseHeld }));
      expect(d).toMatchObject({ action: RecordAction.RETAIN, needsController: true, proposedAction: RecordAction.ANONYMISE });
      expect(decideRecord(input({ requestType: RequestType.ACCESS, retention: retention.case, record: caseHeld }))).toMatchObject({
        needsController: true,
        proposedAction: RecordAction.RELEASE,
      });
    });

    it('R6: PROCEED lets the rules act; REFUSE retains with basis "controller refused"', () => {
      const go = decideRecord(input({ retention: retention.case, record: caseHeld, controllerInstruction: ControllerDecision.PROCEED }));
      expect(go.action).toBe(RecordAction.ANONYMISE);
      expect(go.needsController).toBeUndefined();
      const no = decideRecord(
        input({ retention: retention.case, record: caseHeld, controllerInstruction: { decision: ControllerDecision.REFUSE, reference: 'letter 12' } }),
      );
      expect(no).toMatchObject({ action: RecordAction.RETAIN, basis: 'controller refused' });
    });

    it('R6: a controller taking its records back has them exported to it, then erased, past the group’s legal hold', () => {
      const d = decideRecord(input({ retention: retention.clinic, record: held, controllerInstruction: ControllerDecision.RETURN_AND_ERASE }));
      expect(d).toMatchObject({ action: RecordAction.ERASE, returnToController: 'employer-7', rules: ['R6'] });
      expect(d.basis).toContain('returned to its controller (employer-7)');
      // The same record on PROCEED stays under the group's hold.
      expect(decideRecord(input({ retention: retention.clinic, record: held, controllerInstruction: ControllerDecision.PROCEED })).action).toBe(
        RecordAction.RETAIN,
      );
      // Only an erasure returns the records.
      const access = decideRecord(
        input({ requestType: RequestType.ACCESS, retention: retention.clinic, record: held, controllerInstruction: ControllerDecision.RETURN_AND_ERASE }),
      );
      expect(access.action).toBe(RecordAction.RELEASE);
      expect(access.returnToController).toBeUndefined();
    });

    it('R7: a controller that is gone lets the group decide itself', () => {
      const d = decideRecord(input({ retention: retention.case, record: caseHeld, controllerInstruction: ControllerDecision.CONTROLLER_GONE }));
      expect(d.action).toBe(RecordAction.ANONYMISE);
      expect(d.rules[0]).toBe('R7');
      expect(d.reason).toContain('no longer exists');
    });

    it('R8: a controller’s PROCEED does not lift a statutory hold', () => {
      const d = decideRecord(input({ retention: retention.clinic, record: held, controllerInstruction: ControllerDecision.PROCEED }));
      expect(d.action).toBe(RecordAction.RETAIN);
      expect(d.retainUntil).toEqual(new Date('2056-01-01T00:00:00Z'));
    });
  });

  it('R1: restriction and objection stop processing, with a basis', () => {
    const r = decideRecord(input({ requestType: RequestType.RESTRICTION }));
    expect(r.action).toBe(RecordAction.RESTRICT);
    const o = decideRecord(input({ requestType: RequestType.OBJECTION }));
    expect(o.action).toBe(RecordAction.RESTRICT);
    expect(o.basis).toMatch(/objection/);
  });

  it('R14: rectification corrects, and annotates clinic records', () => {
    expect(decideRecord(input({ requestType: RequestType.RECTIFICATION })).action).toBe(RecordAction.CORRECT);
    const clinic = decideRecord(input({ requestType: RequestType.RECTIFICATION, retention: retention.clinic, record: { sourceKind: SourceKind.CLINIC } }));
    expect(clinic.action).toBe(RecordAction.ANNOTATE);
  });

  it('R14: a person named as an emergency contact in the clinic is corrected, not annotated (not a medical record)', () => {
    const contact = decideRecord(
      input({
        requestType: RequestType.RECTIFICATION,
        retention: retention.clinic,
        record: { sourceKind: SourceKind.CLINIC, relationship: Relationship.EMERGENCY_CONTACT },
      }),
    );
    expect(contact.action).toBe(RecordAction.CORRECT);
  });

  it('R16: erasure of an appearance in someone else’s record removes that appearance only', () => {
    for (const relationship of [Relationship.DEPENDANT, Relationship.BENEFICIARY, Relationship.EMERGENCY_CONTACT, Relationship.REFERENCE]) {
      const d = decideRecord(input({ retention: retention.clinic, record: { sourceKind: SourceKind.CLINIC, relationship } }));
      expect(d.action).toBe(RecordAction.ERASE);
      expect(d.reason).toContain('someone else');
    }
  });

  it('R16: a child’s data in an online service is deleted at once', () => {
    const child = { facts: { dateOfBirth: '2010-05-01' } };
    expect(decideRecord(input({ record: child })).action).toBe(RecordAction.ERASE);
    expect(decideRecord(input({ requestType: RequestType.RESTRICTION, record: child })).action).toBe(RecordAction.ERASE);
    expect(decideRecord(input({ requestType: RequestType.ACCESS, record: { facts: { age: 15 } } }))).toMatchObject({
      action: RecordAction.RELEASE,
      followUpAction: RecordAction.ERASE,
    });
    // 18 and over, or outside online services, the ordinary rules apply
    expect(decideRecord(input({ requestType: RequestType.RESTRICTION, record: { facts: { age: 18 } } })).action).toBe(RecordAction.RESTRICT);
    const clinic = decideRecord(
      input({ requestType: RequestType.RESTRICTION, retention: retention.clinic, record: { sourceKind: SourceKind.CLINIC, ...child } }),
    );
    expect(clinic.action).toBe(RecordAction.RESTRICT);
    expect(decideRecord(input({ requestType: RequestType.RESTRICTION, record: { facts: { age: 15 } }, options: { childAge: 13 } })).action).toBe(
      RecordAction.RESTRICT,
    );
  });

  it('R8: erasure never destroys a clinic record inside 3 + 30 years of its last activity (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1980-01-01T00:00:00Z'), max: new Date('2025-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2070-01-01T00:00:00Z'), noInvalidDate: true }),
        (last, at) => {
          const d = decideRecord(
            input({ now: at, retention: retention.clinic, record: { sourceKind: SourceKind.CLINIC, dates: { lastActivityAt: last.toISOString() } } }),
          );
          const end = new Date(last);
          end.setUTCFullYear(end.getUTCFullYear() + 33);
          if (at.getTime() < end.getTime() - 3 * 86_400_000) expect(d.action).toBe(RecordAction.RETAIN);
          if (d.action === RecordAction.RETAIN) expect(d.retainUntil!.getTime()).toBeGreaterThan(at.getTime());
        },
      ),
    );
  });

  it('computes the end of retention from the policy', () => {
    expect(retentionEndOf({ lastActivityAt: '2024-02-29T00:00:00Z' }, retention.training)).toEqual(new Date('2027-02-28T00:00:00Z'));
    expect(retentionEndOf({ createdAt: '2025-01-01T00:00:00Z' }, retention.cctv)).toEqual(new Date('2025-04-01T00:00:00Z'));
    expect(retentionEndOf({}, retention.training)).toBeNull();
  });
});

describe('handler override', () => {
  const decision = decideRecord(input({}));

  it('needs a reason and returns an override record for the audit', () => {
    expect(ruleCodeOf(() => overrideDecision(decision, RecordAction.RETAIN, '  ', 'dpo'))).toBe('REASON_REQUIRED');
    const at = new Date('2025-06-02T09:00:00Z');
    const { decision: next, override } = overrideDecision(decision, RecordAction.RETAIN, 'pending litigation', 'dpo', at);
    expect(next).toMatchObject({ action: RecordAction.RETAIN, basis: 'pending litigation', overridden: true });
    expect(override).toEqual({
      previousAction: RecordAction.ERASE,
      previousBasis: null,
      newAction: RecordAction.RETAIN,
      reason: 'pending litigation',
      actor: 'dpo',
      at,
    });
  });

  it('R6: cannot replace a pending controller instruction; rejects unknown actions and missing actors', () => {
    const waiting = decideRecord(input({ record: { controllerId: 'client-1' } }));
    expect(ruleCodeOf(() => overrideDecision(waiting, RecordAction.ERASE, 'urgent', 'dpo'))).toBe('CONTROLLER_INSTRUCTION_REQUIRED');
    expect(ruleCodeOf(() => overrideDecision(decision, 'SHRED' as RecordAction, 'r', 'dpo'))).toBe('INVALID_ACTION');
    expect(ruleCodeOf(() => overrideDecision(decision, RecordAction.RETAIN, 'r', ''))).toBe('ACTOR_REQUIRED');
  });
});

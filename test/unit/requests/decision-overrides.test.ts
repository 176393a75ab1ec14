import { describe, expect, it } from 'vitest';
import { RecordAction, RequestType } from '../../../src/domain/vocabulary.js';
import { assertOverrideFits, overrideDecision, type RecordDecision } from '../../../src/requests/decisions.js';
import { ruleCodeOf } from '../../support/error-codes.js';

const at = new Date('2025-06-01T12:00:00Z');
const retained: RecordDecision = {
  action: RecordAction.RETAIN,
  basis: 'legal obligation',
  retainUntil: new Date('2040-01-01T00:00:00Z'),
  reason: 'Kept under statutory retention',
  rules: ['R8'],
};

describe('handler overrides (R8, R6)', () => {
  it('R8: an override to RETAIN keeps the retention date of a retained record; to another action it drops it', () => {
    const kept = overrideDecision(retained, RecordAction.RETAIN, ' litigation ', ' dpo ', at).decision;
    expect(kept).toEqual({
      action: RecordAction.RETAIN,
      basis: 'litigation',
      retainUntil: retained.retainUntil,
      reason: 'Handler override: litigation',
      rules: ['R8'],
      overridden: true,
    });
    const restricted = overrideDecision(retained, RecordAction.RESTRICT, 'objection', 'dpo', at).decision;
    expect(restricted).toEqual({ action: RecordAction.RESTRICT, basis: 'objection', reason: 'Handler override: objection', rules: ['R8'], overridden: true });
    const released = overrideDecision({ ...retained, action: RecordAction.RELEASE }, RecordAction.RETAIN, 'r', 'dpo', at).decision;
    expect(released.retainUntil).toBeUndefined();
    expect(overrideDecision(retained, RecordAction.RELEASE, 'r', 'dpo', at).decision.basis).toBeUndefined();
  });

  it('R16, R8: the follow-up a rule set stays whatever the handler decides, unless the override itself destroys the record', () => {
    const childCopy: RecordDecision = {
      action: RecordAction.RELEASE,
      followUpAction: RecordAction.ERASE,
      reason: 'released, then deleted',
      rules: ['R1', 'R16'],
    };
    for (const action of [RecordAction.RELEASE, RecordAction.RETAIN]) {
      expect(overrideDecision(childCopy, action, 'copy checked', 'dpo', at).decision.followUpAction, action).toBe(RecordAction.ERASE);
    }
    const held: RecordDecision = { ...retained, followUpAction: RecordAction.RESTRICT };
    for (const action of [RecordAction.RETAIN, RecordAction.RESTRICT]) {
      expect(overrideDecision(held, action, 'litigation', 'dpo', at).decision.followUpAction, action).toBe(RecordAction.RESTRICT);
    }
    expect(overrideDecision(held, RecordAction.ERASE, 'retention ended', 'dpo', at).decision.followUpAction).toBeUndefined();
    expect(overrideDecision(retained, RecordAction.RETAIN, 'litigation', 'dpo', at).decision.followUpAction).toBeUndefined();
  });

  it('R8: the override record names the previous action and basis, the reason and the actor, trimmed', () => {
    expect(overrideDecision(retained, RecordAction.RESTRICT, ' objection ', ' dpo ', at).override).toEqual({
      previousAction: RecordAction.RETAIN,
      previousBasis: 'legal obligation',
      newAction: RecordAction.RESTRICT,
      reason: 'objection',
      actor: 'dpo',
      at,
    });
    expect(overrideDecision({ ...retained, basis: undefined }, RecordAction.RESTRICT, 'r', 'dpo', at).override.previousBasis).toBeNull();
  });

  it('R6: a controller that refused leaves only RETAIN; any other action is refused naming it', () => {
    expect(() => overrideDecision(retained, RecordAction.RESTRICT, 'r', 'dpo', at, { controllerRefused: true })).toThrow(/^RESTRICT refused/);
    expect(ruleCodeOf(() => overrideDecision(retained, RecordAction.ERASE, 'r', 'dpo', at, { controllerRefused: true }))).toBe('CONTROLLER_REFUSED');
    expect(overrideDecision(retained, RecordAction.RETAIN, 'r', 'dpo', at, { controllerRefused: true }).decision.action).toBe(RecordAction.RETAIN);
  });

  it('R8: under a legal hold an erasing override is refused, naming the basis and the end date (or that it is unknown)', () => {
    const hold = { basis: 'medical records law', until: new Date('2040-01-01T00:00:00Z') };
    expect(() => overrideDecision(retained, RecordAction.PURGE, 'r', 'dpo', at, { legalHold: hold })).toThrow(
      'PURGE refused: the record is kept under medical records law until 2040-01-01 (R8)',
    );
    expect(() => overrideDecision(retained, RecordAction.ERASE, 'r', 'dpo', at, { legalHold: { ...hold, until: null } })).toThrow(
      'ERASE refused: the record is kept under medical records law (its end is not known from the record’s dates) (R8)',
    );
    expect(overrideDecision(retained, RecordAction.RESTRICT, 'r', 'dpo', at, { legalHold: hold }).decision.action).toBe(RecordAction.RESTRICT);
  });

  it('R8: a record of an erasure kept by law, kept or restricted by an override, still names the hold’s basis and date; the handler’s reason is the reason', () => {
    const hold = { basis: 'medical records law', until: new Date('2052-03-01T00:00:00Z') };
    for (const action of [RecordAction.RESTRICT, RecordAction.RETAIN]) {
      expect(overrideDecision(retained, action, 'litigation pending', 'dpo', at, { legalHold: hold }).decision, action).toEqual({
        action,
        basis: 'medical records law',
        retainUntil: hold.until,
        reason: 'Handler override: litigation pending',
        rules: ['R8'],
        overridden: true,
      });
    }
    // A hold whose end the record does not tell (a personnel file): the basis, no date.
    const personnel = overrideDecision(retained, RecordAction.RESTRICT, 'r', 'dpo', at, { legalHold: { basis: 'employment law', until: null } }).decision;
    expect([personnel.basis, personnel.retainUntil]).toEqual(['employment law', undefined]);
    // A decision not on retention (an access copy withheld) is kept for the handler's reason.
    const access: RecordDecision = { action: RecordAction.RELEASE, reason: 'Released', rules: ['R1'] };
    expect(overrideDecision(access, RecordAction.RETAIN, 'harm to the patient', 'dpo', at, { legalHold: hold }).decision).toMatchObject({
      basis: 'harm to the patient',
    });
    expect(overrideDecision(access, RecordAction.RETAIN, 'harm to the patient', 'dpo', at, { legalHold: hold }).decision.retainUntil).toBeUndefined();
  });

  it('R1: an override stays within what the person asked: nothing destroyed under a restriction or an objection, nothing released under an erasure', () => {
    expect(ruleCodeOf(() => assertOverrideFits(RequestType.RESTRICTION, RecordAction.ERASE, RecordAction.RESTRICT))).toBe('INVALID_ACTION');
    expect(ruleCodeOf(() => assertOverrideFits(RequestType.OBJECTION, RecordAction.MINIMISE, RecordAction.RESTRICT))).toBe('INVALID_ACTION');
    expect(ruleCodeOf(() => assertOverrideFits(RequestType.ERASURE, RecordAction.RELEASE, RecordAction.ERASE))).toBe('INVALID_ACTION');
    expect(ruleCodeOf(() => assertOverrideFits(RequestType.ACCESS, RecordAction.PURGE, RecordAction.RELEASE))).toBe('INVALID_ACTION');
    expect(ruleCodeOf(() => assertOverrideFits(RequestType.ACCESS, RecordAction.CORRECT, RecordAction.RELEASE))).toBe('INVALID_ACTION');
    expect(() => assertOverrideFits(RequestType.RESTRICTION, RecordAction.ERASE, RecordAction.RESTRICT)).toThrow(
      'ERASE does not belong to a RESTRICTION request: a handler decides within what the person asked (R1)',
    );
    expect(() => assertOverrideFits(RequestType.ERASURE, RecordAction.RESTRICT, RecordAction.ERASE)).not.toThrow();
    expect(() => assertOverrideFits(RequestType.ACCESS, RecordAction.RETAIN, RecordAction.RELEASE)).not.toThrow();
    expect(() => assertOverrideFits(RequestType.RECTIFICATION, RecordAction.ANNOTATE, RecordAction.RETAIN)).not.toThrow();
    // The rules' own decision may always be returned to (R16: a child's online data erased under a restriction).
    expect(() => assertOverrideFits(RequestType.RESTRICTION, RecordAction.ERASE, RecordAction.ERASE)).not.toThrow();
  });

  it('R6: a record its controller takes back is returned then erased, or kept: never destroyed another way', () => {
    const erase: RecordDecision = { action: RecordAction.ERASE, returnToController: 'EMP-1', reason: 'returned', rules: ['R6'] };
    for (const action of [RecordAction.ANONYMISE, RecordAction.MINIMISE, RecordAction.PURGE]) {
      expect(
        ruleCodeOf(() => overrideDecision(erase, action, 'r', 'dpo', at, { returnedTo: 'EMP-1' })),
        action,
      ).toBe('INVALID_ACTION');
    }
    expect(overrideDecision(erase, RecordAction.ERASE, 'r', 'dpo', at, { returnedTo: 'EMP-1' }).decision.returnToController).toBe('EMP-1');
    expect(overrideDecision(erase, RecordAction.RETAIN, 'litigation', 'dpo', at, { returnedTo: 'EMP-1' }).decision.returnToController).toBeUndefined();
    expect(overrideDecision(erase, RecordAction.ANONYMISE, 'r', 'dpo', at).decision.action).toBe(RecordAction.ANONYMISE);
  });

  it('an override needs an actor (missing or blank) and a valid time', () => {
    expect(() => overrideDecision(retained, RecordAction.RETAIN, 'r', undefined as unknown as string, at)).toThrow('Overriding a decision needs an actor');
    expect(ruleCodeOf(() => overrideDecision(retained, RecordAction.RETAIN, 'r', 'dpo', new Date('x')))).toBe('INVALID_DATE');
  });
});

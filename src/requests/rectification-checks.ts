// Rectification over the request's records (R14), pure: which requested fields each
// record's source can take (validateCorrections per field), the decision that follows,
// the check that a field is correctable somewhere at all, and the handler's finding.
import type { CountryCode } from 'libphonenumber-js';
import type { FieldDescription, SourceDescription, SourceRules } from '../../connectors/contract.js';
import { IdentifierType, RecordAction, RequestType, SourceKind } from '../domain/vocabulary.js';
import { isInvalidIdentifierError, normaliseIdentifier } from '../identity/index.js';
import type { RecordDecision } from './decisions.js';
import { isRequestRuleError, requireReason, RequestRuleError, type RequestErrorCode } from './errors.js';
import { recordInaccuracyFinding, validateCorrections } from './rectification.js';
import type { InaccuracyFindingRecord } from './store/data-subject-request.entity.js';
import { badInput } from './request-errors.js';
import type { RequestedCorrection } from './services/request-secrets.js';

export interface CorrectionTarget {
  sourceKind: SourceKind;
  /** What the source describes of its data's rules (annotated corrections); its kind's when absent. */
  sourceRules?: SourceRules;
  /** Null when the source could not describe its fields. */
  fields: readonly FieldDescription[] | null;
  /**
   * The source's registered phone country: a corrected phone number without a +prefix is
   * written into the source, which reads it in this country (the deployment default when absent).
   */
  phoneCountry?: CountryCode;
}

export type FieldVerdict =
  { field: string; applies: true; mode: RecordAction.CORRECT | RecordAction.ANNOTATE } | { field: string; applies: false; code: RequestErrorCode };

/** One verdict per requested field for one record type of one source. */
export function fieldVerdicts(target: CorrectionTarget, recordType: string | undefined, corrections: readonly RequestedCorrection[]): FieldVerdict[] {
  return corrections.map((c) => {
    try {
      const plan = validateCorrections({
        sourceKind: target.sourceKind,
        ...(target.sourceRules ? { sourceRules: target.sourceRules } : {}),
        ...(recordType ? { recordType } : {}),
        fields: target.fields ?? [],
        corrections: [c],
      });
      return { field: c.field, applies: true, mode: plan.action };
    } catch (error) {
      if (isRequestRuleError(error)) return { field: c.field, applies: false, code: error.code };
      throw error;
    }
  });
}

/**
 * Refuses a field that no source can take (submit and verification): UNKNOWN_FIELD when no
 * source holds it, FIELD_NOT_CORRECTABLE when sources hold it but none may change or
 * annotate it. Only when every source described its fields: otherwise the per-record
 * decisions say what cannot be done.
 */
export function assertCorrectableSomewhere(targets: readonly CorrectionTarget[], corrections: readonly RequestedCorrection[]): void {
  if (targets.length === 0 || targets.some((t) => t.fields === null)) return;
  const verdicts = targets.map((t) => fieldVerdicts(t, undefined, corrections));
  const problems: { field: string; code: RequestErrorCode }[] = [];
  corrections.forEach((c, i) => {
    const forField = verdicts.map((v) => v[i]!);
    if (forField.some((v) => v.applies)) return;
    const held = forField.some((v) => !v.applies && v.code !== 'UNKNOWN_FIELD');
    problems.push({ field: c.field, code: held ? 'FIELD_NOT_CORRECTABLE' : 'UNKNOWN_FIELD' });
  });
  if (problems.length === 0) return;
  const first = problems[0]!;
  const message =
    first.code === 'UNKNOWN_FIELD'
      ? `No source holds a field "${first.field}": name the field as the sources describe it`
      : `No source may correct or annotate "${first.field}"`;
  throw new RequestRuleError(first.code, message, { field: first.field, problems });
}

/**
 * The corrections with values their fields can hold: a field that a source describes as an
 * identifier takes only a value the gateway reads as that identifier (INVALID_CORRECTION_VALUE,
 * naming the field, never the value), so discovery and tombstones still find the person
 * after the correction (a blank value, clearing the field, passes). A phone number is read in
 * the phone country of each source that holds the field, as that source will read it; one
 * without a +prefix that sources of different countries would read as different numbers is
 * refused the same way. A date of birth is sent as ISO YYYY-MM-DD, the day the gateway
 * read it as: a source's own date parsing may read "07/03/1984" month first.
 */
export function fitCorrectionValues(targets: readonly CorrectionTarget[], corrections: readonly RequestedCorrection[]): RequestedCorrection[] {
  return corrections.map((c) => {
    // A blank value clears the field (a number that was never the person's): nothing to read.
    if (!c.value?.trim()) return c;
    // Each source that holds the field reads the value as it will hold it: a phone number in
    // the source's own phone country, so every one of them must read it as a number.
    const readings = new Map<string, { type: IdentifierType; phoneCountry: CountryCode | undefined }>();
    for (const t of targets) {
      for (const f of t.fields ?? []) {
        if (f.field !== c.field || !f.identifierType) continue;
        const type = f.identifierType as IdentifierType;
        const phoneCountry = type === IdentifierType.PHONE ? t.phoneCountry : undefined;
        readings.set(`${type}/${phoneCountry ?? ''}`, { type, phoneCountry });
      }
    }
    let value = c.value;
    const phones = new Map<string, CountryCode>();
    for (const { type, phoneCountry } of readings.values()) {
      try {
        const read = normaliseIdentifier({ type, value: c.value }, phoneCountry ? { defaultCountry: phoneCountry } : {});
        if (type === IdentifierType.DATE_OF_BIRTH) value = read.value;
        if (type === IdentifierType.PHONE && phoneCountry) phones.set(read.value, phoneCountry);
      } catch (error) {
        if (!isInvalidIdentifierError(error)) throw error;
        const where = phoneCountry ? ` as read in ${phoneCountry}, the phone country of a source that holds it` : '';
        throw new RequestRuleError('INVALID_CORRECTION_VALUE', `The corrected value of "${c.field}" is not a valid ${type}${where} (${error.reason})`, {
          field: c.field,
          identifierType: type,
          ...(phoneCountry ? { phoneCountry } : {}),
        });
      }
    }
    if (phones.size > 1) {
      // Sources of different countries would each hold another number: the person's is the one with its +prefix.
      const countries = [...phones.values()].sort();
      throw new RequestRuleError(
        'INVALID_CORRECTION_VALUE',
        `The corrected value of "${c.field}" is read as a different number in each of ${countries.join(', ')}, the phone countries of the sources that hold it: write it with its +prefix`,
        { field: c.field, identifierType: IdentifierType.PHONE, phoneCountries: countries },
      );
    }
    return { ...c, value };
  });
}

const ACTING: ReadonlySet<string> = new Set([RecordAction.CORRECT, RecordAction.ANNOTATE]);

export interface RectifiedDecision {
  decision: RecordDecision;
  /** The fields to send to the source; [] when none applies, null when not a correction. */
  correctionFields: string[] | null;
}

/**
 * Narrows a CORRECT / ANNOTATE decision to the fields the record's source can take and the
 * handler did not find accurate. A record that can take none is RETAINED with the reason
 * (no task); other decisions (a child's data erased, a controller's refusal) are left alone.
 */
export function rectifyDecision(
  base: RecordDecision,
  target: CorrectionTarget,
  recordType: string,
  corrections: readonly RequestedCorrection[],
  finding: InaccuracyFindingRecord | null,
): RectifiedDecision {
  const planned = ACTING.has(base.action)
    ? base.action
    : base.needsController && base.proposedAction && ACTING.has(base.proposedAction)
      ? base.proposedAction
      : null;
  if (!planned) return { decision: base, correctionFields: null };
  const rejected = new Set((finding?.rejected ?? []).map((r) => r.field));
  const open = corrections.filter((c) => !rejected.has(c.field));
  const verdicts = target.fields === null ? [] : fieldVerdicts(target, recordType, open);
  const applies = verdicts.filter((v) => v.applies).map((v) => v.field);
  const notCorrectable = verdicts.filter((v) => !v.applies && v.code === 'FIELD_NOT_CORRECTABLE').map((v) => v.field);
  const notHeld = verdicts.filter((v) => !v.applies && v.code !== 'FIELD_NOT_CORRECTABLE').map((v) => v.field);
  const accurate = corrections.filter((c) => rejected.has(c.field)).map((c) => c.field);
  const notes = [
    notCorrectable.length ? `not correctable here: ${notCorrectable.join(', ')}` : '',
    notHeld.length ? `not held in this record: ${notHeld.join(', ')}` : '',
    accurate.length ? `found accurate: ${accurate.join(', ')}` : '',
  ].filter(Boolean);

  if (applies.length === 0) {
    const basis =
      target.fields === null
        ? 'the source could not describe its fields'
        : notCorrectable.length
          ? 'field not correctable here'
          : accurate.length && !notHeld.length
            ? 'the data was found accurate'
            : 'field not held in this record';
    if (base.needsController) {
      return { decision: { ...base, proposedAction: RecordAction.RETAIN, reason: `${base.reason}; nothing to correct here (${basis})` }, correctionFields: [] };
    }
    return {
      decision: {
        action: RecordAction.RETAIN,
        basis,
        reason: `Nothing is corrected in this record: ${notes.join('; ') || basis}`,
        ...(target.fields === null ? { needsReview: true } : {}),
        rules: ['R14'],
      },
      correctionFields: [],
    };
  }
  const verb = planned === RecordAction.ANNOTATE ? 'annotated' : 'corrected';
  return {
    decision: { ...base, reason: `${base.reason} (${verb}: ${applies.join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''})` },
    correctionFields: applies,
  };
}

export interface InaccuracyFindingInput {
  inaccurate: boolean;
  reason: string;
  evidenceRef?: string | null;
  rejectedCorrections?: { field: string; reason: string }[] | null;
}

/**
 * The handler's finding as stored (R14): who, when, why, which requested fields were found
 * inaccurate (accepted) and which accurate (rejected, each with a reason). No values.
 */
export function buildInaccuracyFinding(
  input: InaccuracyFindingInput,
  requested: readonly RequestedCorrection[],
  actor: string,
  at: Date,
): InaccuracyFindingRecord {
  const base = recordInaccuracyFinding({ inaccurate: input.inaccurate, reason: input.reason, actor, at });
  const fields = new Set(requested.map((c) => c.field));
  const rejected = new Map<string, string>();
  for (const r of input.rejectedCorrections ?? []) {
    const field = r.field?.trim() ?? '';
    if (!fields.has(field)) {
      throw new RequestRuleError('UNKNOWN_FIELD', `"${field}" is not among the corrections the person asked for`, { field, requested: [...fields] });
    }
    if (rejected.has(field)) throw new RequestRuleError('CONFLICTING_CORRECTIONS', `"${field}" is named twice in the finding`, { field });
    rejected.set(field, requireFieldReason(r.reason, field));
  }
  if (!base.inaccurate) {
    // Found accurate: nothing is corrected; every field is listed with the finding's reason unless given its own.
    for (const f of fields) if (!rejected.has(f)) rejected.set(f, base.reason);
  } else if (rejected.size === fields.size) {
    throw new RequestRuleError('NO_CORRECTIONS', 'Every requested correction was found unwarranted: record the finding with inaccurate: false instead');
  }
  return {
    inaccurate: base.inaccurate,
    reason: base.reason,
    evidenceRef: input.evidenceRef?.trim() || null,
    actor: base.actor,
    at: base.at.toISOString(),
    accepted: [...fields].filter((f) => !rejected.has(f)),
    rejected: [...rejected].map(([field, reason]) => ({ field, reason })),
  };
}

function requireFieldReason(reason: string | null | undefined, field: string): string {
  const trimmed = (reason ?? '').trim();
  if (!trimmed) throw new RequestRuleError('REASON_REQUIRED', `Finding "${field}" accurate needs a reason`, { field });
  return trimmed;
}

/** R14: nothing is corrected until a handler found the data inaccurate. */
export function assertInaccuracyEstablished(finding: InaccuracyFindingRecord | null): void {
  if (!finding) {
    throw new RequestRuleError(
      'INACCURACY_NOT_ESTABLISHED',
      'A handler must record that the data was found inaccurate (recordInaccuracyFinding) before anything is corrected',
    );
  }
  if (!finding.inaccurate) {
    throw new RequestRuleError('INACCURACY_NOT_ESTABLISHED', 'The data was found accurate: nothing is corrected; answer the person with rejectRequest', {
      findingAt: finding.at,
    });
  }
}

/** A source's correction target: its kind, rules and fields (null: it could not describe them). */
export function correctionTargetOf(source: { kind: SourceKind; description: SourceDescription | null }): CorrectionTarget {
  return {
    sourceKind: source.kind,
    ...(source.description?.rules ? { sourceRules: source.description.rules } : {}),
    fields: source.description?.fields ?? null,
  };
}

/** The corrections a submitted request carries: RECTIFICATION only, at least one, each naming its field and reason. */
export function checkCorrections(type: RequestType, corrections: RequestedCorrection[] | null): RequestedCorrection[] | null {
  if (type !== RequestType.RECTIFICATION) {
    if (corrections?.length) throw badInput('Corrections belong to RECTIFICATION requests only');
    return null;
  }
  if (!corrections?.length) throw new RequestRuleError('NO_CORRECTIONS', 'A rectification needs at least one correction');
  return corrections.map((c) => {
    const field = c.field?.trim();
    if (!field) throw badInput('A correction names the field to correct');
    return { field, value: c.value, reason: requireReason(c.reason, `The correction of "${field}"`) };
  });
}

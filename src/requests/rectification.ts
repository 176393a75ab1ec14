// Rectification checks (R14): requested corrections are held against what the source says
// it can change; a source whose records are never overwritten (its rules say so: medical
// records) gets an annotation instead; nothing is changed
// until a handler has recorded that the data was found inaccurate.
import type { FieldChange, FieldDescription, SourceRules } from '../../connectors/contract.js';
import { RecordAction, sourceRulesOf, type IdentifierType, type SourceKind } from '../domain/vocabulary.js';
import { RequestRuleError, requireReason, requireValidDate, type RequestErrorCode } from './errors.js';

export interface InaccuracyFinding {
  /** The handler's finding: true when the data was found inaccurate. */
  inaccurate: boolean;
  reason: string;
  actor: string;
  at: Date;
}

export interface PlannedCorrection extends FieldChange {
  mode: RecordAction.CORRECT | RecordAction.ANNOTATE;
  /** Set when the field is an identifier: discovery keys and tombstones must follow. */
  identifierType?: IdentifierType;
  special: boolean;
}

export interface RectificationPlan {
  action: RecordAction.CORRECT | RecordAction.ANNOTATE;
  changes: PlannedCorrection[];
  finding?: InaccuracyFinding;
}

export interface CorrectionCheckInput {
  sourceKind: SourceKind;
  /** What the source describes of its data's rules; its kind's when absent. */
  sourceRules?: SourceRules;
  /** The record's type; when absent a field of any record type of the source counts. */
  recordType?: string;
  fields: readonly FieldDescription[];
  corrections: readonly FieldChange[];
}

export interface CorrectionProblem {
  field: string;
  code: RequestErrorCode;
}

/**
 * R14: the source's records are annotated, never overwritten (its kind's or its own rules),
 * but the source does not say itself that it annotates (its own `rules.annotatesCorrections`).
 * A correction goes to a source through `correct`, which carries no mode: such a source (a
 * team's database registered as a medical source through the generic SQL connector, a remote service
 * that does not describe the rule) would overwrite the record, so it is sent none.
 */
export function cannotAnnotate(kind: SourceKind | string, described?: SourceRules | null): boolean {
  return sourceRulesOf(kind, described).annotatesCorrections === true && described?.annotatesCorrections !== true;
}

/**
 * Checks corrections against the source's field capabilities. Every problem is reported
 * at once in `details.problems`; the error's code is the first problem's:
 * NO_CORRECTIONS, REASON_REQUIRED, CONFLICTING_CORRECTIONS, UNKNOWN_FIELD, FIELD_NOT_CORRECTABLE.
 */
export function validateCorrections(input: CorrectionCheckInput): RectificationPlan {
  if (input.corrections.length === 0) {
    throw new RequestRuleError('NO_CORRECTIONS', 'A rectification needs at least one correction');
  }
  // Records the source never overwrites are annotated (R14): capability to overwrite is irrelevant.
  const annotate = sourceRulesOf(input.sourceKind, input.sourceRules).annotatesCorrections === true;
  // ...but only by a source that can annotate: any other would overwrite what it is sent.
  const unannotatable = cannotAnnotate(input.sourceKind, input.sourceRules);
  const problems: CorrectionProblem[] = [];
  const changes: PlannedCorrection[] = [];
  const seen = new Map<string, string>();

  for (const c of input.corrections) {
    const field = c.field?.trim() ?? '';
    if (!c.reason?.trim()) {
      problems.push({ field, code: 'REASON_REQUIRED' });
      continue;
    }
    const previous = seen.get(field);
    if (previous !== undefined) {
      if (previous !== c.value) problems.push({ field, code: 'CONFLICTING_CORRECTIONS' });
      continue;
    }
    seen.set(field, c.value);
    const described = input.fields.filter((f) => f.field === field && (input.recordType === undefined || f.recordType === input.recordType));
    if (described.length === 0) {
      problems.push({ field, code: 'UNKNOWN_FIELD' });
      continue;
    }
    const correctable = described.find((f) => f.correctable);
    if (unannotatable || (!annotate && !correctable)) {
      problems.push({ field, code: 'FIELD_NOT_CORRECTABLE' });
      continue;
    }
    const description = correctable ?? described[0]!;
    changes.push({
      field,
      value: c.value,
      reason: c.reason.trim(),
      mode: annotate ? RecordAction.ANNOTATE : RecordAction.CORRECT,
      ...(description.identifierType ? { identifierType: description.identifierType } : {}),
      special: described.some((f) => f.special),
    });
  }

  if (problems.length > 0) {
    const first = problems[0]!;
    throw new RequestRuleError(first.code, problemMessage(first), { problems });
  }
  return { action: annotate ? RecordAction.ANNOTATE : RecordAction.CORRECT, changes };
}

function problemMessage(p: CorrectionProblem): string {
  switch (p.code) {
    case 'REASON_REQUIRED':
      return `The correction of "${p.field}" needs a reason`;
    case 'CONFLICTING_CORRECTIONS':
      return `"${p.field}" is asked to take two different values`;
    case 'UNKNOWN_FIELD':
      return `The source holds no field "${p.field}"`;
    default:
      return `The source cannot correct "${p.field}"`;
  }
}

/** Validates and returns the handler's finding about the data's accuracy (R14: the reason is recorded). */
export function recordInaccuracyFinding(finding: InaccuracyFinding): InaccuracyFinding {
  const reason = requireReason(finding.reason, 'A finding on accuracy');
  if (!finding.actor?.trim()) throw new RequestRuleError('ACTOR_REQUIRED', 'A finding on accuracy needs the handler who made it');
  requireValidDate(finding.at, 'The finding time');
  return { inaccurate: finding.inaccurate === true, reason, actor: finding.actor.trim(), at: finding.at };
}

/**
 * The corrections to send to the source, only once a handler found the data inaccurate
 * (INACCURACY_NOT_ESTABLISHED otherwise), after the field checks above.
 */
export function planRectification(input: CorrectionCheckInput & { finding?: InaccuracyFinding | null }): RectificationPlan {
  const plan = validateCorrections(input);
  if (!input.finding) {
    throw new RequestRuleError('INACCURACY_NOT_ESTABLISHED', 'A handler must record that the data was found inaccurate before it is corrected');
  }
  const finding = recordInaccuracyFinding(input.finding);
  if (!finding.inaccurate) {
    throw new RequestRuleError('INACCURACY_NOT_ESTABLISHED', 'The handler found the data accurate: nothing is corrected');
  }
  return { ...plan, finding };
}

/** The plan as the connector contract's FieldChange list. */
export function toFieldChanges(plan: RectificationPlan): FieldChange[] {
  return plan.changes.map(({ field, value, reason }) => ({ field, value, reason }));
}

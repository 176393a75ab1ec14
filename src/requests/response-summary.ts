// The answer to the person (R1, R8): per source, what was released, corrected, erased,
// restricted or retained, why, and when; as data for the API and as a plain-text letter
// the handler can send. Pure: outcomes come from the stored decisions and tasks.
import { RecordAction, RequestType, SourceKind } from '../domain/vocabulary.js';
import { civilDateIn } from './calendar.js';
import { requireValidDate } from './errors.js';

export type OutcomeGroup = 'RELEASED' | 'CORRECTED' | 'ERASED' | 'RESTRICTED' | 'RETAINED';

/** How each action is reported to the person. */
export const OUTCOME_GROUP: Readonly<Record<RecordAction, OutcomeGroup>> = {
  [RecordAction.RELEASE]: 'RELEASED',
  [RecordAction.CORRECT]: 'CORRECTED',
  [RecordAction.ANNOTATE]: 'CORRECTED',
  [RecordAction.ERASE]: 'ERASED',
  [RecordAction.ANONYMISE]: 'ERASED',
  [RecordAction.MINIMISE]: 'ERASED',
  [RecordAction.PURGE]: 'ERASED',
  [RecordAction.RESTRICT]: 'RESTRICTED',
  [RecordAction.RETAIN]: 'RETAINED',
};

export type TaskState = 'DONE' | 'FAILED' | 'PENDING';

export interface SummaryRecordInput {
  recordId: string;
  recordType?: string;
  action: RecordAction;
  basis?: string | null;
  retainUntil?: Date | null;
  reason?: string | null;
  /** Execution state; RELEASE and RETAIN need no task and count as done. */
  state?: TaskState;
  /** What the source answered for the record's task (APPLIED, ALREADY_APPLIED, NOT_FOUND…). */
  outcome?: string | null;
  /** The task changed the record (applied_count > 0), even if the source no longer holds it now. */
  applied?: boolean;
  /**
   * The task changed the record but its attempts ran out before it was read back (R14: failed,
   * outcome APPLIED, last_error UNVERIFIED): done, never checked, so not counted as done.
   */
  unverified?: boolean;
  /** The task failed for good, not retried: why, as the person reads it (final-failure.ts: kept by law, held for another matter…). */
  notDoneBecause?: string | null;
  completedAt?: Date | null;
}

export interface SummarySourceInput {
  source: { id: string; name: string; kind: SourceKind };
  records: SummaryRecordInput[];
}

export interface ResponseSummaryInput {
  requestId: string;
  requestType: RequestType;
  receivedAt: Date;
  verifiedAt?: Date | null;
  dueAt?: Date | null;
  extendedDueAt?: Date | null;
  /** R5: why the answer was extended (the letter repeats it to the person). */
  extensionReason?: string | null;
  /** When the answer is given. */
  respondedAt: Date;
  /**
   * The time zone of the request's jurisdiction (`jurisdictionOf(...).timeZone`): the letter's
   * days of receipt, verification, the date owed and each action are calendar days there, as
   * the deadlines are (R3, R4), not in UTC.
   */
  timeZone: string;
  /** Salutation; no other personal data goes into the letter. */
  addressee?: string;
  /** Who signs: the privacy office. */
  signature?: string;
  sources: SummarySourceInput[];
  /** R1: sources that could not be searched, or whose erasure could not be checked. */
  gaps?: SourceGap[];
}

/** A source the answer cannot speak for: never searched (R1), or not checked after erasure. */
export interface SourceGap {
  sourceId: string;
  sourceName: string;
  kind: 'NOT_SEARCHED' | 'NOT_VERIFIED';
  reason: string;
}

export interface SummaryItem {
  recordId: string;
  recordType: string | null;
  action: RecordAction;
  reason: string | null;
  basis: string | null;
  retainUntil: Date | null;
  completedAt: Date | null;
  state: TaskState;
  /** Done, but the source no longer held the record: nothing was changed in it (unless `changedThenGone`). */
  notHeld: boolean;
  /**
   * Not held now, but an earlier attempt of the task did change it (a correction the source
   * applied, then the record deleted before it was read back): changed, never verified.
   */
  changedThenGone: boolean;
  /** Changed (the source applied it) but never read back: listed under notDone, the letter says so. */
  changedUnchecked: boolean;
  /** Failed for good, not retried: why (also its `reason`). */
  notDoneBecause: string | null;
}

export interface SourceSummary {
  sourceId: string;
  sourceName: string;
  sourceKind: SourceKind;
  released: SummaryItem[];
  corrected: SummaryItem[];
  erased: SummaryItem[];
  restricted: SummaryItem[];
  retained: SummaryItem[];
  /**
   * Corrections (CORRECT, ANNOTATE) and restrictions of records the source no longer holds
   * (it answered NOT_FOUND): nothing was corrected or restricted there, and the letter says so.
   */
  notHeld: SummaryItem[];
  /** Actions not (yet) done: the answer is partial while any remain. */
  notDone: SummaryItem[];
}

export interface ResponseSummary {
  requestId: string;
  requestType: RequestType;
  receivedAt: Date;
  verifiedAt: Date | null;
  dueAt: Date | null;
  /** R5: the extension the person was told of, when one was granted. */
  extension: { extendedDueAt: Date; reason: string | null } | null;
  respondedAt: Date;
  /** True when every action was carried out. */
  complete: boolean;
  /** Answered after the binding due date (the letter says so). */
  late: boolean;
  totals: Record<OutcomeGroup | 'NOT_HELD' | 'NOT_DONE', number>;
  sources: SourceSummary[];
  /** Sources that could not be searched (R1): the answer is not complete while any remain. */
  notSearched: SourceGap[];
  /** Sources where the erasure could not be checked: the answer is not complete either. */
  notVerified: SourceGap[];
  letter: string;
}

const NEEDS_NO_TASK: ReadonlySet<RecordAction> = new Set([RecordAction.RELEASE, RecordAction.RETAIN]);

/**
 * Actions that change or mark a record the source keeps: done on a record the source no
 * longer held (it answered NOT_FOUND), they changed nothing, and the person is told what
 * there was nothing to do. An erasure of a record already gone is still an erasure.
 */
const NOTHING_TO: Readonly<Partial<Record<RecordAction, string>>> = {
  [RecordAction.CORRECT]: 'correct',
  [RecordAction.ANNOTATE]: 'correct',
  [RecordAction.RESTRICT]: 'restrict',
};

function itemOf(r: SummaryRecordInput): SummaryItem {
  const state: TaskState = r.state ?? (NEEDS_NO_TASK.has(r.action) ? 'DONE' : 'PENDING');
  return {
    recordId: r.recordId,
    recordType: r.recordType ?? null,
    action: r.action,
    reason: (state === 'FAILED' ? r.notDoneBecause : null) ?? r.reason ?? null,
    basis: r.basis ?? null,
    retainUntil: r.retainUntil ?? null,
    completedAt: r.completedAt ?? null,
    state,
    notHeld: state === 'DONE' && NOTHING_TO[r.action] !== undefined && r.outcome === 'NOT_FOUND',
    changedThenGone: state === 'DONE' && NOTHING_TO[r.action] !== undefined && r.outcome === 'NOT_FOUND' && r.applied === true,
    changedUnchecked: state === 'FAILED' && r.unverified === true,
    notDoneBecause: state === 'FAILED' ? (r.notDoneBecause ?? null) : null,
  };
}

/** A calendar day in UTC: a retention end, as the decision's basis text gives it. */
const utcDay = (d: Date) => d.toISOString().slice(0, 10);
/** Formats an instant as the calendar day it falls on where the request is handled. */
type DayOf = (d: Date) => string;

const VERB: Readonly<Record<RecordAction, string>> = {
  [RecordAction.RELEASE]: 'copied to you',
  [RecordAction.CORRECT]: 'corrected',
  [RecordAction.ANNOTATE]: 'annotated with your correction (the original medical record stays, as the law requires)',
  [RecordAction.ERASE]: 'erased',
  [RecordAction.ANONYMISE]: 'anonymised',
  [RecordAction.MINIMISE]: 'erased, except a minimal record that a recruitment took place',
  [RecordAction.PURGE]: 'destroyed (past its retention period)',
  [RecordAction.RESTRICT]: 'restricted: kept but no longer used',
  [RecordAction.RETAIN]: 'kept',
};

export const TYPE_TEXT: Readonly<Record<RequestType, string>> = {
  [RequestType.ACCESS]: 'a copy of your personal data',
  [RequestType.RECTIFICATION]: 'the correction of your personal data',
  [RequestType.ERASURE]: 'the erasure of your personal data',
  [RequestType.RESTRICTION]: 'the restriction of the processing of your personal data',
  [RequestType.OBJECTION]: 'your objection to the processing of your personal data',
};

function itemLine(i: SummaryItem, day: DayOf): string {
  const what = `${i.recordType ?? 'record'} ${i.recordId}`;
  if (i.changedUnchecked) return `- ${what}: ${VERB[i.action]}, but we could not check the change by reading the record back.`;
  if (i.notDoneBecause) return `- ${what}: not ${VERB[i.action]}: ${i.notDoneBecause}.`;
  if (i.state === 'FAILED') return `- ${what}: could not yet be ${VERB[i.action]}; we are retrying and will write again.`;
  if (i.state === 'PENDING') return `- ${what}: to be ${VERB[i.action]}; we will confirm when done.`;
  if (i.changedThenGone) return `- ${what}: ${VERB[i.action]}, but no longer held by us when we read it back, so the change could not be checked.`;
  if (i.notHeld) return `- ${what}: no longer held by us, so there was nothing in it to ${NOTHING_TO[i.action]}; it was not changed.`;
  const when = i.completedAt ? ` on ${day(i.completedAt)}` : '';
  const basis = i.basis ? ` Basis: ${i.basis}.` : '';
  const until = i.retainUntil ? ` Kept until ${utcDay(i.retainUntil)}.` : '';
  const why = i.action === RecordAction.RETAIN && i.reason ? ` ${i.reason.replace(/\.?$/, '.')}` : '';
  return `- ${what}: ${VERB[i.action]}${when}.${basis}${until}${why}`;
}

const CLOSING =
  'If you are not satisfied with this answer, you may contact our data protection officer or complain to your data protection supervisory authority.';

function letterOf(s: Omit<ResponseSummary, 'letter'>, input: ResponseSummaryInput): string {
  const day: DayOf = (d) => civilDateIn(d, input.timeZone);
  const lines: string[] = [];
  lines.push(`Dear ${input.addressee?.trim() || 'requester'},`, '');
  lines.push(`Reference: ${s.requestId}`, '');
  lines.push(
    `On ${day(s.receivedAt)} you asked us for ${TYPE_TEXT[s.requestType]}.` + (s.verifiedAt ? ` We confirmed your identity on ${day(s.verifiedAt)}.` : ''),
  );
  if (s.extension && input.dueAt) {
    const why = s.extension.reason ? `, because: ${s.extension.reason.trim().replace(/\.?$/, '.')}` : '.';
    lines.push(`We extended the time to answer from ${day(input.dueAt)} to ${day(s.extension.extendedDueAt)}, as we told you${why}`);
  }
  if (s.late && s.dueAt) lines.push(`We are sorry that this answer comes after the date we owed it to you (${day(s.dueAt)}).`);
  lines.push('', 'This is what we did, system by system:', '');
  for (const src of s.sources) {
    lines.push(`${src.sourceName}:`);
    const items = [...src.released, ...src.corrected, ...src.erased, ...src.restricted, ...src.retained, ...src.notHeld, ...src.notDone];
    if (items.length === 0) lines.push('- We hold no data about you here.');
    for (const i of items) lines.push(itemLine(i, day));
    lines.push('');
  }
  if (s.totals.RETAINED > 0) {
    lines.push('Where we keep data, it is because of the legal basis named above, until the date given; after it the data is destroyed.');
  }
  lines.push(...gapLines(s.notSearched, s.notVerified));
  if (!s.complete)
    lines.push(
      finished(s)
        ? 'Some actions could not be carried out, for the reasons given above.'
        : 'Some actions are not finished yet; we will write again when they are.',
    );
  lines.push(CLOSING, '', 'Yours sincerely,', input.signature?.trim() || 'The Privacy Office');
  return lines.join('\n') + '\n';
}

/** Nothing left to do or to check: every action not done failed for good, with its reason. */
const finished = (s: Omit<ResponseSummary, 'letter'>): boolean =>
  s.notSearched.length === 0 &&
  s.notVerified.length === 0 &&
  s.sources.every((src) => src.notDone.every((i) => i.notDoneBecause !== null && !i.changedUnchecked));

function gapLines(notSearched: readonly SourceGap[], notVerified: readonly SourceGap[]): string[] {
  const lines: string[] = [];
  for (const g of notSearched) lines.push(`${g.sourceName} could not be searched (${g.reason}); this answer does not cover it.`);
  for (const g of notVerified) lines.push(`${g.sourceName}: we could not yet check that the data is gone (${g.reason}); we will check again.`);
  if (lines.length) lines.push('');
  return lines;
}

/** Builds the structured answer and its letter from the decided (and executed) records. */
export function buildResponseSummary(input: ResponseSummaryInput): ResponseSummary {
  requireValidDate(input.receivedAt, 'The receipt date');
  requireValidDate(input.respondedAt, 'The response date');
  const totals: ResponseSummary['totals'] = { RELEASED: 0, CORRECTED: 0, ERASED: 0, RESTRICTED: 0, RETAINED: 0, NOT_HELD: 0, NOT_DONE: 0 };
  const summaries: SourceSummary[] = input.sources.map(({ source, records }) => {
    const s: SourceSummary = {
      sourceId: source.id,
      sourceName: source.name,
      sourceKind: source.kind,
      released: [],
      corrected: [],
      erased: [],
      restricted: [],
      retained: [],
      notHeld: [],
      notDone: [],
    };
    for (const r of records) {
      const item = itemOf(r);
      if (item.state !== 'DONE') {
        s.notDone.push(item);
        totals.NOT_DONE += 1;
        continue;
      }
      if (item.notHeld) {
        s.notHeld.push(item);
        totals.NOT_HELD += 1;
        continue;
      }
      const group = OUTCOME_GROUP[item.action];
      totals[group] += 1;
      const key = group.toLowerCase() as Lowercase<OutcomeGroup>;
      s[key].push(item);
    }
    return s;
  });
  const binding = input.extendedDueAt ?? input.dueAt ?? null;
  const base: Omit<ResponseSummary, 'letter'> = {
    requestId: input.requestId,
    requestType: input.requestType,
    receivedAt: input.receivedAt,
    verifiedAt: input.verifiedAt ?? null,
    dueAt: binding,
    extension: input.extendedDueAt ? { extendedDueAt: input.extendedDueAt, reason: input.extensionReason?.trim() || null } : null,
    respondedAt: input.respondedAt,
    complete: totals.NOT_DONE === 0 && !(input.gaps ?? []).length,
    late: binding !== null && input.respondedAt > binding,
    totals,
    sources: summaries,
    notSearched: (input.gaps ?? []).filter((g) => g.kind === 'NOT_SEARCHED'),
    notVerified: (input.gaps ?? []).filter((g) => g.kind === 'NOT_VERIFIED'),
  };
  return { ...base, letter: letterOf(base, input) };
}

/**
 * An answer built elsewhere (the access package's), amended to name the sources that could
 * not be searched: never complete, and the letter says so before its closing lines.
 */
export function withSourcesNotSearched<T extends Record<string, unknown>>(response: T, gaps: readonly SourceGap[]): T {
  if (gaps.length === 0) return response;
  const letter = String(response.letter ?? '');
  const closing = letter.indexOf(CLOSING);
  const text = gapLines(gaps, []).join('\n') + '\n';
  return {
    ...response,
    complete: false,
    notSearched: gaps,
    notVerified: (response.notVerified as unknown[] | undefined) ?? [],
    letter: closing >= 0 ? letter.slice(0, closing) + text + letter.slice(closing) : letter + text,
  };
}

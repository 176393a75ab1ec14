// What a retention run does with one record past retention (R9), from the source's policy,
// the record's dates and facts, and the holds the gateway knows of. Pure: the preview
// shows it, the handler approves it, execution acts on it.
import type { SourceDescription, SourceRecord } from '../../connectors/contract.js';
import { RecordAction, sourceRulesOf } from '../domain/vocabulary.js';
import { isRelatedAppearance, legalHoldOf, mayHoldByStatute, retentionEndOf, retentionStartOf, type DecisionRecord } from '../requests/decisions.js';

/** Why a record past its source's listing is kept; one value per meaning, shown in the preview. */
export const KeptReason = {
  /** R8: statutory retention still runs for the record (e.g. medical records: 3 + 30 years). */
  LEGAL_HOLD: 'LEGAL_HOLD',
  /** An open request holds the record (it is kept under that request's legal hold or awaits its controller). */
  OPEN_REQUEST: 'OPEN_REQUEST',
  /**
   * R1: an answered restriction request keeps the record (restricted, not processed, often
   * instead of its erasure): the restriction stays in force after the request closed.
   */
  RESTRICTED: 'RESTRICTED',
  /** R6: the record's controller refused a request about it; nothing is done until it instructs otherwise. */
  CONTROLLER_REFUSED: 'CONTROLLER_REFUSED',
  /** A hired candidate's application became the personnel file: not destroyed as an application. */
  PERSONNEL_FILE: 'PERSONNEL_FILE',
  /** The gateway's reading of the policy (a registration may lengthen it) does not end retention yet. */
  NOT_EXPIRED: 'NOT_EXPIRED',
  /** The record has no dates: the end of retention cannot be known, a handler must look. */
  UNDATED: 'UNDATED',
} as const;
export type KeptReason = (typeof KeptReason)[keyof typeof KeptReason];

/** A hold the gateway's own records put on a record (an open request, a controller's refusal). */
export interface RecordHold {
  reason: typeof KeptReason.OPEN_REQUEST | typeof KeptReason.CONTROLLER_REFUSED | typeof KeptReason.RESTRICTED;
  requestId: string;
  /**
   * An OPEN_REQUEST from a rectification's own RETAIN that found nothing to correct in the
   * record (R14: data accurate, field not held or not correctable), not overridden: it keeps
   * a retention run off the record while that request is answered, but holds no other request.
   */
  nothingToCorrect?: boolean;
  /**
   * A restriction request's RESTRICT (R1: the person asks that the record be kept and not
   * processed, often instead of its erasure, say for a legal claim): OPEN_REQUEST while it is
   * open, RESTRICTED once answered (the restriction stands). It keeps a retention run off the
   * record; it holds a request's erasure only when the person asked for it after that request
   * (`receivedAt`): an erasure of a record found again long after it was erased (the
   * recreation sweep, a retry) must not destroy what the person has since asked us to keep.
   */
  restriction?: boolean;
  /** When the holding request was received (restrictions: which of the person's wishes came last). */
  receivedAt?: Date | null;
}

export interface PlannedRetentionItem {
  recordId: string;
  recordType: string;
  /** Retention is counted from here (last activity, else creation). */
  start: Date | null;
  /** What is done; null when the record is kept. */
  action: RecordAction | null;
  kept: KeptReason | null;
  /** Plain words for the preview (ids and dates, never the record's data). */
  detail: string | null;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The destroying action the source's policy names for a record whose retention is over. */
export function retentionActionOf(record: SourceRecord, source: SourceDescription): RecordAction {
  const rules = sourceRulesOf(source.kind, source.rules);
  if (rules.footage === true || source.retention.erasure === 'PURGE_SEGMENTS') return RecordAction.PURGE;
  // R16: a person inside someone else's record: that appearance goes.
  if (isRelatedAppearance(record.relationship)) return RecordAction.ERASE;
  // Statutory retention ended: the record is purged, which such a source accepts only past its end (R8).
  if (mayHoldByStatute(source.kind, source.retention, source.rules)) return RecordAction.PURGE;
  switch (source.retention.erasure) {
    case 'MINIMISE':
      return RecordAction.MINIMISE;
    case 'ANONYMISE':
      return RecordAction.ANONYMISE;
    default:
      return RecordAction.ERASE;
  }
}

/** Plans one record a source listed as past retention at `asOf`. */
export function planRetentionItem(record: SourceRecord, source: SourceDescription, asOf: Date, hold?: RecordHold): PlannedRetentionItem {
  const start = retentionStartOf(record.dates) ?? null;
  const base = { recordId: record.recordId, recordType: record.recordType, start };
  const kept = (reason: KeptReason, detail: string): PlannedRetentionItem => ({ ...base, action: null, kept: reason, detail });
  if (hold) {
    if (hold.reason === KeptReason.RESTRICTED)
      return kept(hold.reason, `restriction request ${hold.requestId} restricted this record at the person's request: kept while the restriction stands (R1)`);
    return hold.reason === KeptReason.CONTROLLER_REFUSED
      ? kept(hold.reason, `the controller refused request ${hold.requestId} about this record (R6)`)
      : kept(
          hold.reason,
          hold.restriction
            ? `restriction request ${hold.requestId}: the person asks that this record be kept and not processed`
            : `request ${hold.requestId} is open and holds this record`,
        );
  }
  const end = retentionEndOf(record.dates, source.retention, source.kind, source.rules);
  if (!end) return kept(KeptReason.UNDATED, 'the record has no dates: the end of retention cannot be known');
  if (end > asOf) {
    // R8: inside statutory retention the record is under legal hold, whatever listed it.
    const hold8 = legalHoldOf(decisionRecordOf(record, source), source.retention, asOf);
    if (hold8) return kept(KeptReason.LEGAL_HOLD, `kept under ${hold8.basis} until ${day(end)} (R8)`);
    return kept(KeptReason.NOT_EXPIRED, `retention ends ${day(end)} (${source.retention.summary})`);
  }
  if (record.facts?.hired === true) return kept(KeptReason.PERSONNEL_FILE, 'a hired candidate: the application became the personnel file');
  return { ...base, action: retentionActionOf(record, source), kept: null, detail: null };
}

/**
 * R8: a planned item whose data other records share (footage that also shows their visits,
 * `sharing`: their ids) is kept while one of them is held, by the first such hold: destroying
 * it would destroy what that hold keeps. Pure; an item already kept stays as it is.
 */
export function keptForSharedData(
  item: PlannedRetentionItem,
  sharing: readonly string[],
  holds: ReadonlyMap<string, readonly RecordHold[]>,
): PlannedRetentionItem {
  if (!item.action) return item;
  for (const other of sharing) {
    const hold = other === item.recordId ? undefined : holds.get(other)?.[0];
    if (hold)
      return { ...item, action: null, kept: hold.reason, detail: `its data (footage) also shows record ${other}, which request ${hold.requestId} holds (R8)` };
  }
  return item;
}

function decisionRecordOf(record: SourceRecord, source: SourceDescription): DecisionRecord {
  return {
    sourceKind: source.kind,
    ...(source.rules ? { sourceRules: source.rules } : {}),
    recordType: record.recordType,
    relationship: record.relationship,
    dates: record.dates,
    controllerId: record.controllerId ?? null,
    facts: record.facts,
  };
}

/** What the preview shows of one source: counts per record type and action, the oldest start, sample ids, what is kept and why. */
export interface SourceRetentionSummary {
  sourceId: string;
  /** False when the source cannot list what is past retention (no listExpired): reported, never skipped silently. */
  listable: boolean;
  /** Why the source could not be listed (unsupported, unreachable). */
  error: string | null;
  toDestroy: { recordType: string; action: string; count: number }[];
  kept: { reason: string; count: number }[];
  oldest: string | null;
  sampleRecordIds: string[];
}

const SAMPLES = 5;

/** The summary of one source's planned items. Pure. */
export function summariseSource(sourceId: string, items: readonly PlannedRetentionItem[]): SourceRetentionSummary {
  const destroy = new Map<string, { recordType: string; action: string; count: number }>();
  const keptBy = new Map<string, number>();
  let oldest: Date | null = null;
  for (const item of items) {
    if (item.action) {
      const key = `${item.recordType}\u0000${item.action}`;
      const entry = destroy.get(key) ?? { recordType: item.recordType, action: item.action, count: 0 };
      entry.count++;
      destroy.set(key, entry);
      if (item.start && (!oldest || item.start < oldest)) oldest = item.start;
    } else if (item.kept) keptBy.set(item.kept, (keptBy.get(item.kept) ?? 0) + 1);
  }
  return {
    sourceId,
    listable: true,
    error: null,
    toDestroy: [...destroy.values()].sort((a, b) => a.recordType.localeCompare(b.recordType) || a.action.localeCompare(b.action)),
    kept: [...keptBy].map(([reason, count]) => ({ reason, count })).sort((a, b) => a.reason.localeCompare(b.reason)),
    oldest: oldest?.toISOString() ?? null,
    sampleRecordIds: items
      .filter((i) => i.action)
      .slice(0, SAMPLES)
      .map((i) => i.recordId),
  };
}

/** A source that could not be listed, as the preview reports it. */
export function unlistedSource(sourceId: string, error: string): SourceRetentionSummary {
  return { sourceId, listable: false, error, toDestroy: [], kept: [], oldest: null, sampleRecordIds: [] };
}

// Footage holds no identifier of the people in it: a visitor who does not know their badge
// id says where and when they were. The sources that can look by presence (findPresent)
// answer with everyone there; each record is offered for REVIEW, because only a handler can
// tell which visit is the person's. Pure: the checks and the snapshot rows' matches.
import type { FieldDescription, PresenceQuery, SourceRecord } from '../../connectors/contract.js';
import { MatchBand, type DataCategory } from '../domain/vocabulary.js';
import type { RecordMatch } from '../identity/index.js';
import { badInput } from './request-errors.js';

/** The widest window one request may ask about: a visit, not a week of everyone's footage. */
export const MAX_PRESENCE_WINDOW_MS = 24 * 3_600_000;

export interface PresenceInput {
  site: string;
  from: Date;
  to: Date;
}

/** A site and a window that can be searched: named, ordered, at most 24 hours, not in the future (BAD_USER_INPUT). */
export function checkPresence(input: PresenceInput, now: Date): PresenceQuery {
  const site = input.site?.trim();
  if (!site) throw badInput('A presence look-up needs the site');
  const { from, to } = input;
  if (Number.isNaN(from?.getTime()) || Number.isNaN(to?.getTime())) throw badInput('A presence look-up needs a valid time window');
  if (from >= to) throw badInput('The time window must end after it starts');
  if (to.getTime() - from.getTime() > MAX_PRESENCE_WINDOW_MS) throw badInput('The time window may span at most 24 hours');
  if (from > now) throw badInput('The time window cannot start in the future');
  return { site, from: from.toISOString(), to: to.toISOString() };
}

/**
 * A record found by presence, as a REVIEW match with no evidence: nothing was compared,
 * so its score is 0 and its explanation empty; the categories are what the source
 * describes for its record type.
 */
export function presenceMatch(sourceId: string, record: SourceRecord, fields: readonly FieldDescription[]): RecordMatch {
  const categories = [...new Set(fields.filter((f) => f.recordType === record.recordType).flatMap((f) => f.categories))] as DataCategory[];
  return {
    sourceId,
    recordId: record.recordId,
    recordType: record.recordType,
    relationship: record.relationship,
    ...(record.parentRecordId ? { parentRecordId: record.parentRecordId } : {}),
    band: MatchBand.REVIEW,
    score: 0,
    explanation: { parametersVersion: 'presence', priorWeight: 0, fields: [], totalWeight: 0, probability: 0, agreeingIdentifiers: [] },
    round: 1,
    matchedAgainst: 'QUERY',
    categories,
    dates: record.dates,
    ...(record.controllerId ? { controllerId: record.controllerId } : {}),
    record,
  };
}

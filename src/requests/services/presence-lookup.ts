// Verification's look-up by presence (footage): every source that can answer one is asked
// where and when the person says they were, under a time limit. A source that fails or
// hangs leaves the discovery incomplete, like one that failed its identifier search (R1).
import type { PresenceQuery } from '../../../connectors/contract.js';
import { withinTime } from '../../domain/time-limit.js';
import type { RecordMatch } from '../../identity/index.js';
import type { Logger } from '../../logging/logger.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import type { DiscoveryOutcome } from '../store/request.store.js';
import { presenceMatch } from '../presence.js';
import { recordKey } from '../snapshot.js';
import { safeFailureMessage } from '../../sources/failure-code.js';

export interface PresenceFound {
  matches: RecordMatch[];
  /** Sources that could not answer. */
  failed: string[];
}

export const PRESENCE_LOOKUP_FAILED = 'PRESENCE_LOOKUP_FAILED';

export async function lookUpPresence(
  deps: { sources: SourceRegistry; logger: Logger },
  presence: PresenceQuery,
  timeLimitMs: number,
  sourceIds?: readonly string[],
): Promise<PresenceFound> {
  const sources = (await deps.sources.list()).filter((s) => !sourceIds || sourceIds.includes(s.id));
  const found: PresenceFound = { matches: [], failed: [] };
  await Promise.all(
    sources.map(async (source) => {
      try {
        const connector = await deps.sources.connector(source.id);
        if (typeof connector.findPresent !== 'function') return;
        const records = await withinTime(connector.findPresent(presence), timeLimitMs, () => new Error(`no answer within ${timeLimitMs} ms`));
        const fields = connector.describe().fields;
        found.matches.push(...records.map((r) => presenceMatch(source.id, r, fields)));
      } catch (error) {
        deps.logger.warn({ sourceId: source.id, err: safeFailureMessage(error) }, 'presence look-up failed');
        found.failed.push(source.id);
      }
    }),
  );
  return found;
}

/** The records found by identifiers, then those found by presence alone (a record found both ways keeps its identifier match). */
export function withPresence(records: readonly RecordMatch[], found: PresenceFound): RecordMatch[] {
  const known = new Set(records.map(recordKey));
  return [...records, ...found.matches.filter((m) => !known.has(recordKey(m)))];
}

/** The discovery outcome with the presence look-up's failures: those sources count as not searched. */
export function outcomeWithPresence(outcome: DiscoveryOutcome, found: PresenceFound, records: readonly RecordMatch[]): DiscoveryOutcome {
  const count = (sourceId: string) => records.filter((r) => r.sourceId === sourceId).length;
  const sources = outcome.sources.map((s) =>
    found.failed.includes(s.sourceId) ? { ...s, status: 'FAILED', errorCode: PRESENCE_LOOKUP_FAILED } : { ...s, records: count(s.sourceId) },
  );
  for (const sourceId of found.failed) {
    if (!sources.some((s) => s.sourceId === sourceId)) sources.push({ sourceId, status: 'FAILED', errorCode: PRESENCE_LOOKUP_FAILED, records: 0 });
  }
  return { ...outcome, complete: outcome.complete && found.failed.length === 0, sources };
}

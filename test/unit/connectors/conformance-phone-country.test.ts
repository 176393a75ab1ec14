// The conformance kit's check that an erased record is gone from discovery must ask with the
// keys the connector would hold for it: a connector keying national numbers in FR, asked with
// GB keys, would pass the check even when it still finds the record by its number.
import { describe, expect, it } from 'vitest';
import type { Connector, DiscoveryQuery, Identifier, SourceRecord } from '../../../connectors/contract.js';
import { expectGoneFromDiscovery } from '../../../connectors/conformance/index.js';
import { blockingKeysOf } from '../../../src/identity/blocking.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';

const held: Identifier[] = [{ type: T.PHONE, value: '06 12 34 56 78' }];
const ref = { sourceId: 'paris', recordId: 'R1' };

/** A French store whose erasure left the record's keys behind: still found by the number's key. */
const leftKeysBehind = {
  discover: async (queries: DiscoveryQuery[]) => {
    const stale = new Set(blockingKeysOf(held, { defaultCountry: 'FR' }));
    return queries.map((q) => (q.blockingKeys.some((k) => stale.has(k)) ? [{ recordId: ref.recordId } as SourceRecord] : []));
  },
} as unknown as Connector;
const keysGone = { discover: async (queries: DiscoveryQuery[]) => queries.map(() => []) } as unknown as Connector;

describe('conformance kit: an erased record is gone from discovery', () => {
  it("asks in the connector's phone country: a French store still finding the record by its national number fails the check", async () => {
    await expect(expectGoneFromDiscovery({ connector: leftKeysBehind, phoneCountry: 'FR' }, held, ref)).rejects.toThrow(/found by the identifiers it held/);
    await expectGoneFromDiscovery({ connector: keysGone, phoneCountry: 'FR' }, held, ref);
  });

  it('asks in GB for a fixture that names no country, as the reference stores are keyed', async () => {
    const britishStale = {
      discover: async (queries: DiscoveryQuery[]) => {
        const stale = new Set(blockingKeysOf([{ type: T.PHONE, value: '07700 900123' }], { defaultCountry: 'GB' }));
        return queries.map((q) => (q.blockingKeys.some((k) => stale.has(k)) ? [{ recordId: ref.recordId } as SourceRecord] : []));
      },
    } as unknown as Connector;
    await expect(expectGoneFromDiscovery({ connector: britishStale }, [{ type: T.PHONE, value: '07700 900123' }], ref)).rejects.toThrow();
  });
});

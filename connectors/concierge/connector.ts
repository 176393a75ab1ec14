// The concierge connector: retention varies by data type; erasure deletes (cards included).
import type pg from 'pg';
import type { ActionResult, ErasurePlan, SourceDescription } from '../contract.js';
import { DataCategory as C, IdentifierType as T, SourceKind } from '../../src/domain/vocabulary.js';
import { ReferenceConnector, rowIds, type RecordTypeSpec, type Row } from '../shared/reference-connector.js';
import { field } from '../shared/describe.js';
import { conciergeRecordTypes } from './records.js';
import { CONCIERGE_PROCESSING } from './processing.js';

export const CONCIERGE_RETENTION = {
  summary: 'varies by data type; at most 2 years after the last booking, then 1 year archive (service history; payment cards under PCI DSS)',
  activePeriod: 'P2Y',
  archivePeriod: 'P1Y',
  statutory: false,
  erasure: 'DELETE',
} as const;

export class ConciergeConnector extends ReferenceConnector {
  readonly kind = SourceKind.CONCIERGE;
  readonly identifierTypes = [T.MEMBERSHIP_NUMBER, T.GIVEN_NAME, T.FAMILY_NAME, T.FULL_NAME, T.EMAIL, T.PHONE, T.POSTCODE];
  protected readonly recordTypes = conciergeRecordTypes;

  describe(): SourceDescription {
    const m = 'member';
    return {
      kind: this.kind,
      name: 'Concierge',
      fields: [
        field(m, 'membership_number', [C.IDENTITY], { identifierType: T.MEMBERSHIP_NUMBER }),
        field(m, 'given_name', [C.IDENTITY], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(m, 'family_name', [C.IDENTITY], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(m, 'email', [C.CONTACT], { correctable: true, identifierType: T.EMAIL }),
        field(m, 'phone', [C.CONTACT], { correctable: true, identifierType: T.PHONE }),
        field(m, 'street', [C.ADDRESS], { correctable: true, identifierType: T.STREET_ADDRESS }),
        field(m, 'city', [C.ADDRESS], { correctable: true, identifierType: T.CITY }),
        field(m, 'postcode', [C.ADDRESS], { correctable: true, identifierType: T.POSTCODE }),
        field(m, 'serviceRequests', [C.SERVICE_HISTORY]),
        field(m, 'paymentCards', [C.PAYMENT_CARD]),
      ],
      retention: { ...CONCIERGE_RETENTION },
      processing: CONCIERGE_PROCESSING,
      // Members ask for services online: a child's data found here is deleted at once (R16).
      rules: { onlineService: true },
      controller: { role: 'CONTROLLER' },
    };
  }

  protected async eraseRecords(client: pg.PoolClient, spec: RecordTypeSpec, rows: readonly Row[], _action: ErasurePlan['action']): Promise<ActionResult[]> {
    await this.deleteRecords(client, spec, rowIds(rows));
    return rows.map(() => ({ outcome: 'APPLIED' }));
  }
}

// The case-management connector. Erasure deletes or anonymises the case (2 years active,
// 1 year archive); cases handled for an employer carry that employer as controller (R6),
// and the gateway asks it before planning the erasure.
import type pg from 'pg';
import type { ActionResult, ErasurePlan, SourceDescription } from '../contract.js';
import { DataCategory as C, IdentifierType as T, SourceKind } from '../../src/domain/vocabulary.js';
import { ReferenceConnector, rowIds, type RecordTypeSpec, type Row } from '../shared/reference-connector.js';
import { field } from '../shared/describe.js';
import { caseRecordTypes, caseSpec } from './records.js';
import { CASE_MANAGEMENT_PROCESSING } from './processing.js';

export const CASE_MANAGEMENT_RETENTION = {
  summary: '2 years active, then 1 year archive',
  activePeriod: 'P2Y',
  archivePeriod: 'P1Y',
  statutory: false,
  erasure: 'DELETE',
} as const;

const IDENTIFYING = ['membership_number', 'given_name', 'family_name', 'date_of_birth', 'email', 'phone', 'street', 'city', 'postcode', 'medical_referral'];

export class CaseManagementConnector extends ReferenceConnector {
  readonly kind = SourceKind.CASE_MANAGEMENT;
  readonly identifierTypes = [T.MEMBERSHIP_NUMBER, T.GIVEN_NAME, T.FAMILY_NAME, T.FULL_NAME, T.DATE_OF_BIRTH, T.EMAIL, T.PHONE, T.POSTCODE];
  protected readonly recordTypes = caseRecordTypes;

  describe(): SourceDescription {
    const c = 'case';
    const p = 'case_party';
    return {
      kind: this.kind,
      name: 'Case management',
      fields: [
        field(c, 'membership_number', [C.IDENTITY], { identifierType: T.MEMBERSHIP_NUMBER }),
        field(c, 'given_name', [C.IDENTITY], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(c, 'family_name', [C.IDENTITY], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(c, 'date_of_birth', [C.IDENTITY], { correctable: true, identifierType: T.DATE_OF_BIRTH }),
        field(c, 'email', [C.CONTACT], { correctable: true, identifierType: T.EMAIL }),
        field(c, 'phone', [C.CONTACT], { correctable: true, identifierType: T.PHONE }),
        field(c, 'street', [C.ADDRESS], { correctable: true, identifierType: T.STREET_ADDRESS }),
        field(c, 'city', [C.ADDRESS], { correctable: true, identifierType: T.CITY }),
        field(c, 'postcode', [C.ADDRESS], { correctable: true, identifierType: T.POSTCODE }),
        field(c, 'employer', [C.EMPLOYMENT], { correctable: true }),
        field(c, 'medical_referral', [C.HEALTH]),
        field(c, 'notes', [C.CASE_NOTES]),
        field(c, 'callRecordings', [C.CALL_RECORDING]),
        field(c, 'consents', [C.CONSENT]),
        field(p, 'given_name', [C.IDENTITY], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(p, 'family_name', [C.IDENTITY], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(p, 'date_of_birth', [C.IDENTITY], { correctable: true, identifierType: T.DATE_OF_BIRTH }),
        field(p, 'email', [C.CONTACT], { correctable: true, identifierType: T.EMAIL }),
        field(p, 'phone', [C.CONTACT], { correctable: true, identifierType: T.PHONE }),
      ],
      retention: { ...CASE_MANAGEMENT_RETENTION },
      processing: CASE_MANAGEMENT_PROCESSING,
      controller: {
        role: 'PROCESSOR',
        note: 'The group is controller of most cases; a case handled for an employer names that employer in controllerId and waits for its instruction (R6).',
      },
    };
  }

  protected async eraseRecords(client: pg.PoolClient, spec: RecordTypeSpec, rows: readonly Row[], action: ErasurePlan['action']): Promise<ActionResult[]> {
    if (spec !== caseSpec) return this.deleteAppearances(client, spec, rows);
    const ids = rowIds(rows);
    if (action === 'ANONYMISE' || action === 'MINIMISE') {
      // Notes and recordings are about the person; an anonymised case keeps only its shape.
      const open = rowIds(rows.filter((r) => !r.anonymised_at));
      await client.query(`DELETE FROM ${this.table('case_notes')} WHERE case_id = ANY($1::text[])`, [open]);
      await client.query(`DELETE FROM ${this.table('call_recordings')} WHERE case_id = ANY($1::text[])`, [open]);
      return this.anonymiseRecords(client, spec, rows, IDENTIFYING);
    }
    await this.deleteRecords(client, spec, ids, [{ table: 'case_parties', foreignKey: 'case_id' }]);
    return rows.map(() => ({ outcome: 'APPLIED' }));
  }
}

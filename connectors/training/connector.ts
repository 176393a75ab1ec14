// The training store's connector (2 years, then 1 year archive; delete or anonymise).
// In the demo it runs inside the stand-in learning platform (service.ts) and the gateway
// reaches it through the remote connector.
import type pg from 'pg';
import type { ActionResult, ErasurePlan, SourceDescription } from '../contract.js';
import { DataCategory as C, IdentifierType as T, SourceKind } from '../../src/domain/vocabulary.js';
import { ReferenceConnector, rowIds, type RecordTypeSpec, type Row } from '../shared/reference-connector.js';
import { dropKeys } from '../shared/key-table.js';
import { field } from '../shared/describe.js';
import { learnerSpec, trainingRecordTypes } from './records.js';
import { TRAINING_PROCESSING } from './processing.js';

export const TRAINING_RETENTION = {
  summary: '2 years, then 1 year archive',
  activePeriod: 'P2Y',
  archivePeriod: 'P1Y',
  statutory: false,
  erasure: 'DELETE',
} as const;

export class TrainingConnector extends ReferenceConnector {
  readonly kind = SourceKind.TRAINING;
  readonly identifierTypes = [T.LEARNER_ID, T.EMAIL, T.GIVEN_NAME, T.FAMILY_NAME, T.FULL_NAME, T.CERTIFICATE_NUMBER];
  protected readonly recordTypes = trainingRecordTypes;

  describe(): SourceDescription {
    const l = 'learner';
    const c = 'certificate';
    return {
      kind: this.kind,
      name: 'Training',
      fields: [
        field(l, 'learner_id', [C.IDENTITY], { identifierType: T.LEARNER_ID }),
        field(l, 'given_name', [C.IDENTITY], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(l, 'family_name', [C.IDENTITY], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(l, 'email', [C.CONTACT], { correctable: true, identifierType: T.EMAIL }),
        field(l, 'employer', [C.EMPLOYMENT], { correctable: true }),
        field(l, 'enrolments', [C.TRAINING]),
        field(c, 'certificate_number', [C.TRAINING], { identifierType: T.CERTIFICATE_NUMBER }),
        field(c, 'holder_name', [C.IDENTITY], { correctable: true, identifierType: T.FULL_NAME }),
        field(c, 'course', [C.TRAINING]),
      ],
      retention: { ...TRAINING_RETENTION },
      processing: TRAINING_PROCESSING,
      // Learners sign up online: a child's data found here is deleted at once (R16). Learners
      // hold no date of birth: the one verified with the person's identity counts. Certificate
      // numbers stay verifiable only with the person's agreement (R9).
      rules: { onlineService: true, dateOfBirth: 'REQUEST', verifiableCertificates: true },
      controller: { role: 'CONTROLLER' },
    };
  }

  protected async eraseRecords(client: pg.PoolClient, spec: RecordTypeSpec, rows: readonly Row[], action: ErasurePlan['action']): Promise<ActionResult[]> {
    if (action === 'ANONYMISE') {
      // Certificate numbers stay verifiable (course and date) without the holder's name.
      if (spec !== learnerSpec) return this.anonymiseRecords(client, spec, rows, ['holder_name']);
      const open = rowIds(rows.filter((r) => !r.anonymised_at));
      const { rows: certificates } = await client.query<{ id: string }>(
        `UPDATE ${this.table('certificates')} SET holder_name = NULL, anonymised_at = now() WHERE learner_ref = ANY($1::text[]) AND anonymised_at IS NULL RETURNING id`,
        [open],
      );
      await dropKeys(
        client,
        this.schema,
        certificates.map((r) => r.id),
      );
      return this.anonymiseRecords(client, spec, rows, ['learner_id', 'given_name', 'family_name', 'email', 'employer']);
    }
    await this.deleteRecords(client, spec, rowIds(rows), spec === learnerSpec ? [{ table: 'certificates', foreignKey: 'learner_ref' }] : []);
    return rows.map(() => ({ outcome: 'APPLIED' }));
  }
}

// The recruitment connector. Erasing an unsuccessful candidate MINIMISEs: the application
// data goes and one recruiting-activity row per application stays (position, country,
// date, outcome; no identifiers). A hired candidate's data is the personnel file; the
// gateway decides on it (facts.hired). Referees can be removed from a candidate's file (R16).
import type pg from 'pg';
import type { ActionResult, ErasurePlan, RecordRef, SourceDescription } from '../contract.js';
import { DataCategory as C, IdentifierType as T, SourceKind } from '../../src/domain/vocabulary.js';
import { ReferenceConnector, rowIds, type RecordTypeSpec, type Row } from '../shared/reference-connector.js';
import { field } from '../shared/describe.js';
import { candidateSpec, recruitmentRecordTypes } from './records.js';
import { RECRUITMENT_PROCESSING } from './processing.js';

export const RECRUITMENT_RETENTION = {
  summary: 'hired: becomes the personnel file; not hired: kept 6 months by default (country-dependent), then a minimal record of recruiting activity',
  activePeriod: 'P6M',
  statutory: false,
  erasure: 'MINIMISE',
} as const;

export class RecruitmentConnector extends ReferenceConnector {
  readonly kind = SourceKind.RECRUITMENT;
  readonly identifierTypes = [T.CANDIDATE_ID, T.EMAIL, T.GIVEN_NAME, T.FAMILY_NAME, T.FULL_NAME, T.PHONE, T.POSTCODE];
  protected readonly recordTypes = recruitmentRecordTypes;

  describe(): SourceDescription {
    const c = 'candidate';
    const r = 'referee';
    return {
      kind: this.kind,
      name: 'Recruitment',
      fields: [
        field(c, 'candidate_id', [C.IDENTITY], { identifierType: T.CANDIDATE_ID }),
        field(c, 'given_name', [C.IDENTITY], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(c, 'family_name', [C.IDENTITY], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(c, 'email', [C.CONTACT], { correctable: true, identifierType: T.EMAIL }),
        field(c, 'phone', [C.CONTACT], { correctable: true, identifierType: T.PHONE }),
        field(c, 'street', [C.ADDRESS], { correctable: true, identifierType: T.STREET_ADDRESS }),
        field(c, 'city', [C.ADDRESS], { correctable: true, identifierType: T.CITY }),
        field(c, 'postcode', [C.ADDRESS], { correctable: true, identifierType: T.POSTCODE }),
        field(c, 'applications', [C.RECRUITMENT]),
        field(c, 'workHistory', [C.EMPLOYMENT]),
        field(c, 'education', [C.EDUCATION]),
        field(c, 'backgroundChecks', [C.BACKGROUND_CHECK]),
        // R12: the monitoring rows as a whole (how records carry them) and each of their fields.
        field(c, 'equalOpportunityMonitoring', [C.ETHNICITY, C.RELIGION, C.HEALTH]),
        field(c, 'equalOpportunityMonitoring.ethnicity', [C.ETHNICITY]),
        field(c, 'equalOpportunityMonitoring.religion', [C.RELIGION]),
        field(c, 'equalOpportunityMonitoring.disability', [C.HEALTH]),
        field(r, 'given_name', [C.IDENTITY, C.REFERENCE], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(r, 'family_name', [C.IDENTITY, C.REFERENCE], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(r, 'email', [C.CONTACT, C.REFERENCE], { correctable: true, identifierType: T.EMAIL }),
        field(r, 'phone', [C.CONTACT, C.REFERENCE], { correctable: true, identifierType: T.PHONE }),
        field(r, 'organisation', [C.EMPLOYMENT, C.REFERENCE], { correctable: true }),
        field(r, 'statement', [C.REFERENCE]),
      ],
      retention: { ...RECRUITMENT_RETENTION },
      processing: RECRUITMENT_PROCESSING,
      controller: { role: 'CONTROLLER' },
    };
  }

  /** A minimised candidate is gone but its recruiting-activity record says so: a repeat is ALREADY_APPLIED. */
  override async erase(ref: RecordRef, plan: ErasurePlan): Promise<ActionResult> {
    const result = await super.erase(ref, plan);
    if (result.outcome !== 'NOT_FOUND' || !ref.recordId.startsWith(candidateSpec.prefix)) return result;
    const { rowCount } = await this.query(`SELECT 1 FROM ${this.table('recruiting_activity')} WHERE source_record_id = $1 LIMIT 1`, [ref.recordId]);
    return rowCount ? { outcome: 'ALREADY_APPLIED', detail: 'minimised to a recruiting-activity record' } : result;
  }

  protected async eraseRecords(client: pg.PoolClient, spec: RecordTypeSpec, rows: readonly Row[], action: ErasurePlan['action']): Promise<ActionResult[]> {
    if (spec !== candidateSpec) return this.deleteAppearances(client, spec, rows);
    const ids = rowIds(rows);
    if (action !== 'ERASE') {
      // MINIMISE (and ANONYMISE, which here means the same): keep what recruiting activity
      // needs, one row per application, or one bare row for a candidate without any.
      await client.query(
        `INSERT INTO ${this.table('recruiting_activity')} (source_record_id, position, country, applied_at, outcome)
         SELECT candidate_ref, position, country, applied_at, outcome FROM ${this.table('applications')} WHERE candidate_ref = ANY($1::text[])`,
        [ids],
      );
      await client.query(
        `INSERT INTO ${this.table('recruiting_activity')} (source_record_id, country)
         SELECT c.id, c.country FROM unnest($1::text[], $2::text[]) AS c(id, country)
          WHERE NOT EXISTS (SELECT 1 FROM ${this.table('applications')} a WHERE a.candidate_ref = c.id)`,
        [ids, rows.map((r) => (r.country ?? null) as string | null)],
      );
    }
    await this.deleteRecords(client, spec, ids, [{ table: 'referees', foreignKey: 'candidate_ref' }]);
    const detail = action === 'ERASE' ? 'deleted' : 'minimised to a recruiting-activity record';
    return rows.map(() => ({ outcome: 'APPLIED', detail }));
  }
}

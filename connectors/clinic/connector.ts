// The clinic connector. Medical records sit under statutory retention (3 years, then 30
// years archive): erasure is refused with the legal-hold basis and date (R8) unless the
// gateway's plan is a PURGE of a record whose retention has run out, or an ERASE of an
// occupational-health assessment the employer took back at the end of its contract (the
// clinic processes those for the employer: R6); corrections are
// annotations beside the original (R14); restriction flags the record.
import type pg from 'pg';
import type { ActionResult, ErasurePlan, FieldChange, RecordRef, SourceDescription, SourceRecord } from '../contract.js';
import { DataCategory as C, IdentifierType as T, SourceKind } from '../../src/domain/vocabulary.js';
import { ReferenceConnector, correctableColumn, rowIds, publicData, type RecordTypeSpec, type Row } from '../shared/reference-connector.js';
import { field } from '../shared/describe.js';
import { assessmentSpec, clinicRecordTypes, emergencyContactSpec } from './records.js';
import { CLINIC_PROCESSING } from './processing.js';

export const CLINIC_RETENTION = {
  summary: 'original medical records kept as regulation requires: 3 years, then 30 years archive',
  activePeriod: 'P3Y',
  archivePeriod: 'P30Y',
  statutory: true,
  basis: 'Statutory retention of medical records (3 years active, then 30 years archive)',
  erasure: 'LEGAL_HOLD',
} as const;

/** The date until which a medical record is held: last activity + 3 + 30 years. */
export function legalHoldUntil(row: Row): string | undefined {
  const from = row.last_activity_at ?? row.created_at;
  if (!from) return undefined;
  const d = new Date(String(from));
  d.setUTCFullYear(d.getUTCFullYear() + 33);
  return d.toISOString();
}

/** The clinic's answer to an erasure of a medical record: kept, with the basis and the date (R8). */
function refusalOf(row: Row): ActionResult {
  const until = legalHoldUntil(row);
  return { outcome: 'REFUSED', detail: `LEGAL_HOLD: ${CLINIC_RETENTION.basis}${until ? `; retained until ${until}` : ''}` };
}

export class ClinicConnector extends ReferenceConnector {
  readonly kind = SourceKind.CLINIC;
  readonly identifierTypes = [
    T.PATIENT_ID,
    T.EMPLOYEE_ID,
    T.GIVEN_NAME,
    T.FAMILY_NAME,
    T.FULL_NAME,
    T.DATE_OF_BIRTH,
    T.NATIONAL_ID,
    T.EMAIL,
    T.PHONE,
    T.POSTCODE,
  ];
  protected readonly recordTypes = clinicRecordTypes;

  describe(): SourceDescription {
    const p = 'patient';
    const o = 'occupational_assessment';
    const e = 'emergency_contact';
    return {
      kind: this.kind,
      name: 'Clinic',
      fields: [
        field(p, 'patient_number', [C.IDENTITY], { identifierType: T.PATIENT_ID }),
        field(p, 'given_name', [C.IDENTITY], { identifierType: T.GIVEN_NAME }),
        field(p, 'family_name', [C.IDENTITY], { identifierType: T.FAMILY_NAME }),
        field(p, 'date_of_birth', [C.IDENTITY], { identifierType: T.DATE_OF_BIRTH }),
        field(p, 'national_id', [C.IDENTITY], { identifierType: T.NATIONAL_ID }),
        field(p, 'phone', [C.CONTACT], { identifierType: T.PHONE }),
        field(p, 'email', [C.CONTACT], { identifierType: T.EMAIL }),
        field(p, 'street', [C.ADDRESS], { identifierType: T.STREET_ADDRESS }),
        field(p, 'city', [C.ADDRESS], { identifierType: T.CITY }),
        field(p, 'postcode', [C.ADDRESS], { identifierType: T.POSTCODE }),
        field(p, 'encounters', [C.HEALTH]),
        field(p, 'annotations', [C.HEALTH]),
        field(o, 'employee_id', [C.EMPLOYMENT], { identifierType: T.EMPLOYEE_ID }),
        field(o, 'given_name', [C.IDENTITY], { identifierType: T.GIVEN_NAME }),
        field(o, 'family_name', [C.IDENTITY], { identifierType: T.FAMILY_NAME }),
        field(o, 'email', [C.CONTACT], { identifierType: T.EMAIL }),
        field(o, 'employer', [C.EMPLOYMENT]),
        field(o, 'fitness_outcome', [C.HEALTH]),
        field(o, 'health_notes', [C.HEALTH]),
        field(e, 'given_name', [C.IDENTITY], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(e, 'family_name', [C.IDENTITY], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(e, 'phone', [C.CONTACT], { correctable: true, identifierType: T.PHONE }),
        field(e, 'email', [C.CONTACT], { correctable: true, identifierType: T.EMAIL }),
      ],
      retention: { ...CLINIC_RETENTION },
      processing: CLINIC_PROCESSING,
      // Medical records are annotated, never overwritten (R14), and kept as the law requires (R8).
      rules: { annotatesCorrections: true, statutoryRetention: { periods: [CLINIC_RETENTION.activePeriod, CLINIC_RETENTION.archivePeriod] } },
      controller: {
        role: 'PROCESSOR',
        note: 'The group controls patient records; occupational-health assessments are processed for the employer named in controllerId (R6), returned to it at contract end on its instruction.',
      },
    };
  }

  /** Medical records are annotated, never overwritten (R14); emergency contacts are plain data. */
  override async correct(ref: RecordRef, changes: FieldChange[]): Promise<ActionResult> {
    const spec = this.specFor(ref.recordId);
    if (!spec) return { outcome: 'NOT_FOUND' };
    if (spec === emergencyContactSpec) return super.correct(ref, changes);
    const unknown = changes.filter((c) => !correctableColumn(spec, c.field)).map((c) => c.field);
    if (unknown.length > 0) return { outcome: 'REFUSED', detail: `not annotatable here: ${unknown.join(', ')}` };
    return this.transaction(async (client) => {
      if (!(await this.loadRow(client, spec, ref.recordId, true))) return { outcome: 'NOT_FOUND' };
      let added = 0;
      for (const change of changes) {
        // Added unless the field's latest annotation already says so (a retried task): a value
        // corrected back after another is annotated again, so the latest is the correct one.
        const annotations = this.table('annotations');
        const result = await client.query(
          `INSERT INTO ${annotations} (record_id, field, value, reason)
           SELECT $1::text, $2::text, $3::text, $4::text
            WHERE (SELECT value FROM ${annotations} WHERE record_id = $1 AND field = $2 ORDER BY id DESC LIMIT 1) IS DISTINCT FROM $3`,
          [ref.recordId, change.field, change.value, change.reason],
        );
        added += result.rowCount ?? 0;
      }
      return added > 0 ? { outcome: 'APPLIED', detail: 'annotation added; the original record is kept (R14)' } : { outcome: 'ALREADY_APPLIED' };
    });
  }

  protected async eraseRecords(client: pg.PoolClient, spec: RecordTypeSpec, rows: readonly Row[], action: ErasurePlan['action']): Promise<ActionResult[]> {
    if (spec === emergencyContactSpec) return this.deleteAppearances(client, spec, rows);
    if (spec === assessmentSpec && action === 'ERASE') {
      // Held for an employer: the gateway asks this only once the employer instructed their
      // return (it keeps them now). The group's own assessments stay held.
      const returned = rows.filter((row) => row.controller_id);
      if (returned.length) {
        const ids = rowIds(returned);
        await client.query(`DELETE FROM ${this.table('annotations')} WHERE record_id = ANY($1::text[])`, [ids]);
        await this.deleteRecords(client, spec, ids);
      }
      return rows.map((row) => (row.controller_id ? { outcome: 'APPLIED', detail: 'returned to the employer and erased on its instruction' } : refusalOf(row)));
    }
    if (action === 'PURGE') {
      // The gateway says retention has run out; the clinic checks each record's own dates
      // (R8: a record still under statutory retention is never destroyed, whatever is asked).
      const now = new Date();
      const expired = rows.filter((row) => {
        const until = legalHoldUntil(row);
        return until !== undefined && new Date(until) <= now;
      });
      if (expired.length < rows.length) {
        const purged = expired.length > 0 ? await this.eraseRecords(client, spec, expired, action) : [];
        return rows.map((row) => (expired.includes(row) ? purged[expired.indexOf(row)]! : refusalOf(row)));
      }
      // The records go with their history.
      const ids = rowIds(rows);
      await client.query(`DELETE FROM ${this.table('annotations')} WHERE record_id = ANY($1::text[])`, [ids]);
      await this.deleteRecords(client, spec, ids);
      return rows.map(() => ({ outcome: 'APPLIED', detail: 'purged after statutory retention' }));
    }
    return rows.map(refusalOf);
  }

  protected override async decorateExport(records: SourceRecord[]): Promise<void> {
    const medical = records.filter((r) => r.recordType !== 'emergency_contact');
    if (medical.length === 0) return;
    const { rows } = await this.query<Row>(`SELECT * FROM ${this.table('annotations')} WHERE record_id = ANY($1::text[]) ORDER BY id`, [
      medical.map((r) => r.recordId),
    ]);
    for (const record of medical) {
      record.data.annotations = rows.filter((a) => a.record_id === record.recordId).map((a) => publicData(a, ['record_id', 'id']));
    }
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every DSR_DEFAULT_PHONE_COUNTRY the deployment has run with. A handler's national number, and
 * the request that keeps it, are read in the default of the day; tombstones and blind-index
 * entries written then hold that reading. Each start records its default here, and checks and
 * searches by a national number read it in every country listed, so a change of the default
 * forgets nothing. A deployment that already holds requests or tombstones read them in GB
 * until now unless it set another default (only the one it next starts with is known then).
 */
export class DefaultPhoneCountries1764000009100 implements MigrationInterface {
  name = 'DefaultPhoneCountries1764000009100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE default_phone_country (
         country text PRIMARY KEY CHECK (country ~ '^[A-Z]{2}$'),
         first_used_at timestamptz NOT NULL DEFAULT now())`,
    );
    await q.query(
      `INSERT INTO default_phone_country (country)
       SELECT 'GB' WHERE EXISTS (SELECT 1 FROM data_subject_request) OR EXISTS (SELECT 1 FROM tombstone)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE default_phone_country`);
  }
}

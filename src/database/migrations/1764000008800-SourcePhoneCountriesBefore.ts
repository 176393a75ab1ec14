import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every phone country a source's national numbers were read in before its current one. A
 * registration that names another country changes the reading at once, but the tombstones and
 * keys written from its records hold the earlier reading: its feed's checks and the recreation
 * sweep read a national number in each of them too. Empty for every source until its country
 * changes (none has changed in a way the gateway remembers before this).
 */
export class SourcePhoneCountriesBefore1764000008800 implements MigrationInterface {
  name = 'SourcePhoneCountriesBefore1764000008800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source ADD COLUMN phone_countries_before text[] NOT NULL DEFAULT '{}'`);
    await q.query(
      `ALTER TABLE source ADD CONSTRAINT source_phone_countries_before_check CHECK (array_to_string(phone_countries_before, ',') ~ '^([A-Z]{2}(,[A-Z]{2})*)?$')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source DROP COLUMN phone_countries_before`);
  }
}

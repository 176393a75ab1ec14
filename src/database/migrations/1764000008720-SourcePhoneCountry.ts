import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The country a source's national-format phone numbers are read in. Sources registered
 * before it existed had every number read as GB, and the tombstones and keys made from their
 * records are of that reading: they keep GB until their registration names another country.
 */
export class SourcePhoneCountry1764000008720 implements MigrationInterface {
  name = 'SourcePhoneCountry1764000008720';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source ADD COLUMN phone_country text NOT NULL DEFAULT 'GB'`);
    await q.query(`ALTER TABLE source ADD CONSTRAINT source_phone_country_check CHECK (phone_country ~ '^[A-Z]{2}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source DROP COLUMN phone_country`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two facts about the person that decisions follow. `date_of_birth_verified`: the handler
 * checked the date of birth given with the request against the proof of identity, so
 * online services may take the person's age from it (R16). `certificates_verifiable`: the
 * person's answer on keeping certificate numbers verifiable after an erasure
 * (true agreed, false refused, null not given). `presence_sealed`: where and when the person
 * says they were (a site and a time window, encrypted like the identifiers), for footage
 * that holds no identifier of them; destroyed with the identifiers (R11).
 */
export class RequestSubjectFacts1764000008000 implements MigrationInterface {
  name = 'RequestSubjectFacts1764000008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE data_subject_request
        ADD COLUMN date_of_birth_verified boolean NOT NULL DEFAULT false,
        ADD COLUMN certificates_verifiable boolean,
        ADD COLUMN presence_sealed text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_subject_request DROP COLUMN date_of_birth_verified, DROP COLUMN certificates_verifiable, DROP COLUMN presence_sealed`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R10, R11, R12 on access packages and erased requests.
 * - An access package has a retention of its own (`retain_until`) and is destroyed when it
 *   runs out or when the person's erasure closes: the sealed archive goes, the metadata
 *   stays (`destroyed_at`, `destroyed_reason`).
 * - It records what it holds (`contents`: sources, record types, categories;
 *   `special_categories`, NULL when unknown: packages built before this migration) and
 *   whether its current link was issued to a principal cleared for special categories.
 * - A completed erasure keeps only its minimal record: the sealed identifiers are destroyed
 *   (`identifiers_destroyed_at` says when).
 */
export class PackageRetentionAndMinimalErasureRecord1764000005100 implements MigrationInterface {
  name = 'PackageRetentionAndMinimalErasureRecord1764000005100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE access_package ALTER COLUMN archive_sealed DROP NOT NULL`);
    await q.query(`ALTER TABLE access_package ADD COLUMN retain_until timestamptz`);
    // Existing packages get the default retention from their creation.
    await q.query(`UPDATE access_package SET retain_until = created_at + interval '30 days'`);
    await q.query(`ALTER TABLE access_package ALTER COLUMN retain_until SET NOT NULL`);
    await q.query(`ALTER TABLE access_package ADD COLUMN destroyed_at timestamptz, ADD COLUMN destroyed_reason text`);
    await q.query(`ALTER TABLE access_package ADD COLUMN contents jsonb NOT NULL DEFAULT '[]'::jsonb, ADD COLUMN special_categories text[]`);
    await q.query(`ALTER TABLE access_package ADD COLUMN link_sees_special boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX access_package_live_idx ON access_package (retain_until) WHERE destroyed_at IS NULL`);
    await q.query(`ALTER TABLE data_subject_request ALTER COLUMN identifiers_sealed DROP NOT NULL`);
    await q.query(`ALTER TABLE data_subject_request ADD COLUMN identifiers_destroyed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_subject_request DROP COLUMN identifiers_destroyed_at`);
    // Destroyed identifiers cannot come back: such rows block the down migration, as they should.
    await q.query(`ALTER TABLE data_subject_request ALTER COLUMN identifiers_sealed SET NOT NULL`);
    await q.query(`DROP INDEX access_package_live_idx`);
    await q.query(`ALTER TABLE access_package DROP COLUMN link_sees_special, DROP COLUMN special_categories, DROP COLUMN contents`);
    await q.query(`ALTER TABLE access_package DROP COLUMN destroyed_reason, DROP COLUMN destroyed_at, DROP COLUMN retain_until`);
    await q.query(`ALTER TABLE access_package ALTER COLUMN archive_sealed SET NOT NULL`);
  }
}

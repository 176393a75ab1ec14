import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A package can be revoked by the handler once built (the identity proved false, the link
 * went to the wrong address): it is destroyed like any other (`destroyed_reason` REVOKED) and
 * keeps the handler's reason, which only a revocation has.
 */
export class AccessPackageRevocation1764000009300 implements MigrationInterface {
  name = 'AccessPackageRevocation1764000009300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE access_package ADD COLUMN revocation_reason text`);
    await q.query(
      `ALTER TABLE access_package ADD CONSTRAINT access_package_revocation_check CHECK (revocation_reason IS NULL OR destroyed_reason = 'REVOKED')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE access_package DROP COLUMN revocation_reason`);
  }
}

// The two database roles of `npm start`'s embedded PostgreSQL, set up as production
// should be (docs/security.md, "Database roles"): `dsr_owner` owns the gateway's tables
// and runs the migrations; `dsr_runtime` is what the gateway connects as, and cannot
// rewrite the audit log. The superuser stays for the demo's reference systems, which
// stand for other teams' databases.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import { quoteIdent } from './roles.js';

export const EMBEDDED_OWNER_ROLE = 'dsr_owner';
export const EMBEDDED_RUNTIME_ROLE = 'dsr_runtime';

export interface EmbeddedRoles {
  /** The owner role's URL: DATABASE_MIGRATION_URL. */
  migrationUrl: string;
  /** The runtime role's URL: what the gateway uses. */
  runtimeUrl: string;
}

/**
 * Creates (or finds) the two roles and gives each a fresh random password at every start
 * (nothing to store; the embedded cluster listens on 127.0.0.1 only), and makes the owner
 * role own the database. A database created before the split keeps its tables owned by
 * the superuser: it then runs with one role, as before, and a warning says how to move on.
 */
export async function setUpEmbeddedRoles(superuserUrl: string, logger: Logger): Promise<EmbeddedRoles | undefined> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ owner: string | null }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = to_regclass('public.audit_log')`,
    );
    const legacyOwner = rows[0]?.owner;
    if (legacyOwner && legacyOwner !== EMBEDDED_OWNER_ROLE) {
      logger.warn(
        { owner: legacyOwner },
        'this embedded database predates the owner and runtime roles: the gateway runs as its owner (not least privilege); remove EMBEDDED_PG_DIR to start afresh with both roles',
      );
      return undefined;
    }
    const passwords: Record<string, string> = {};
    for (const role of [EMBEDDED_OWNER_ROLE, EMBEDDED_RUNTIME_ROLE]) {
      const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;
      if (!exists) await client.query(`CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`);
      passwords[role] = randomBytes(24).toString('base64url');
      await client.query(`ALTER ROLE ${quoteIdent(role)} PASSWORD '${passwords[role]}'`);
    }
    const url = new URL(superuserUrl);
    const database = url.pathname.slice(1);
    await client.query(`ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(EMBEDDED_OWNER_ROLE)}`);
    const as = (role: string) => {
      const u = new URL(superuserUrl);
      u.username = role;
      u.password = passwords[role]!;
      return u.toString();
    };
    return { migrationUrl: as(EMBEDDED_OWNER_ROLE), runtimeUrl: as(EMBEDDED_RUNTIME_ROLE) };
  } finally {
    await client.end();
  }
}

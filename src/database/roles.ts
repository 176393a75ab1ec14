// Least privilege for the gateway's database role (docs/security.md, "Database roles").
//
// An owner role runs the migrations and owns every table; the runtime role the gateway
// connects with gets only what it needs. On the audit tables that is: append entries
// (INSERT, SELECT on audit_log) and move the chain head forward (SELECT, UPDATE on
// audit_chain_head, whose trigger refuses anything but a forward move). Not being the
// owner, it can neither disable the append-only triggers nor alter, delete or truncate
// entries, and it cannot change the schema (no CREATE in public).

/** What can run a statement: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The tables that are evidence: the runtime role may append to them, never rewrite them. */
export const AUDIT_TABLES = ['audit_log', 'audit_chain_head'] as const;

/** A role name as an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The role a connection acts as. */
export async function currentRole(db: Queryable): Promise<string> {
  const [row] = (await db.query('SELECT current_user AS role')) as Array<{ role: string }>;
  return row!.role;
}

/**
 * Grants the runtime role its rights on the gateway's schema, as the owner, after the
 * migrations (run at every migration, so tables a migration adds are covered).
 * `queueSchema`: BullMQ's PostgreSQL schema, when queues live in PostgreSQL; the runtime
 * role works in it freely (BullMQ creates a sequence per queue at first use).
 */
export async function grantRuntimePrivileges(owner: Queryable, runtimeRole: string, options: { queueSchema?: string } = {}): Promise<void> {
  const role = quoteIdent(runtimeRole);
  const statements = [
    // Ordinary tables: the data the gateway works on.
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
    // Evidence and schema history: taken back, then only what appending needs.
    `REVOKE ALL ON ${AUDIT_TABLES.join(', ')}, schema_migrations FROM ${role}`,
    `GRANT SELECT, INSERT ON audit_log TO ${role}`,
    `GRANT SELECT, UPDATE ON audit_chain_head TO ${role}`,
    `GRANT SELECT ON schema_migrations TO ${role}`,
  ];
  if (options.queueSchema) {
    const schema = quoteIdent(options.queueSchema);
    statements.push(
      `GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${role}`,
      `GRANT ALL ON ALL TABLES IN SCHEMA ${schema} TO ${role}`,
      `GRANT ALL ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`,
      `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${role}`,
    );
  }
  for (const sql of statements) await owner.query(sql);
}

/**
 * True when `role` could rewrite the audit log: it owns audit_log (or is a member of its
 * owner), or is a superuser. Single-URL set-ups are like this; they work, without least privilege.
 */
export async function canRewriteAuditLog(db: Queryable): Promise<boolean> {
  const [row] = (await db.query(
    `SELECT r.rolsuper OR pg_has_role(current_user, c.relowner, 'USAGE') AS can
       FROM pg_class c, pg_roles r
      WHERE c.oid = 'audit_log'::regclass AND r.rolname = current_user`,
  )) as Array<{ can: boolean }>;
  return row?.can ?? false;
}

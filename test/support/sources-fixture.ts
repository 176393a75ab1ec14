// Registrations of the built-in reference stores, as the integration tests register them
// after seeding (a source id and the store's URL; the schema is the system's own), and the
// seeded cases the execution tests erase.
import type pg from 'pg';
import { SourceKind } from '../../src/domain/vocabulary.js';

/** A built-in case-management source on a store at `url` (schema case_management). */
export const caseSource = (id: string, url: string) => ({
  id,
  name: id,
  kind: SourceKind.CASE_MANAGEMENT,
  type: 'builtin' as const,
  connection: { system: 'case_management' as const, schema: 'case_management', url },
});

/** A built-in CCTV source on a store at `url` with footage files under `footageDir`. */
export const cctvSource = (id: string, url: string, footageDir: string) => ({
  id,
  name: id,
  kind: SourceKind.CCTV,
  type: 'builtin' as const,
  connection: { system: 'cctv' as const, schema: 'cctv', url, footageDir },
});

/** The seeded case-management store's cases no controller holds, handed out a few at a time so each test erases its own. */
export async function uncontrolledCases(pool: pg.Pool): Promise<(n: number) => string[]> {
  const ids = (await pool.query<{ id: string }>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL ORDER BY id`)).rows.map((r) => r.id);
  let next = 0;
  return (n) => ids.slice(next, (next += n));
}

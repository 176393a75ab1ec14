// Small helpers shared by the operations tests: registrations of reference stores and
// polling for a state the workers reach on their own.
import { SourceKind } from '../../../src/domain/vocabulary.js';

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

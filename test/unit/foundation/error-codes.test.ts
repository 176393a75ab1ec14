import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/domain/error-codes.js';
import { projectRoot } from '../../../src/version.js';

// Clients branch on these codes: the documented list and the code's list are the same.
describe('error codes', () => {
  it('docs/errors.md lists exactly the codes of src/domain/error-codes.ts', () => {
    const docs = readFileSync(join(projectRoot, 'docs', 'errors.md'), 'utf8');
    const documented = [...docs.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});

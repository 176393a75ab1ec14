import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SYSTEMS } from '../../../connectors/builtin.js';
import { projectRoot } from '../../../src/version.js';

// A built-in system is one folder plus one entry in connectors/builtin.ts (docs/connectors.md,
// "Adding a seventh built-in system"). These tests read the product's source files, so a
// rule, a switch or a list that names a system outside its folder fails here.

const PRODUCT_DIRS = ['src', 'connectors', 'jobs', 'schema'];
const systemFolders = readdirSync(join(projectRoot, 'connectors')).filter((d) => {
  try {
    return statSync(join(projectRoot, 'connectors', d, 'descriptor.ts')).isFile();
  } catch {
    return false;
  }
});

/** Files that may name a built-in system, and why. */
const MAY_NAME_A_SYSTEM: Record<string, string> = {
  'connectors/builtin.ts': 'the one list',
  'src/domain/vocabulary.ts': 'the SourceKind values and their default rules',
  'schema/sources/source.types.ts': 'GraphQL descriptions: the printed schema is a published contract',
  'src/requests/response-summary.ts': 'the letter text of a minimised record ("a recruitment took place")',
  'src/identity/scripts/estimate-parameters.ts': '"training records" in the model-fitting sense',
};

function productFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(projectRoot, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path === join('src', 'console')) continue; // the browser console: it names no system either, but is not product server code
      out.push(...productFiles(path));
    } else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('the built-in systems are one list', () => {
  it('every folder with a descriptor is listed once in connectors/builtin.ts, under its own name', () => {
    const names = BUILTIN_SYSTEMS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.map((n) => n.replace(/_/g, '-')).sort()).toEqual([...systemFolders].sort());
  });

  it('no product file outside a system’s own folder names a built-in system', () => {
    const pattern = new RegExp(systemFolders.map((f) => f.replace(/-/g, '[_-]?')).join('|'), 'i');
    const inOwnFolder = (file: string) => systemFolders.some((f) => file.startsWith(join('connectors', f) + '/'));
    const naming = PRODUCT_DIRS.flatMap(productFiles)
      .filter((file) => !inOwnFolder(file))
      .filter((file) => pattern.test(readFileSync(join(projectRoot, file), 'utf8')))
      .map((file) => relative('.', file));
    expect(naming.filter((file) => !(file in MAY_NAME_A_SYSTEM))).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, renderSchema } from '../../../schema/render-schema.js';

describe('printed schema', () => {
  it('schema/schema.graphql matches the schema the code builds (run `npm run schema:print`)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderSchema());
  });
});

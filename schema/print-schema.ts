// `npm run schema:print`: writes the schema built from the code to schema/schema.graphql.
// A test fails when the checked-in file differs, so the contract never drifts silently.
import { writeFileSync } from 'node:fs';
import { SCHEMA_FILE, renderSchema } from './render-schema.js';

writeFileSync(SCHEMA_FILE, await renderSchema());
console.log(`wrote ${SCHEMA_FILE}`);

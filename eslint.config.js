// Standard ESLint set-up for TypeScript: ESLint's recommended rules plus typescript-eslint's,
// and the import boundaries that keep the layers apart (see "Import boundaries" below).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// ---- Import boundaries -------------------------------------------------------------------
// The core (src/) is wired into the GraphQL layer (schema/), the workers (jobs/) and the
// concrete connectors, never the other way round. It may use the connector contract and the
// generic pieces every connector shares: the registry, the source configuration, the shared
// kit, the generic SQL connector and the remote protocol. Paths are matched on the import
// string; every file in src/ reaches the top level through one or more "../".
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const GENERIC_CONNECTOR_PIECES = '(?:contract|registry|source-config)\\.js$|shared/|sql/|remote/';

/** Rule options for the core, allowing the listed top-level targets (e.g. 'jobs/queue-names.js'). */
function coreBoundaries(allowed = []) {
  const except = allowed.length ? `(?!(?:${allowed.map(escapeRegex).join('|')})$)` : '';
  return [
    'error',
    {
      patterns: [
        { regex: `^(?:\\.\\./)+${except}jobs/`, message: 'The core (src/) does not import the workers (jobs/).' },
        { regex: `^(?:\\.\\./)+${except}schema/`, message: 'The core (src/) does not import the GraphQL layer (schema/).' },
        {
          regex: `^(?:\\.\\./)+${except}connectors/(?!${GENERIC_CONNECTOR_PIECES})`,
          message: 'The core (src/) imports only the connector contract and generic pieces, not a concrete connector.',
        },
      ],
    },
  ];
}

// Imports of the core that cross the boundary today. The composition root (src/app, the CLI
// entry points) wires the layers together by design; the others are debt to pay off (issue 15):
// each is allowed for exactly the files and targets listed, so a new crossing fails lint.
const CORE_EXCEPTIONS = [
  // Composition root: builds the schema and starts the workers.
  { files: ['src/app/runtime.ts'], allow: ['schema/build-schema.js', 'jobs/workers.js'] },
  // Demo CLIs register and start the reference systems.
  { files: ['src/cli/demo-load.ts', 'src/cli/demo-sources.ts'], allow: ['connectors/demo-sources.js'] },
  // The demo population is the built-in systems' populations, each from its descriptor.
  { files: ['src/population/seed.ts', 'src/identity/evaluation/export-population.ts'], allow: ['connectors/builtin.js'] },
  // Debt: the HTTP app takes the GraphQL context type and the denial-auditing plugin from schema/.
  { files: ['src/http/http-app.ts'], allow: ['schema/context.js', 'schema/admin/audit-denials.plugin.js'] },
  // Debt: the queue names belong with the core's queue code (src/queue), not with the workers.
  {
    files: ['src/http/metrics-route.ts', 'src/http/queue-board-route.ts', 'src/execution/task-jobs.ts'],
    allow: ['jobs/queue-names.js'],
  },
];

// The GraphQL layer speaks to the database through the core's services, not through TypeORM.
function schemaBoundaries() {
  return [
    'error',
    {
      paths: [{ name: 'typeorm', message: 'The GraphQL layer (schema/) does not import TypeORM: go through a service of the core.' }],
      patterns: [{ regex: '^typeorm/', message: 'The GraphQL layer (schema/) does not import TypeORM: go through a service of the core.' }],
    },
  ];
}
// Debt: a view loader queries with TypeORM's In() operator.
const SCHEMA_EXCEPTIONS = ['schema/requests/request.views.ts'];

// The handler console (src/console/src) runs in the browser: no Node built-ins, none of the
// server's runtime dependencies, nothing outside the console's own source folder.
const serverPackages = Object.keys(JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).dependencies);
const browserMessage = 'The handler console runs in the browser: it does not import Node-side code.';
function consoleBoundaries(depth) {
  return [
    'error',
    {
      paths: [...builtinModules, ...serverPackages].map((name) => ({ name, message: browserMessage })),
      patterns: [
        { regex: '^node:', message: browserMessage },
        { regex: `^(?:${[...builtinModules, ...serverPackages].map(escapeRegex).join('|')})/`, message: browserMessage },
        // A file `depth` folders below src/console/src leaves the console with depth + 1 "../".
        { regex: `^(?:\\.\\./){${depth + 1},}`, message: browserMessage },
      ],
    },
  ];
}
const CONSOLE_DEPTHS = [0, 1, 2, 3, 4];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'reports/', '.stryker-tmp/', 'src/console/src/graphql-env.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Entities and enums are listed as constructors in a few registries.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  // The handler console runs in the browser.
  { files: ['src/console/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  // Import boundaries (the later entry wins for a file, so exceptions come after the rule).
  { files: ['src/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': coreBoundaries() } },
  ...CORE_EXCEPTIONS.map(({ files, allow }) => ({ files, rules: { 'no-restricted-imports': coreBoundaries(allow) } })),
  { files: ['schema/**/*.ts'], ignores: SCHEMA_EXCEPTIONS, rules: { 'no-restricted-imports': schemaBoundaries() } },
  ...CONSOLE_DEPTHS.map((depth) => ({
    files: [`src/console/src/${'*/'.repeat(depth)}*.{ts,tsx}`],
    rules: { 'no-restricted-imports': consoleBoundaries(depth) },
  })),
  // Layout is prettier's (npm run format); rules that would argue with it are off.
  prettier,
);

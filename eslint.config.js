// Standard ESLint set-up for TypeScript: ESLint's recommended rules plus typescript-eslint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'src/console/src/graphql-env.d.ts'] },
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
);

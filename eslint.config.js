// ESLint flat config: typescript-eslint's recommended rules, Prettier owns formatting.
// Typed linting (parserOptions.projectService) for the rules that need types, and import
// boundaries that keep the architecture what docs/architecture.md says it is.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Nothing shipped in a Lambda zip may import the simulator or the fakes. */
const noTestingCode = {
  group: ['**/testing', '**/testing/**'],
  message: 'lambdas/testing (simulator, fakes) is never shipped: handlers and adapters must not import it.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'frontend/dist/',
      '.local/',
      'coverage/',
      '**/.terraform/',
      'test/fixtures/',
      '.stryker-tmp*/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    // Vite's config is outside tsconfig.json (Vite loads it itself).
    ignores: ['frontend/vite.config.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // The domain is pure: ports in, no AWS SDK, no adapter, no Node crypto (ids and keys come
    // through ports), and nothing from the simulator.
    files: ['lambdas/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'aws-sdk', 'aws-sdk/*'],
              message: 'lambdas/core is pure: AWS calls belong in lambdas/adapters behind a port.',
            },
            {
              group: ['**/adapters', '**/adapters/**'],
              message: 'lambdas/core must not import adapters: depend on a port in core/ports.ts.',
            },
            noTestingCode,
          ],
          paths: [
            { name: 'node:crypto', message: 'lambdas/core is pure: take ids and randomness through a port (IdGenerator).' },
            { name: 'crypto', message: 'lambdas/core is pure: take ids and randomness through a port (IdGenerator).' },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/api/**', 'lambdas/monitor/**', 'lambdas/adapters/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noTestingCode] }] },
  },
  {
    files: ['frontend/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);

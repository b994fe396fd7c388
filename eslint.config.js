// ESLint: typescript-eslint's type-aware rules over everything TypeScript (src, test, bench, configs).
// typescript-eslint needs TypeScript's JS API, which the native TypeScript 7 compiler does not have:
// `typescript` in package.json is Microsoft's side-by-side TypeScript 6 package (@typescript/typescript6)
// for tools, while `tsc` comes from TypeScript 7 (@typescript/native). See README "Dependencies and why".
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/lint-fixtures/ holds code that must fail the lint; test/unit/lint.test.ts lints it on purpose.
  { ignores: ['dist/', 'node_modules/', 'data/', 'test-artifacts/', 'bench/results/', 'migrations/', 'migrations-pg/', 'vendor/', 'test/lint-fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Un-awaited promises lose errors (the brief: "no un-awaited promises"); `void` marks the few deliberate ones.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: an `async` function without `await` is how we implement Promise-returning interfaces
      // (Bolt listeners, storage sessions, jobs), so that a throw inside becomes a rejection the
      // caller awaits; the rule's fix (drop `async`) would turn those into synchronous throws.
      '@typescript-eslint/require-await': 'off',
      // Unused code: variables, parameters, imports, caught errors and suppressions.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'all', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unused-expressions': 'error',
      'no-unreachable': 'error',
      // Every suppression says why (`-- reason`).
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
    },
  },
  {
    // Tests: vitest's asymmetric matchers (`expect.any(Number)`, `expect.objectContaining`) are typed
    // `any`, and tests read Slack's JSON answers as they come; the type checker and the assertions
    // cover what these three rules would. Floating promises and unused code are still errors here.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    // Plain JavaScript run by Node (benchmark helpers that load the compiled build, this config): no type information.
    files: ['**/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' },
    },
  },
  {
    // The sandbox page's browser scripts: plain JavaScript, no type information.
    files: ['src/sandbox/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', location: 'readonly', navigator: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', EventSource: 'readonly', HTMLElement: 'readonly', Event: 'readonly', KeyboardEvent: 'readonly', requestAnimationFrame: 'readonly', localStorage: 'readonly', history: 'readonly', Blob: 'readonly', FormData: 'readonly', Node: 'readonly', Intl: 'readonly', Date: 'readonly' },
    },
  },
);

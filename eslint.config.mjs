// Lint with the type-aware rules of typescript-eslint (issue 25): a floating or misused promise,
// an await of a non-promise, a switch that forgot a case, a value stringified as [object Object].
// Part of `npm test` (npm run lint). Types come from tsconfig.check.json, which covers every file
// linted here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'migrations/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A switch over a union must name every member or say `default:` on purpose (the command
      // switch handles the rest of its verbs in its default); a forgotten member without a default
      // is the bug this catches.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // An `_`-prefixed name is kept on purpose: a destructured field left out of a copy, or a
      // parameter an interface passes.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Off: `async` without `await` is how a method keeps its Promise contract (a throw becomes a
      // rejection the caller's catch sees), and the workers' start() methods rely on it.
      '@typescript-eslint/require-await': 'off',
      // Off: every non-Error throw here rethrows a value caught earlier and kept for later (a
      // pass's first failure, a deferred write's rejection, a stream's error), which the rule,
      // tracking only catch clauses, reads as throwing `{}` or `never`. New errors are SlagateError.
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    // Tests, benches and chaos scenarios read JSON, logs and mocks that are untyped by nature, and
    // hand mocked methods to expect(): the any-tracking and unbound-method rules would only add
    // casts there. The promise rules stay on: a floating promise in a test is a race.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'chaos/**/*.ts', '*.config.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Tests read raw query rows as `execute(...) as unknown as Row[]`; the rule would have each
      // rewritten as a type argument, churn that finds no bug.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);

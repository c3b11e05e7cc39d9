import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The pure core: no I/O, clock, randomness or logging (docs/architecture.md, design rule 2).
    files: ['packages/daemonset/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!@everynode/api$|\\.{1,2}/).*', message: 'packages/daemonset imports only the language and @everynode/api.' }] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The core takes `now` as an argument.' },
        { object: 'Math', property: 'random', message: 'The core is deterministic.' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The core takes `now` as an argument.' }],
    },
  },
  {
    // The example agent stands in for one outside everynode (examples/nats-agent/README.md).
    files: ['examples/nats-agent/agent.ts', 'examples/nats-agent/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!@everynode/api$|@nats-io/|node:|\\./).*', message: 'The NATS agent imports only @everynode/api, the NATS client and the language.' }] },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', '.ci/**/*.mjs', 'packages/*/bin/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' } },
  },
);

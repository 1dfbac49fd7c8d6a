// Lint (npm run lint, part of npm test): ESLint's and typescript-eslint's recommended rules on
// lib/, test/ and examples/. Formatting is Prettier's (.prettierrc.json), not a lint rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'results/**', 'scratch/**', 'notebooks/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain CommonJS run by node alone (the notebooks' git filter).
    files: ['lib/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', Buffer: 'readonly', URL: 'writable', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['lib/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts'],
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a field away, a callback's slot).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
);

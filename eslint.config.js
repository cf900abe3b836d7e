// Lint rules from the house style (shared/CONVENTIONS.md): type-checked rules, no money as
// floats, no clock or randomness in domain code, no process.env outside config/, no console.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.kassa/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Money is bigint.' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only config/ reads the environment.' },
        { object: 'Number', property: 'parseFloat', message: 'Money is bigint.' },
      ],
    },
  },
  {
    files: ['**/domain/**/*.ts', 'apps/server/src/kernel/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Pass randomness in.' },
        { object: 'Date', property: 'now', message: 'Pass a Clock in.' },
        { object: 'process', property: 'env', message: 'Only config/ reads the environment.' },
      ],
    },
  },
  {
    files: ['apps/server/src/config/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', '**/*.test.ts', 'apps/server/test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
);

// Lint rules, including the layering described in ARCHITECTURE.md: the backend never
// imports 'electron', the renderer never reaches Node or the main process,
// and shared/ depends on neither side.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = {
  group: ['node:*', 'fs', 'child_process', 'net', 'ssh2'],
  message: 'The renderer has no Node access: go through the contract (renderer/api).',
};
const mainSide = {
  group: ['**/core/**', '**/shells/**'],
  message: 'Import the contract from shared/, not main-process code.',
};
const rendererSide = {
  group: ['**/renderer/**'],
  message: 'The main process never imports renderer code.',
};

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', '.lab/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'core/ must run in plain Node: pass Electron services in through interfaces.',
            },
          ],
          patterns: [
            rendererSide,
            {
              group: ['**/shells/**'],
              message: 'The backend does not depend on its transports.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shells/browser/**/*.ts', 'shells/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The browser shell runs without Electron.' }],
          patterns: [rendererSide],
        },
      ],
    },
  },
  {
    files: ['shells/electron/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [rendererSide] }] },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron', 'react'], patterns: [nodeBuiltins, mainSide, rendererSide] },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer reaches the main process only through window.clusterdeck.',
            },
          ],
          patterns: [nodeBuiltins, mainSide],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.test.ts', 'renderer/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);

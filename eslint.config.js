// Lint rules, including the layering described in ARCHITECTURE.md ("Layers"):
// every module a file loads is resolved (folder, package or Node builtin) and
// checked against its layer by eslint-rules/layering.js. The rules are by
// folder, so files may move inside a layer freely. The tests beside the code
// (*.test.ts) obey their folder's layer, plus vitest; test/ and scripts/ drive
// the whole app and may load anything, but no layer may load them.
// eslint-rules/layering.test.ts lints probe files in each layer to prove it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layering from './eslint-rules/layering.js';

const root = import.meta.dirname;
const layerFolders = [
  'shared',
  'core',
  'core/testing',
  'shells/browser',
  'shells/common',
  'shells/electron',
  'renderer',
  'test',
  'scripts',
];

/**
 * Two config blocks for one layer: its sources, and its tests beside them,
 * which obey the same rule and may also load vitest (sources may not) and the
 * layers of `testsMayImport` (core's fakes).
 */
function layer(folder, policy, extensions = 'ts,tsx,js,mjs,cjs') {
  const sources = [`${folder}/**/*.{${extensions}}`];
  const tests = [`${folder}/**/*.test.{${extensions}}`];
  const { testsMayImport = [], ...rule } = policy;
  const ruleFor = (packages, mayImport = rule.mayImport) => [
    'error',
    { root, layer: folder, layers: layerFolders, ...rule, mayImport, packages },
  ];
  const { allow, deny } = policy.packages;
  return [
    {
      files: sources,
      rules: {
        'local/layering': ruleFor(allow ? { allow } : { deny: [...deny, 'vitest'] }),
      },
    },
    {
      files: tests,
      rules: {
        'local/layering': ruleFor(allow ? { allow: [...allow, 'vitest'] } : { deny }, [
          ...rule.mayImport,
          ...testsMayImport,
        ]),
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'release/',
      'node_modules/',
      '.lab/',
      '.lab-ganeti/',
      '.lab-pve*/',
      'test-results/',
    ],
  },
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
  { plugins: { local: { rules: { layering } } } },
  ...layer('shared', {
    mayImport: ['shared'],
    nodeBuiltins: false,
    packages: { allow: ['zod'] },
    why: 'shared/ is the contract both sides load: zod and itself only, no Node, no DOM.',
  }),
  ...layer('core', {
    mayImport: ['core', 'shared'],
    testsMayImport: ['core/testing'],
    nodeBuiltins: true,
    packages: { deny: ['electron'] },
    why: 'core/ runs in plain Node: pass Electron services in through interfaces; it does not know its shells or the renderer, and only tests load its fakes (core/testing/).',
  }),
  // The fakes of core's unit tests: core and the contract, loaded by tests only.
  ...layer('core/testing', {
    mayImport: ['core/testing', 'core', 'shared'],
    nodeBuiltins: true,
    packages: { deny: ['electron'] },
    why: 'core/testing/ holds fakes for unit tests; it runs in plain Node.',
  }),
  ...layer('shells/common', {
    mayImport: ['shells/common', 'core', 'shared'],
    nodeBuiltins: true,
    packages: { deny: ['electron'] },
    why: 'shells/common/ serves both shells, so it runs without Electron.',
  }),
  ...layer('shells/browser', {
    mayImport: ['shells/browser', 'shells/common', 'core', 'shared'],
    nodeBuiltins: true,
    packages: { deny: ['electron'] },
    why: 'The browser shell runs in plain Node, without Electron.',
  }),
  ...layer('shells/electron', {
    mayImport: ['shells/electron', 'shells/common', 'core', 'shared'],
    nodeBuiltins: true,
    packages: { deny: [] },
    why: 'The Electron shell does not load the renderer or the browser shell.',
  }),
  ...layer('renderer', {
    mayImport: ['renderer', 'shared'],
    nodeBuiltins: false,
    // An allow list: the renderer is a page, and a package is browser-safe
    // only once someone has decided so here.
    packages: {
      allow: [
        'react',
        'react-dom',
        'zustand',
        'zod',
        '@xterm/xterm',
        '@xterm/addon-fit',
        '@novnc/novnc',
        'uplot',
      ],
    },
    why: 'The renderer is a sandboxed page: the DOM only (no Node, no electron, ws or ssh2); it reaches the main side through renderer/api and shared/.',
  }),
);

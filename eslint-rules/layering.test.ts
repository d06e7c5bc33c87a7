// The layering probe: ESLint, run with the repository's own eslint.config.js,
// lints small probe sources as if they sat inside each layer (they are never
// written to disk). Every way out of a layer the issue listed must be
// reported by local/layering, and a clean file in each layer must pass.
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The layering reports for `code` linted as the file `file` (repo-relative). */
async function layeringReports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'local/layering')
    .map((message) => message.message);
}

/** All of ESLint's reports, for files that must be clean of every rule. */
async function allReports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

// [layer file, probe source, what the report names]
const violations: [string, string, RegExp][] = [
  // core/ runs in plain Node: Electron by any route is refused.
  ['core/hosts/probe.ts', "import 'electron/common';", /package 'electron'/],
  ['core/hosts/probe.ts', "import { app } from 'electron/main';\nvoid app;", /'electron'/],
  ['core/hosts/probe.ts', "await import('electron');", /package 'electron'/],
  ['core/hosts/probe.ts', 'await import(`electron`);', /package 'electron'/],
  [
    'core/hosts/probe.ts',
    "import { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('electron');",
    /package 'electron'/,
  ],
  [
    'core/hosts/probe.ts',
    "import { createRequire } from 'node:module';\nconst load = createRequire(import.meta.url);\nload('electron');",
    /package 'electron'/,
  ],
  [
    'core/hosts/probe.ts',
    "import * as nodeModule from 'node:module';\nnodeModule.createRequire(import.meta.url)('electron');",
    /package 'electron'/,
  ],
  ['core/hosts/probe.ts', "require('electron');", /package 'electron'/],
  ['core/hosts/probe.ts', "import type { App } from 'electron';\nexport type A = App;", /electron/],
  ['core/hosts/probe.ts', "import '../../node_modules/electron/index.js';", /package 'electron'/],
  ['core/hosts/probe.ts', "export type A = import('electron').App;", /package 'electron'/],
  ['core/hosts/probe.ts', "export { app } from 'electron';", /package 'electron'/],
  ['core/hosts/probe.ts', 'const name = "electron";\nawait import(name);', /computed name/],
  // core/ does not know its shells or the renderer.
  ['core/hosts/probe.ts', "import '../../renderer/api/bridge';", /renderer\/ code/],
  ['core/hosts/probe.ts', "import '../../shells/common/csp';", /shells\/common\/ code/],
  ['core/hosts/probe.ts', "import '../../shells/electron/main';", /shells\/electron\/ code/],
  ['core/hosts/probe.ts', "export * from '../../test/lab';", /test\/ code/],
  // Product code never loads the unit tests' fakes.
  ['core/services/probe.ts', "import '../testing/fake-driver';", /core\/testing\/ code/],
  ['shells/browser/probe.ts', "import '../../core/testing/fake-node';", /core\/testing\/ code/],
  // A test beside core code obeys core's rules.
  ['core/hosts/probe.test.ts', "import 'electron';", /package 'electron'/],
  ['core/hosts/probe.test.ts', "await import('../../renderer/App');", /renderer\/ code/],
  // Sources may not load the test runner.
  ['core/hosts/probe.ts', "import 'vitest';", /package 'vitest'/],
  // The renderer is a page: no Node, no Node-only packages, no main side.
  ['renderer/features/probe.ts', "import 'path';", /builtin 'path'/],
  ['renderer/features/probe.ts', "import 'os';", /builtin 'os'/],
  ['renderer/features/probe.ts', "import 'crypto';", /builtin 'crypto'/],
  ['renderer/features/probe.ts', "import 'node:fs';", /builtin 'fs'/],
  ['renderer/features/probe.ts', "import 'fs/promises';", /builtin 'fs'/],
  ['renderer/features/probe.ts', "import 'ws';", /package 'ws'/],
  ['renderer/features/probe.ts', "import 'ssh2';", /package 'ssh2'/],
  ['renderer/features/probe.ts', "import 'electron';", /package 'electron'/],
  ['renderer/features/probe.ts', "import '../../core/backend';", /core\/ code/],
  ['renderer/features/probe.ts', "import '../../shells/common/csp';", /shells\/common\/ code/],
  ['renderer/features/probe.ts', "import '../../shells/browser/serve';", /shells\/browser\/ code/],
  ['renderer/features/probe.tsx', "import type { Backend } from '../../core/backend';", /core\//],
  ['renderer/features/probe.test.ts', "import 'node:fs';", /builtin 'fs'/],
  // shared/ is the contract: zod and itself only.
  ['shared/probe.ts', "import 'diff';", /package 'diff'/],
  ['shared/probe.ts', "import 'react';", /package 'react'/],
  ['shared/probe.ts', "import 'node:path';", /builtin 'path'/],
  ['shared/probe.ts', "import 'fs';", /builtin 'fs'/],
  ['shared/probe.ts', "import '../core/backend';", /core\/ code/],
  ['shared/probe.ts', "import '../renderer/api/bridge';", /renderer\/ code/],
  ['shared/probe.test.ts', "import 'node:fs';", /builtin 'fs'/],
  // The shells: only the Electron one has Electron; none loads the renderer.
  ['shells/browser/probe.ts', "import 'electron';", /package 'electron'/],
  ['shells/common/probe.ts', "await import('electron');", /package 'electron'/],
  ['shells/common/probe.ts', "import '../browser/serve';", /shells\/browser\/ code/],
  ['shells/electron/probe.ts', "import '../../renderer/App';", /renderer\/ code/],
  ['shells/electron/probe.ts', "import '../browser/serve';", /shells\/browser\/ code/],
];

describe('the layering rule', { timeout: 60_000 }, () => {
  it.each(violations)('in %s rejects %s', async (file, code, named) => {
    const reports = await layeringReports(file, code);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(named);
  });

  // [layer file, a source using everything the layer may use]
  const cleanFiles: [string, string][] = [
    [
      'shared/probe.ts',
      "import { z } from 'zod';\nimport { addressSchema } from './api';\nexport const probe = z.object({ address: addressSchema });",
    ],
    [
      'shared/probe.test.ts',
      "import { expect, it } from 'vitest';\nimport { z } from 'zod';\nit('runs', () => expect(z.string().parse('a')).toBe('a'));",
    ],
    [
      'core/hosts/probe.ts',
      "import { readFile } from 'node:fs/promises';\nimport { Client } from 'ssh2';\nimport { WebSocketServer } from 'ws';\nimport type { VmAction } from '../../shared/api';\nexport const probe: [unknown, unknown, unknown, VmAction | null] = [readFile, Client, WebSocketServer, null];",
    ],
    [
      'core/hosts/probe.test.ts',
      "import { createRequire } from 'node:module';\nimport { expect, it } from 'vitest';\nconst load = createRequire(import.meta.url);\nit('loads', () => expect(load('ssh2')).toBeTruthy());",
    ],
    [
      'core/services/probe.test.ts',
      "import { it } from 'vitest';\nimport { FakeDriver } from '../testing/fake-driver';\nit('has a fake', () => void FakeDriver);",
    ],
    [
      'shells/common/probe.ts',
      "import path from 'node:path';\nimport { Backend } from '../../core/backend';\nexport const probe = [path, Backend];",
    ],
    [
      'shells/browser/probe.ts',
      "import http from 'node:http';\nimport { CONTENT_SECURITY_POLICY } from '../common/csp';\nimport { Backend } from '../../core/backend';\nexport const probe = [http, CONTENT_SECURITY_POLICY, Backend];",
    ],
    [
      'shells/electron/probe.ts',
      "import { app } from 'electron';\nimport { CONTENT_SECURITY_POLICY } from '../common/csp';\nimport { Backend } from '../../core/backend';\nconst common = await import('electron/common');\nexport const probe = [app, common, CONTENT_SECURITY_POLICY, Backend];",
    ],
    [
      'renderer/features/probe.tsx',
      "import { useState } from 'react';\nimport { create } from 'zustand';\nimport { Terminal } from '@xterm/xterm';\nimport '@xterm/xterm/css/xterm.css';\nimport type { VmAction } from '../../shared/api';\nimport { getBridge } from '../api/bridge';\nexport const probe: [unknown, unknown, unknown, unknown, VmAction | null] = [useState, create, Terminal, getBridge, null];",
    ],
    [
      'test/integration/probe.test.ts',
      "import { app } from 'electron';\nimport { readFile } from 'node:fs/promises';\nimport { Backend } from '../../core/backend';\nimport { CONTENT_SECURITY_POLICY } from '../../shells/common/csp';\nexport const probe = [app, readFile, Backend, CONTENT_SECURITY_POLICY];",
    ],
  ];

  it.each(cleanFiles)('passes a clean file in %s', async (file, code) => {
    expect(await allReports(file, code)).toEqual([]);
  });
});

// The layering by type: each tsconfig.<layer>.json gives its layer only its
// own environment. Probe sources are compiled in memory with a layer's
// options: Node globals must not compile in shared/ or renderer/, DOM globals
// must not compile in shared/, core/ or shells/. And every source file of the
// repository is checked by the config of its layer (a new folder cannot slip
// out of `npm run typecheck`).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function parsedConfig(config: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(root, config),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`${config} did not parse`);
  return parsed;
}

/** The repository's TypeScript files under `folder`, outside build output and tools' folders. */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const file = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      return /^(node_modules|dist|release|\.lab|\.git|test-results)$/.test(entry.name)
        ? []
        : sourceFiles(file);
    }
    return /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

// Library files (lib.dom.d.ts, @types/node) parsed once for every probe.
const libraryFiles = new Map<string, ts.SourceFile | undefined>();

/** The type errors of `code` compiled as `file` with `config`'s options. */
function typeErrors(config: string, file: string, code: string): string[] {
  const options = parsedConfig(config).options;
  const probePath = path.join(root, file);
  const host = ts.createCompilerHost(options);
  const readSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion) => {
    if (fileName === probePath) return ts.createSourceFile(fileName, code, languageVersion);
    if (!libraryFiles.has(fileName)) {
      libraryFiles.set(fileName, readSourceFile(fileName, languageVersion));
    }
    return libraryFiles.get(fileName);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === probePath || fileExists(fileName);
  const program = ts.createProgram([probePath], options, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(probePath))
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

const nodeGlobals = 'export const probe = [process.env.HOME, Buffer.from("x")];';
const nodeTypes = 'export let probe: NodeJS.Timeout | undefined;';
const domGlobals = 'export const probe = [document.title, window.location];';
const languageOnly = 'export const probe = [1, 2].at(-1) ?? Object.keys({}).length;';

// [config, probe file, source, whether it compiles]
const probes: [string, string, string, boolean][] = [
  ['tsconfig.shared.json', 'shared/probe.ts', nodeGlobals, false],
  ['tsconfig.shared.json', 'shared/probe.ts', domGlobals, false],
  ['tsconfig.shared.json', 'shared/probe.ts', 'export const probe = setTimeout;', false],
  ['tsconfig.shared.json', 'shared/probe.ts', languageOnly, true],
  ['tsconfig.renderer.json', 'renderer/probe.ts', nodeGlobals, false],
  ['tsconfig.renderer.json', 'renderer/probe.ts', nodeTypes, false],
  ['tsconfig.renderer.json', 'renderer/probe.ts', domGlobals, true],
  ['tsconfig.core.json', 'core/probe.ts', domGlobals, false],
  ['tsconfig.core.json', 'core/probe.ts', nodeGlobals, true],
  ['tsconfig.core.json', 'core/probe.ts', nodeTypes, true],
  ['tsconfig.shells.json', 'shells/browser/probe.ts', domGlobals, false],
  ['tsconfig.shells.json', 'shells/browser/probe.ts', nodeGlobals, true],
  [
    'tsconfig.test.json',
    'test/probe.ts',
    `${nodeGlobals}\nexport const dom = document.title;`,
    true,
  ],
];

describe('the layer tsconfigs', { timeout: 60_000 }, () => {
  it.each(probes)('%s on %s: %s compiles: %s', (config, file, code, compiles) => {
    const errors = typeErrors(config, file, code);
    if (compiles) expect(errors).toEqual([]);
    else expect(errors.join('\n')).toMatch(/Cannot find (name|namespace)/);
  });

  it('checks every source file with the config of its layer', () => {
    const configOf: [RegExp, string][] = [
      [/\.test\.tsx?$/, 'tsconfig.test.json'],
      [/^shared\//, 'tsconfig.shared.json'],
      [/^core\//, 'tsconfig.core.json'],
      [/^shells\//, 'tsconfig.shells.json'],
      [/^renderer\//, 'tsconfig.renderer.json'],
      [/^(test|scripts)\/|^[^/]+$/, 'tsconfig.test.json'],
    ];
    const checkedBy = new Map<string, Set<string>>();
    for (const config of new Set(configOf.map(([, config]) => config))) {
      const files = parsedConfig(config).fileNames.map((file) => path.relative(root, file));
      checkedBy.set(config, new Set(files));
    }
    const sources = sourceFiles('').filter((file) => !file.endsWith('.d.ts'));
    expect(sources.length).toBeGreaterThan(100);
    const unchecked = sources.filter((file) => {
      const config = configOf.find(([pattern]) => pattern.test(file))?.[1];
      return !config || !checkedBy.get(config)?.has(file);
    });
    expect(unchecked).toEqual([]);
  });
});

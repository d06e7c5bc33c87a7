// Bundles the main-process entry points with esbuild. Node packages stay
// external (loaded from node_modules at run time) except in the preload,
// which runs sandboxed and may only require 'electron'.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    packages: 'external',
    entryPoints: {
      'electron/main': 'shells/electron/main.ts',
      'electron/serve': 'shells/browser/serve.ts',
      'electron/demo': 'shells/browser/demo.ts',
      // A node's data worker (consoles, uploads): a thread, so a file of its own.
      'workers/data-worker': 'core/dataplane/worker-entry.ts',
      'scripts/bench': 'scripts/bench.ts',
    },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
  }),
  build({
    ...common,
    external: ['electron'],
    entryPoints: { 'electron/preload': 'shells/electron/preload.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
  }),
]);

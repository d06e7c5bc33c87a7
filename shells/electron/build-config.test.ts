// The packaging config: valid for the installed electron-builder (its own
// schema check, as `electron-builder` runs it) and with the fuses that keep
// the packaged app from being turned into a plain Node runtime.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'build', 'electron-builder.json'), 'utf8'),
) as Record<string, unknown>;

describe('build/electron-builder.json', () => {
  it('passes electron-builder’s own schema check', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util/out/DebugLogger.js') as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The check is real: a misspelt fuse is refused.
    await expect(
      validateConfiguration({ electronFuses: { runAsNod: false } }, new DebugLogger(false)),
    ).rejects.toThrow(/electronFuses/);
  });

  it('turns off run-as-node, NODE_OPTIONS and --inspect, and loads only a checked asar', () => {
    expect(config['asar']).not.toBe(false);
    expect(config['electronFuses']).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});

// Passwords that an earlier version saved with Chromium's fixed fallback key
// (Linux without a keyring) protect nothing: the backend removes them at
// start and says so. The SecretBox here stands in for Electron's safeStorage,
// which plain Node does not have; it marks secrets the way Chromium does.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from './backend';
import type { SecretBox } from './store/secrets';

const box: SecretBox = {
  canPersist: false,
  whyNot: 'No keyring.',
  isWeaklySealed: (sealed) => Buffer.from(sealed, 'base64').subarray(0, 3).toString() === 'v10',
  encrypt: () => {
    throw new Error('not here');
  },
  decrypt: () => {
    throw new Error('not here');
  },
};

describe('secrets sealed with a known key', () => {
  it('are removed from the settings at start, with a notice naming the hosts', async () => {
    const home = mkdtempSync(join(tmpdir(), 'weak-secrets-'));
    const host = (id: string, name: string) => ({
      id,
      name,
      address: '127.0.0.1',
      port: 1, // nothing listens: the reconnect fails at once
      user: 'root',
      auth: 'password',
    });
    writeFileSync(
      join(home, 'settings.json'),
      JSON.stringify({
        version: 1,
        hosts: [host('a', 'kvm-a'), host('b', 'kvm-b')],
        secrets: {
          a: Buffer.from('v10 sealed with peanuts').toString('base64'),
          b: Buffer.from('v11 sealed with the keyring').toString('base64'),
        },
      }),
    );
    const backend = await Backend.start({
      dataDir: home,
      secretBox: box,
      userKnownHosts: join(home, 'none'),
      sshConfig: join(home, 'none'),
    });
    try {
      const saved = JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')) as {
        secrets: Record<string, string>;
      };
      expect(Object.keys(saved.secrets)).toEqual(['b']);
      expect(backend.startupNotices).toEqual([
        expect.stringMatching(/saved passwords of kvm-a had been encrypted with Chromium's fixed/),
      ]);
      const status = (await backend.call('appStatus', {})) as { notices: string[] };
      expect(status.notices).toEqual(backend.startupNotices);
    } finally {
      backend.close();
    }
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecretBox } from '../store/secrets';
import { NO_PERSISTENT_SECRETS } from '../store/secrets';
import { SettingsStore } from '../store/settings';
import { DriverSecretStore } from './driver-secrets';

// A box whose sealing is visible: what reaches the file must not be the plain value.
const box: SecretBox = {
  canPersist: true,
  encrypt: (p) => `sealed:${Buffer.from(p).toString('base64')}`,
  decrypt: (s) => Buffer.from(s.replace(/^sealed:/, ''), 'base64').toString(),
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function settings(): Promise<SettingsStore> {
  const dir = mkdtempSync(join(tmpdir(), 'driver-secrets-'));
  dirs.push(dir);
  const s = new SettingsStore(dir);
  await s.load();
  return s;
}

describe("drivers' secrets in the secret store", () => {
  it('seals a host’s secret in the settings, offers it first, then other hosts’ of that name', async () => {
    const s = await settings();
    const store = new DriverSecretStore(s, box);
    const h1 = store.forHost('h1');
    const h2 = store.forHost('h2');
    await h1.save('tok', 'secret-one');
    await h2.save('tok', 'secret-two');
    await h2.save('other', 'unrelated');
    expect(h1.candidates('tok')).toEqual(['secret-one', 'secret-two']);
    expect(h2.candidates('tok')).toEqual(['secret-two', 'secret-one']);
    expect(store.forHost('h3').candidates('tok').sort()).toEqual(['secret-one', 'secret-two']);
    const file = readFileSync(s.file, 'utf8');
    expect(file).not.toContain('secret-one');
    expect(s.current.secrets['h1/tok']).toBe(box.encrypt('secret-one'));
    // A fresh start reads them back from the file.
    const reread = new SettingsStore(dirname(s.file));
    await reread.load();
    const again = new DriverSecretStore(reread, box);
    expect(again.forHost('h1').candidates('tok')).toEqual(['secret-one', 'secret-two']);
    // Removing a host takes its secrets, not its neighbours'.
    await reread.update((x) => again.dropHost(x.secrets, 'h2'));
    expect(Object.keys(reread.current.secrets).sort()).toEqual(['h1/tok']);
  });

  it('makes the installation id once and keeps it', async () => {
    const s = await settings();
    const store = new DriverSecretStore(s, box);
    const id = await store.forHost('h1').installationId();
    expect(id).toMatch(/^[0-9a-f]{10}$/);
    expect(await store.forHost('h2').installationId()).toBe(id);
    expect(s.current.installationId).toBe(id);
  });

  it('keeps secrets for this session only where nothing seals', async () => {
    const s = await settings();
    const store = new DriverSecretStore(s, NO_PERSISTENT_SECRETS);
    await store.forHost('h1').save('tok', 'plain');
    expect(store.forHost('h1').candidates('tok')).toEqual(['plain']);
    expect(s.current.secrets).toEqual({});
  });
});

import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsStore } from './settings';

describe('SettingsStore', () => {
  it('writes atomically and reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    const s = new SettingsStore(dir);
    await s.load();
    await s.update((x) => {
      x.hosts.push({
        id: 'h1',
        name: 'n1',
        address: '192.0.2.1',
        port: 22,
        user: 'root',
        auth: 'agent',
      });
    });
    expect(readdirSync(dir)).toEqual(['settings.json']); // no temp file left behind
    const again = new SettingsStore(dir);
    expect((await again.load()).hosts[0]?.name).toBe('n1');
  });

  it('sets a damaged file aside instead of trusting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, hosts: [{ id: 3 }] }));
    const s = new SettingsStore(dir);
    expect((await s.load()).hosts).toEqual([]);
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith('settings.json.damaged-'))).toBe(true);
    expect(
      readFileSync(
        join(
          dir,
          files.find((f) => f.includes('damaged'))!,
        ),
        'utf8',
      ),
    ).toContain('"id":3');
  });

  it('starts with a notice when the file is cut short, keeping the file aside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    writeFileSync(join(dir, 'settings.json'), '{"version":1,"hosts":[{"id":"h1","na');
    const s = new SettingsStore(dir);
    expect((await s.load()).hosts).toEqual([]);
    expect(s.notices).toHaveLength(1);
    expect(s.notices[0]).toMatch(/not valid JSON.*kept as .*settings\.json\.damaged-/);
    const aside = readdirSync(dir).find((f) => f.startsWith('settings.json.damaged-'));
    expect(readFileSync(join(dir, aside!), 'utf8')).toContain('"na');
  });

  it('saves again after a failed write, with the change the failed one lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    const s = new SettingsStore(dir);
    await s.load();
    const host = (id: string) => ({
      id,
      name: id,
      address: '192.0.2.1',
      port: 22,
      user: 'root',
      auth: 'agent' as const,
    });
    // A folder where the file belongs makes the rename fail (even for root).
    mkdirSync(join(dir, 'settings.json'));
    await expect(s.update((x) => void x.hosts.push(host('a')))).rejects.toThrow(/settings\.json/);
    rmdirSync(join(dir, 'settings.json'));
    await s.update((x) => void x.hosts.push(host('b')));
    const again = new SettingsStore(dir);
    expect((await again.load()).hosts.map((h) => h.id)).toEqual(['a', 'b']);
  });
});

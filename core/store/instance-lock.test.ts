import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_NAME, lockDataDir } from './instance-lock';

describe('lockDataDir', () => {
  it('refuses a second owner while the first holds the folder, and frees it on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8')).pid).toBe(process.pid);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(/already using the data folder .*CLUSTERDECK_HOME/);
    release();
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
    lockDataDir(dir)();
  });

  it('takes over the lock of a process that is gone (a crash)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const gone = spawnSync(process.execPath, ['-e', '0']).pid; // exited by now
    writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: gone }));
    const release = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_NAME), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('takes over a lock whose pid now belongs to another process (started later)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    // pid 1 is alive, but did not start at this time: the pid was reused.
    writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: 1, start: '1' }));
    if (process.platform === 'linux') lockDataDir(dir)();
    else expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
  });

  it('takes over an empty lock file left by a crash between create and write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeFileSync(join(dir, LOCK_NAME), '');
    lockDataDir(dir)();
  });

  it('lets exactly one of several processes starting at once take over a stale lock', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lock-child-'));
    const childJs = join(out, 'instance-lock-child.cjs');
    await build({
      entryPoints: [join(__dirname, 'instance-lock.child.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: childJs,
      logLevel: 'silent',
    });
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    for (let round = 0; round < 3; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'lock-race-'));
      writeFileSync(join(dir, LOCK_NAME), JSON.stringify({ pid: gone }));
      const answers = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<string>((resolve) => {
              const c = spawn(process.execPath, [childJs, dir], {
                stdio: ['ignore', 'pipe', 'inherit'],
              });
              let text = '';
              c.stdout.on('data', (d: Buffer) => (text += d.toString()));
              c.on('exit', () => resolve(text.trim()));
            }),
        ),
      );
      expect(answers.sort()).toEqual(['got', 'refused', 'refused', 'refused']);
    }
  }, 30_000);
});

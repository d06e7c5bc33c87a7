// One Clusterdeck per data folder: the browser shell (dist/electron/serve.cjs,
// `npm run build` first) refuses to start on a folder another one holds, and
// starts again once the first is gone, even when it was killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../lab';

const SERVE = resolve(__dirname, '..', '..', 'dist', 'electron', 'serve.cjs');
const running: ChildProcess[] = [];

function serve(home: string): ChildProcess {
  const child = spawn(process.execPath, [SERVE], {
    env: { ...process.env, CLUSTERDECK_HOME: home, CLUSTERDECK_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return child;
}

/** Resolves once the shell prints its URL. */
function started(child: ChildProcess): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Clusterdeck UI: http')) ok();
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code} before starting`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  return new Promise((ok) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => ok({ code, stderr }));
  });
}

afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('one instance per data folder', () => {
  it('a second serve on the same CLUSTERDECK_HOME refuses with a message', async () => {
    expect(existsSync(SERVE), 'run `npm run build` first').toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'one-instance-'));
    const first = serve(home);
    await started(first);

    const child = serve(home);
    const second = await Promise.race([
      exited(child),
      started(child).then(() => ({ code: 0, stderr: 'the second one started too' })),
    ]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(
      `Another Clusterdeck (process ${first.pid}) is already using the data folder ${home}`,
    );
    expect(first.exitCode).toBeNull(); // the first one goes on

    // Killed without a chance to clean up: its lock is stale, not a wall.
    const gone = exited(first);
    first.kill('SIGKILL');
    await gone;
    const third = serve(home);
    await started(third);
    const stopped = exited(third);
    third.kill('SIGTERM');
    expect((await stopped).code).toBe(0);
    expect(existsSync(join(home, 'clusterdeck.lock'))).toBe(false); // released on exit
  }, 60_000);

  it('starts on a cut-short settings.json and says where it was kept', async () => {
    const home = mkdtempSync(join(tmpdir(), 'one-instance-'));
    writeFileSync(join(home, 'settings.json'), '{"version":1,"hosts":[');
    const child = serve(home);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await started(child);
    const notice = /settings\.json is not valid JSON .* kept as .*settings\.json\.damaged-\d+/;
    await waitFor(() => notice.test(stderr), 'the notice on stderr');
  });
});

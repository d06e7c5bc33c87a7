// Kill during write: a real node process saves the settings in a loop through
// the real SettingsStore and is SIGKILLed at a random moment, 100 times in a
// row on one folder. After every kill the file must load complete: no
// notice (nothing set aside), every host of one save, and no save lost that
// the child had reported finished.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from './settings';
import { HOSTS_PER_FILE, hostName } from './settings-writer.child';

const ROUNDS = 100;
let childJs = '';

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'settings-writer-'));
  childJs = join(out, 'settings-writer.cjs');
  await build({
    entryPoints: [join(__dirname, 'settings-writer.child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: childJs,
    logLevel: 'silent',
  });
});

/** Runs the writer, kills it at a random point after its first save; the last save it reported. */
function runAndKill(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = 0;
    let buf = '';
    let timer: NodeJS.Timeout | undefined;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) acked = Math.max(acked, Number(l));
      timer ??= setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited by itself (${code}): ${stderr}`));
    });
  });
}

describe('settings under SIGKILL', () => {
  it(`load a complete file after each of ${ROUNDS} kills during writes`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-kill-'));
    let lost = 0;
    let writes = 0;
    const problems: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const acked = await runAndKill(dir);
      const store = new SettingsStore(dir);
      const s = await store.load();
      const seq = Number(/^seq-(\d+)-/.exec(s.hosts[0]?.name ?? '')?.[1] ?? -1);
      const complete =
        store.notices.length === 0 &&
        s.hosts.length === HOSTS_PER_FILE &&
        s.hosts.every((h, i) => h.name === hostName(seq, i)) &&
        seq >= acked;
      if (!complete) {
        lost++;
        problems.push(
          `round ${round}: ${s.hosts.length} hosts, seq ${seq}, acked ${acked}, ${store.notices.join(' ')}`,
        );
      }
      writes = Math.max(writes, seq);
    }
    // No damaged copies and no temporary files left once loaded.
    expect(readdirSync(dir)).toEqual(['settings.json']);
    console.log(`kill-during-write: ${ROUNDS} runs, ${writes} saves, ${lost} lost`);
    expect(problems).toEqual([]);
    expect(lost).toBe(0);
  }, 60_000);
});

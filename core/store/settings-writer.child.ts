// A child process for settings-crash.test.ts: loads the settings through the
// real SettingsStore, then rewrites them in a loop until it is killed. Every
// save that finished is reported on stdout as its sequence number.
import { SettingsStore } from './settings';

export const HOSTS_PER_FILE = 50;
/** Makes each file ~30 kB, so a kill often lands inside a write. */
const PADDING = 'x'.repeat(500);

export function hostName(seq: number, i: number): string {
  return `seq-${seq}-host-${i}-${PADDING}`;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: settings-writer <data folder>');
  const store = new SettingsStore(dir);
  const loaded = await store.load();
  let seq = Number(/^seq-(\d+)-/.exec(loaded.hosts[0]?.name ?? '')?.[1] ?? 0);
  for (;;) {
    seq++;
    const n = seq;
    await store.update((s) => {
      s.hosts = Array.from({ length: HOSTS_PER_FILE }, (_, i) => ({
        id: `h${i}`,
        name: hostName(n, i),
        address: '192.0.2.1',
        port: 22,
        user: 'root',
        auth: 'agent' as const,
      }));
    });
    process.stdout.write(`${n}\n`);
  }
}

if (process.argv[1]?.includes('settings-writer')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}

// `npm run demo`: a two-node lab of real libvirt nodes (scripts/lab) and the
// browser shell with both nodes already added and trusted.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Backend } from '../../core/backend';
import { lockDataDir } from '../../core/store/instance-lock';
import { NO_PERSISTENT_SECRETS } from '../../core/store/secrets';
import { startBrowserShell } from './browser-shell';

interface LabJson {
  keyPath: string;
  user: string;
  nodes: { name: string; host: string; port: number; hostKeyFingerprint: string }[];
}

const repo = resolve(__dirname, '..', '..');
const labDir = process.env['LAB_DIR'] ?? join(repo, '.lab');
const labScript = join(repo, 'scripts', 'lab');
const env = { ...process.env, LAB_DIR: labDir };

function labUp(): boolean {
  if (!existsSync(join(labDir, 'lab.json'))) return false;
  try {
    execFileSync(labScript, ['exec', 'node1', 'true'], { env, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error(
      'the demo lab needs Linux and root (it starts sshd, libvirtd and QEMU in namespaces).',
    );
  }
  // Two nodes make a cluster and a migration; a third shows adding one later.
  const count = process.env['DEMO_NODES'] ?? '2';
  if (!/^[1-5]$/.test(count)) throw new Error('DEMO_NODES takes a node count from 1 to 5.');
  let startedLab = false;
  if (!labUp()) {
    process.stderr.write(`Starting a ${count}-node lab (sshd + libvirtd + QEMU guests)…\n`);
    execFileSync(labScript, ['up', count], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    startedLab = true;
  }
  const lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as LabJson;
  const dataDir = process.env['CLUSTERDECK_HOME'] ?? join(labDir, 'demo-home');
  // New nodes know nothing of an earlier run's clusters, keys or trust: the
  // demo's own data goes with them (a CLUSTERDECK_HOME of the user's stays).
  if (startedLab && !process.env['CLUSTERDECK_HOME'])
    rmSync(dataDir, { recursive: true, force: true });
  lockDataDir(dataDir);
  const backend = await Backend.start({
    dataDir,
    secretBox: NO_PERSISTENT_SECRETS,
    userKnownHosts: join(dataDir, 'known_hosts.user'),
  });
  const present = new Set(
    Object.values(backend.store.snapshot().hosts).map((h) => `${h.address}:${h.port}`),
  );
  for (const n of lab.nodes) {
    if (present.has(`${n.host}:${n.port}`)) continue;
    // The lab recorded each node's key when it made it: that is what we trust.
    await backend.call('addHost', {
      name: n.name,
      address: n.host,
      port: n.port,
      user: lab.user,
      auth: 'key',
      keyPath: lab.keyPath,
      fingerprint: n.hostKeyFingerprint,
    });
  }
  const port = process.env['CLUSTERDECK_PORT'] ? Number(process.env['CLUSTERDECK_PORT']) : 0;
  const shell = await startBrowserShell({
    backend,
    staticDir: join(__dirname, '..', 'renderer'),
    port,
  });
  process.stdout.write(`Clusterdeck UI: ${shell.url}\n`);
  process.stderr.write(
    `Lab nodes: ${lab.nodes.map((n) => `${n.name} (${n.host})`).join(', ')}. Press Ctrl+C to stop${startedLab ? ' the UI and the lab' : ''}.\n`,
  );
  const stop = () => {
    backend.close();
    void shell.close().then(() => {
      if (startedLab) execFileSync(labScript, ['down'], { env, stdio: 'inherit' });
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`Clusterdeck demo could not start: ${(err as Error).message}\n`);
  process.exit(1);
});

// Access to the Ganeti lab started by scripts/lab-ganeti (docs/lab.md,
// "Ganeti"): nodes in their own network namespaces on the gntlab bridge, so
// the app (in the machine's namespace) reaches each node's sshd by address.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../core/backend';
import { REPO, waitFor } from './lab';

export const GANETI_LAB_DIR = process.env['GANETI_LAB_DIR'] ?? join(REPO, '.lab-ganeti');
export const GANETI_LAB_SCRIPT = join(REPO, 'scripts', 'lab-ganeti');

export interface GanetiLabNode {
  name: string;
  fqdn: string;
  host: string;
  port: number;
  dir: string;
  /** The node's own ed25519 host key (Ganeti replaces only rsa and ecdsa keys on join). */
  hostKeyFingerprint: string;
  hostKeyLine: string;
}

export interface GanetiLab {
  stack: 'ganeti';
  dir: string;
  kvm: boolean;
  keyPath: string;
  user: string;
  bridge: string;
  bridgeIp: string;
  network: string;
  netmask: number;
  domain: string;
  clusterName: string;
  clusterIp: string;
  masterNetdev: string;
  instanceBridge: string;
  fileStorageDir: string;
  sharedFileStorageDir: string;
  nodes: GanetiLabNode[];
  /** Set once init-cluster made the cluster (the wizard's tests make it themselves). */
  cluster: null | {
    name: string;
    ip: string;
    initialMaster: string;
    rapi: { url: string; user: string; passwordFile: string };
  };
}

const env = () => ({ ...process.env, GANETI_LAB_DIR });

export function readGanetiLab(): GanetiLab {
  return JSON.parse(readFileSync(join(GANETI_LAB_DIR, 'lab.json'), 'utf8')) as GanetiLab;
}

export function ganetiLabNode(name: string): GanetiLabNode {
  const n = readGanetiLab().nodes.find((x) => x.name === name);
  if (!n) throw new Error(`Ganeti lab has no node ${name}`);
  return n;
}

/** Runs a command inside a Ganeti lab node's namespaces; throws on a non-zero exit. */
export function ganetiExec(node: string, argv: string[], timeoutMs = 120_000): string {
  return execFileSync(GANETI_LAB_SCRIPT, ['exec', node, ...argv], {
    encoding: 'utf8',
    env: env(),
    timeout: timeoutMs,
  });
}

/** Same, for commands whose failure is part of the check: exit code and both outputs. */
export function ganetiRun(
  node: string,
  argv: string[],
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(GANETI_LAB_SCRIPT, ['exec', node, ...argv], {
    encoding: 'utf8',
    env: env(),
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function ganetiLabCommand(args: string[]): void {
  execFileSync(GANETI_LAB_SCRIPT, args, { env: env(), stdio: ['ignore', 'inherit', 'inherit'] });
}

export function ganetiLabIsUp(): boolean {
  waitForGlobalBringUp();
  if (!existsSync(join(GANETI_LAB_DIR, 'lab.json'))) return false;
  return ganetiRun('node1', ['true']).code === 0;
}

/** True when node1 is in a cluster (made by init-cluster or by the app's wizard). */
export function ganetiHasCluster(): boolean {
  return ganetiRun('node1', ['gnt-cluster', 'getmaster']).code === 0;
}

/** The node that is master now (any node names it: the cluster follows failovers). */
export function ganetiMaster(): string {
  const fqdn = ganetiExec('node1', ['gnt-cluster', 'getmaster']).trim();
  const n = readGanetiLab().nodes.find((x) => x.fqdn === fqdn);
  if (!n) throw new Error(`the master ${fqdn} is not a lab node`);
  return n.name;
}

/**
 * The global setup (ganeti-global-setup.ts) brings the Ganeti lab up in the
 * background while the libvirt suites run; it says how that goes in this file:
 * `{ pid, state: 'running' | 'ready' | 'failed', error? }`, pid the run's.
 */
export const GANETI_BRINGUP_FILE = join(
  tmpdir(),
  `clusterdeck-ganeti-bringup-${createHash('sha256').update(GANETI_LAB_DIR).digest('hex').slice(0, 12)}.json`,
);

/** Waits (blocking: the suites' beforeAll calls are synchronous) for that bring-up, if one runs. */
function waitForGlobalBringUp(timeoutMs = 300_000): void {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let s: { pid: number; state: string; error?: string };
    try {
      s = JSON.parse(readFileSync(GANETI_BRINGUP_FILE, 'utf8')) as typeof s;
    } catch {
      return; // none
    }
    // Left by an earlier run, or this is the run's own process (the global setup).
    if (s.pid === process.pid || !pidAlive(s.pid)) return;
    if (s.state === 'failed') throw new Error(`the Ganeti lab's bring-up failed: ${s.error}`);
    if (s.state !== 'running') return;
    if (Date.now() > end) throw new Error('timed out waiting for the Ganeti lab bring-up');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Brings the lab up and makes the cluster where that is not done yet. Returns
 * what it did; the global teardown (ganeti-global-setup.ts) takes down a lab the run started.
 */
export function ensureGanetiCluster(): { startedLab: boolean; madeCluster: boolean } {
  let startedLab = false;
  let madeCluster = false;
  if (!ganetiLabIsUp()) {
    ganetiLabCommand(['up', '3']);
    startedLab = true;
  }
  if (!ganetiHasCluster()) {
    ganetiLabCommand(['init-cluster']);
    madeCluster = true;
  }
  return { startedLab, madeCluster };
}

/** `gnt-instance list` on the master: the instance's status word, or '' when it has none. */
export function instanceStatusOnMaster(name: string): string {
  const out = ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'list',
    '--no-headers',
    '-o',
    'name,status',
  ]);
  const row = out.split('\n').find((l) => l.split(/\s+/)[0] === name);
  return row ? row.trim().split(/\s+/)[1]! : '';
}

/** A diskless, stopped instance on node2 (the noop OS), with `extra` options. */
export function addGanetiInstance(name: string, extra: string[] = []): void {
  ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'add',
    '-t',
    'diskless',
    '-o',
    'noop',
    '--no-name-check',
    '--no-ip-check',
    '--no-start',
    '-n',
    'node2.gnt.test',
    ...extra,
    name,
  ]);
}

/** Removes the instance if the cluster has it (a run that stopped halfway may have left it). */
export function removeGanetiInstance(name: string): void {
  if (instanceStatusOnMaster(name))
    ganetiExec(ganetiMaster(), ['gnt-instance', 'remove', '-f', '--shutdown-timeout=0', name]);
}

/**
 * Adds a Ganeti lab node as a host (its recorded host key checked), under
 * `gnt-<node>`, and waits until it is connected; returns its host id.
 */
export async function addGanetiLabNode(backend: Backend, node: string): Promise<string> {
  const lab = readGanetiLab();
  const n = ganetiLabNode(node);
  const { hostId } = (await backend.call('addHost', {
    name: `gnt-${node}`,
    address: n.host,
    port: n.port,
    user: lab.user,
    auth: 'key',
    keyPath: lab.keyPath,
    fingerprint: n.hostKeyFingerprint,
  })) as { hostId: string };
  await waitFor(
    () => backend.store.get('hosts', hostId)?.state === 'connected',
    `gnt-${node} connected`,
    60_000,
  );
  return hostId;
}

/**
 * A second Ganeti lab, with no cluster, for New Cluster's tests: its own dir
 * (GANETI_NEW_LAB_DIR, default <repo>/.lab-ganeti-new) and index
 * (GANETI_NEW_LAB_INDEX, default the shared lab's GANETI_LAB_INDEX + 1), so
 * making and breaking clusters there never disturbs the lab other suites
 * share. `fresh()` brings it up without a cluster; `down()` in afterAll.
 */
export function newGanetiLab() {
  const shared = Number(process.env['GANETI_LAB_INDEX'] ?? 0);
  const index = process.env['GANETI_NEW_LAB_INDEX'] ?? String((shared + 1) % 8);
  const dir = process.env['GANETI_NEW_LAB_DIR'] ?? join(REPO, '.lab-ganeti-new');
  const labEnv = { ...process.env, GANETI_LAB_DIR: dir, GANETI_LAB_INDEX: index };
  const run = (node: string, argv: string[]) => {
    const r = spawnSync(GANETI_LAB_SCRIPT, ['exec', node, ...argv], {
      encoding: 'utf8',
      env: labEnv,
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const command = (args: string[]) =>
    execFileSync(GANETI_LAB_SCRIPT, args, {
      env: labEnv,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  const read = () => JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as GanetiLab;
  const isUp = () => existsSync(join(dir, 'lab.json')) && run('node1', ['true']).code === 0;
  return {
    dir,
    index,
    read,
    run,
    /** Runs a command in a node; throws with its stderr on a non-zero exit. */
    exec(node: string, argv: string[]): string {
      const r = run(node, argv);
      if (r.code !== 0) throw new Error(`${node}: ${argv.join(' ')}: ${r.stderr || r.code}`);
      return r.stdout;
    },
    /** Up with no cluster on any node (a lab left with one by a stopped run starts over). */
    fresh(): void {
      const clean =
        isUp() &&
        read().nodes.every(
          (n) => run(n.name, ['test', '-e', '/var/lib/ganeti/config.data']).code === 1,
        );
      if (clean) return;
      command(['down']);
      command(['up', '3']);
    },
    down: () => command(['down']),
    /** Adds a node of this lab as a host `new-<node>` and waits until it is connected. */
    async addNode(backend: Backend, node: string): Promise<string> {
      const lab = read();
      const n = lab.nodes.find((x) => x.name === node)!;
      const { hostId } = (await backend.call('addHost', {
        name: `new-${node}`,
        address: n.host,
        port: n.port,
        user: lab.user,
        auth: 'key',
        keyPath: lab.keyPath,
        fingerprint: n.hostKeyFingerprint,
      })) as { hostId: string };
      await waitFor(
        () => backend.store.get('hosts', hostId)?.state === 'connected',
        `new-${node} connected`,
        60_000,
      );
      return hostId;
    },
  };
}

/**
 * A running diskless KVM instance (QEMU under TCG, the lab's kvm_flag=disabled)
 * on `node`: no disk and no kernel, so it shows SeaBIOS's screen, which is
 * all a console test needs and is up in about a second even without /dev/kvm.
 * `hv`: extra KVM parameters (key=value).
 */
export function addGanetiKvmInstance(name: string, node: string, hv: string[] = []): void {
  ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'add',
    '-t',
    'diskless',
    '-o',
    'noop',
    '--no-name-check',
    '--no-ip-check',
    '-H',
    hv.length ? `kvm:${hv.join(',')}` : 'kvm',
    '-B',
    'maxmem=128,minmem=128',
    '-n',
    `${node}.gnt.test`,
    name,
  ]);
}

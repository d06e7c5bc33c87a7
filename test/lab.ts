// Access to the lab of real nodes started by scripts/lab (docs/lab.md).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { Backend, BackendOptions } from '../core/backend';
import { sha256Fingerprint } from '../core/ssh/fingerprint';
import { SshSession } from '../core/ssh/session';
import { NO_PERSISTENT_SECRETS } from '../core/store/secrets';

export const REPO = resolve(__dirname, '..');
export const LAB_DIR = process.env['LAB_DIR'] ?? join(REPO, '.lab');
export const LAB_SCRIPT = join(REPO, 'scripts', 'lab');

export interface LabNode {
  name: string;
  host: string;
  port: number;
  dir: string;
  hostKeyFingerprint: string;
  hostKeyLine: string;
  serialLog: string | null;
}

export interface Lab {
  dir: string;
  kvm: boolean;
  linuxGuest: boolean;
  keyPath: string;
  user: string;
  nodes: LabNode[];
  guests: { node: string; name: string; state: string }[];
}

export function readLab(): Lab {
  return JSON.parse(readFileSync(join(LAB_DIR, 'lab.json'), 'utf8')) as Lab;
}

/** An SSH session to the lab's first node, its host key checked against the one the lab recorded. */
export function openLabSession(): Promise<SshSession> {
  const lab = readLab();
  const node = lab.nodes[0]!;
  return SshSession.open(
    { label: node.name, address: node.host, port: node.port },
    { user: lab.user, privateKey: readFileSync(lab.keyPath) },
    async (key) => sha256Fingerprint(key) === node.hostKeyFingerprint,
  );
}

export function labNode(name: string): LabNode {
  const n = readLab().nodes.find((x) => x.name === name);
  if (!n) throw new Error(`lab has no node ${name}`);
  return n;
}

/** Runs a command inside a lab node's namespaces (as the node's own shell would). */
export function labExec(node: string, argv: string[]): string {
  return execFileSync(LAB_SCRIPT, ['exec', node, ...argv], {
    encoding: 'utf8',
    env: { ...process.env, LAB_DIR },
  });
}

export function virshOn(node: string, args: string[]): string {
  return labExec(node, ['virsh', '-c', 'qemu:///system', ...args]);
}

export function labCommand(args: string[]): string {
  return execFileSync(LAB_SCRIPT, args, { encoding: 'utf8', env: { ...process.env, LAB_DIR } });
}

/** Polls until check() returns a truthy value or the time runs out. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Puts the seeded guests back as `scripts/lab up` left them and removes
 * guests that tests defined, so a suite can run on a reused lab.
 */
export function resetLabGuests(): void {
  const lab = readLab();
  const seeded = new Map(lab.guests.map((g) => [g.name, g]));
  for (const node of lab.nodes) {
    for (const uuid of virshOn(node.name, ['list', '--all', '--uuid'])
      .split('\n')
      .filter(Boolean)) {
      const name = virshOn(node.name, ['domname', uuid]).trim();
      const state = virshOn(node.name, ['domstate', uuid]).trim();
      const want = seeded.get(name);
      if (want?.node === node.name && want.state === 'running') {
        if (state === 'paused') virshOn(node.name, ['resume', uuid]);
        else if (state !== 'running') virshOn(node.name, ['start', uuid]);
        continue;
      }
      if (state !== 'shut off') virshOn(node.name, ['destroy', uuid]);
      if (!want || want.node !== node.name) virshOn(node.name, ['undefine', uuid]);
    }
  }
}

/** A backend that sees only its own data folder, not the user's SSH files. */
export function testBackendOptions(home: string): BackendOptions {
  return {
    dataDir: home,
    secretBox: NO_PERSISTENT_SECRETS,
    userKnownHosts: join(home, 'no-user-known-hosts'),
    sshConfig: join(home, 'no-ssh-config'),
  };
}

/** Adds a lab node with its key file, trusting the host key the lab recorded. */
export async function addLabNode(backend: Backend, name: string): Promise<string> {
  const lab = readLab();
  const n = lab.nodes.find((x) => x.name === name)!;
  const { hostId } = (await backend.call('addHost', {
    name,
    address: n.host,
    port: n.port,
    user: lab.user,
    auth: 'key',
    keyPath: lab.keyPath,
    fingerprint: n.hostKeyFingerprint,
  })) as { hostId: string };
  return hostId;
}

/** Waits for a task to end and returns it. */
export async function taskFinished(backend: Backend, taskId: string, timeoutMs = 30_000) {
  return waitFor(
    () => {
      const t = backend.store.get('tasks', taskId);
      return t && t.state !== 'running' ? t : undefined;
    },
    `task ${taskId}`,
    timeoutMs,
  );
}

/** Takes back the SSH keys and trust New Cluster gives lab nodes (each has its own ~/.ssh). */
export function forgetNodeTrust(): void {
  for (const n of readLab().nodes)
    labExec(n.name, [
      'sh',
      '-c',
      'rm -rf "$HOME"/.ssh/clusterdeck "$HOME"/.ssh/config "$HOME"/.ssh/id_ed25519* "$HOME"/.ssh/authorized_keys "$HOME"/.ssh/known_hosts',
    ]);
}

/** True when nothing listens on that loopback port any more. */
export function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

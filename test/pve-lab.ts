// Access to the Proxmox lab started by scripts/lab-pve (docs/lab.md,
// "Proxmox lab"): nodes pve1..N in their own namespaces, reached over SSH at
// 127.0.0.(PVE_LAB_BASE+i):22 with the lab key and pinned host keys, each with
// the PVE API (the simulator) on its own 127.0.0.1:8006.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import { quoteArgv } from '../core/ssh/quote';
import { REPO } from './lab';
import { pveSchemasOrSkip } from './pve-sim/schema';

export const PVE_LAB_DIR = process.env['PVE_LAB_DIR'] ?? join(REPO, '.lab-pve');
export const PVE_LAB_SCRIPT = join(REPO, 'scripts', 'lab-pve');

export interface PveLabNode {
  name: string;
  host: string;
  port: number;
  dir: string;
  hostKeyFingerprint: string;
  /** `127.0.0.N ssh-ed25519 AAAA…`, the line a known_hosts file pins. */
  hostKeyLine: string;
  /** SHA-256 fingerprint of the node's /etc/pve/local/pve-ssl.pem. */
  apiFingerprint: string;
}

export interface PveLab {
  stack: 'pve';
  dir: string;
  version: 'pve8' | 'pve9';
  keyPath: string;
  user: string;
  clusterName: string;
  /** How many guests the cluster started with (PVE_LAB_GUESTS); absent in a lab from before the option. */
  guests?: number;
  /** Nodes in no cluster (`up --bare`) until `pvecm create` / `pvecm add`. */
  bare?: boolean;
  /** The nodes' root@pam password, which a join into a cluster gives. */
  rootPassword: string;
  /** The API as every node sees it on its own loopback. */
  apiUrl: string;
  nodes: PveLabNode[];
}

export interface LabEnv {
  dir?: string;
  base?: number;
  /** The seed's guest count for `up` (PVE_LAB_GUESTS). */
  guests?: number;
  /** A Ceph on the cluster for `up` (PVE_LAB_CEPH): healthy, or an OSD down. */
  ceph?: 'ok' | 'warn';
}

const env = (o: LabEnv = {}) => ({
  ...process.env,
  PVE_LAB_DIR: o.dir ?? PVE_LAB_DIR,
  ...(o.base !== undefined ? { PVE_LAB_BASE: String(o.base) } : {}),
  ...(o.guests !== undefined ? { PVE_LAB_GUESTS: String(o.guests) } : {}),
  ...(o.ceph !== undefined ? { PVE_LAB_CEPH: o.ceph } : {}),
});

export function readPveLab(dir = PVE_LAB_DIR): PveLab {
  return JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as PveLab;
}

/** `scripts/lab-pve ARGS` (up N, down). */
export function pveLabCommand(args: string[], o: LabEnv = {}): void {
  execFileSync(PVE_LAB_SCRIPT, args, { env: env(o), stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Runs a command inside a node (as the lab sees it, not over SSH). */
export function pveRun(
  node: string,
  argv: string[],
  o: LabEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PVE_LAB_SCRIPT, ['exec', node, ...argv], {
    encoding: 'utf8',
    env: env(o),
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function pveLabIsUp(dir = PVE_LAB_DIR): boolean {
  if (!existsSync(join(dir, 'lab.json'))) return false;
  const lab = readPveLab(dir);
  return lab.nodes.every((n) => pveRun(n.name, ['true'], { dir }).code === 0);
}

/**
 * Brings the lab up where it is not (a few seconds); says whether it did, so
 * the caller takes down only its own. With `guests`, a lab seeded with
 * another guest count is started again with that many (and then counts as
 * started here).
 */
export function ensurePveLab(nodes = 3, guests?: number): { startedLab: boolean } {
  if (pveLabIsUp() && (guests === undefined || (readPveLab().guests ?? 3) === guests))
    return { startedLab: false };
  pveLabCommand(['down']);
  pveLabCommand(['up', String(nodes)], { guests });
  return { startedLab: true };
}

/** An SSH session to a node: root with the lab key, the host key pinned to lab.json's line. */
export interface PveSsh {
  exec(argv: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  forwardOut(host: string, port: number): Promise<Duplex>;
  close(): void;
}

export function sshTo(
  lab: PveLab,
  node: PveLabNode,
  pinnedLine = node.hostKeyLine,
): Promise<PveSsh> {
  const pinned = pinnedLine.split(' ')[2];
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.once('error', reject);
    client.once('ready', () =>
      resolve({
        exec: (argv) =>
          new Promise((res, rej) => {
            client.exec(quoteArgv(argv), (err, stream) => {
              if (err) return rej(err);
              let stdout = '';
              let stderr = '';
              let code: number | null = null;
              stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
              stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
              stream.on('exit', (c: number | null) => (code = c));
              stream.on('close', () => res({ code, stdout, stderr }));
            });
          }),
        forwardOut: (host, port) =>
          new Promise((res, rej) =>
            client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => (err ? rej(err) : res(ch))),
          ),
        close: () => client.end(),
      }),
    );
    client.connect({
      host: node.host,
      port: node.port,
      username: lab.user,
      privateKey: readFileSync(lab.keyPath),
      hostVerifier: (key: Buffer) => key.toString('base64') === pinned,
      readyTimeout: 20_000,
    });
  });
}

/** A command's output on lab node `node`, over a fresh SSH session as root with the lab key; a failure names both. */
export async function runOnPveNode(lab: PveLab, node: string, argv: string[]): Promise<string> {
  const target = lab.nodes.find((n) => n.name === node);
  if (!target) throw new Error(`the Proxmox lab has no node ${node}`);
  const ssh = await sshTo(lab, target);
  try {
    const r = await ssh.exec(argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} on ${node}: ${r.stderr}`);
    return r.stdout;
  } finally {
    ssh.close();
  }
}

/**
 * Whether a Proxmox lab suite can run here: as root, with socat (the API's
 * forward in each node) and any further tool it names, and with the pinned
 * schema. Otherwise it prints why, naming itself, and the suite skips.
 */
export function pveLabOrSkip(suite: string, tools: readonly string[] = []): boolean {
  const needed = ['/usr/bin/socat', ...tools];
  if (process.getuid?.() !== 0 || !needed.every((t) => existsSync(t))) {
    const names = needed.map((t) => t.split('/').pop()).join(', ');
    console.log(`[${suite}] SKIPPED: needs root and ${names}`);
    return false;
  }
  return pveSchemasOrSkip(suite);
}

// Access to the HA lab started by scripts/lab-ha (docs/lab.md, "HA"): three
// real Corosync + Pacemaker nodes with libvirt, in mount + UTS namespaces on
// the machine's loopback (127.0.0.(HA_LAB_BASE+i)).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Backend } from '../core/backend';
import type { Cluster } from '../shared/cluster';
import type { Vm } from '../shared/model';
import { REPO, testBackendOptions, waitFor } from './lab';

export const HA_LAB_DIR = process.env['HA_LAB_DIR'] ?? join(REPO, '.lab-ha');
export const HA_LAB_SCRIPT = join(REPO, 'scripts', 'lab-ha');

export interface HaLabNode {
  name: string;
  host: string;
  port: number;
  dir: string;
  hostKeyFingerprint: string;
  hostKeyLine: string;
}

export interface HaLab {
  stack: 'ha';
  dir: string;
  kvm: boolean;
  keyPath: string;
  user: string;
  clusterName: string;
  tokenMs: number;
  fenceAgent: string;
  /** The machine's folder mounted at nodeSharedDir in every node. */
  sharedDir: string;
  nodeSharedDir: string;
  /** A tiny guest whose definition and disk are on the shared folder (not a resource yet). */
  guest: { name: string; config: string; disk: string };
  nodes: HaLabNode[];
}

const env = () => ({ ...process.env, HA_LAB_DIR });

export function readHaLab(): HaLab {
  return JSON.parse(readFileSync(join(HA_LAB_DIR, 'lab.json'), 'utf8')) as HaLab;
}

/** Runs a command inside an HA lab node; throws on a non-zero exit. */
export function haExec(node: string, argv: string[], timeoutMs = 120_000): string {
  return execFileSync(HA_LAB_SCRIPT, ['exec', node, ...argv], {
    encoding: 'utf8',
    env: env(),
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Same, for commands whose failure is part of the check. */
export function haRun(
  node: string,
  argv: string[],
  input?: string,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(HA_LAB_SCRIPT, ['exec', node, ...argv], {
    encoding: 'utf8',
    env: env(),
    timeout: 120_000,
    input,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `scripts/lab-ha ARGS` (up, down, fence NODE, power-on NODE). */
export function haLabCommand(args: string[]): void {
  execFileSync(HA_LAB_SCRIPT, args, { env: env(), stdio: ['ignore', 'inherit', 'inherit'] });
}

/** True when the node's namespace is up (not fenced or powered off). */
export function haNodeIsOn(node: string): boolean {
  return haRun(node, ['true']).code === 0;
}

export function haLabIsUp(): boolean {
  if (!existsSync(join(HA_LAB_DIR, 'lab.json'))) return false;
  return readHaLab().nodes.some((n) => haNodeIsOn(n.name));
}

/** `virsh` on a node's own libvirtd. */
export function haVirsh(node: string, args: string[]): string {
  return haExec(node, ['virsh', '-c', 'qemu:///system', ...args]);
}

/** The nodes (that are on) where the domain is running, by asking each node's libvirtd. */
export function nodesRunning(domain: string): string[] {
  return readHaLab()
    .nodes.map((n) => n.name)
    .filter(
      (n) =>
        haNodeIsOn(n) &&
        haRun(n, ['virsh', '-c', 'qemu:///system', 'domstate', domain]).stdout.trim() === 'running',
    );
}

/**
 * The nodes running the domain at one moment. The nodes are asked one after
 * another, so a live migration ending between two questions shows its
 * source and its target both "running": each node seen running is asked
 * again after all were, and only those still running count. Two copies
 * that really run side by side are both seen twice.
 */
export function copiesRunning(domain: string): string[] {
  const seen = nodesRunning(domain);
  if (seen.length < 2) return seen;
  const again = nodesRunning(domain);
  return seen.filter((n) => again.includes(n));
}

/** What Pacemaker on `node` says: the nodes online, and whether its partition has quorum. */
export function clusterView(node: string): {
  online: string[];
  offline: string[];
  quorate: boolean;
} {
  const xml = haExec(node, ['crm_mon', '-1', '--output-as=xml']);
  const nodes = [...xml.matchAll(/<node name="([^"]+)"[^>]*online="(true|false)"/g)];
  return {
    online: nodes.filter((m) => m[2] === 'true').map((m) => m[1]!),
    offline: nodes.filter((m) => m[2] === 'false').map((m) => m[1]!),
    quorate: /<current_dc [^>]*with_quorum="true"/.test(xml),
  };
}

/**
 * Brings the HA lab up where it is not (about 30 s) and powers on any node a
 * run left fenced. Returns whether it started the lab: the caller takes down
 * only a lab it started.
 */
export function ensureHaCluster(): { startedLab: boolean } {
  if (!haLabIsUp()) {
    haLabCommand(['up', '3']);
    return { startedLab: true };
  }
  for (const n of readHaLab().nodes) if (!haNodeIsOn(n.name)) haLabCommand(['power-on', n.name]);
  return { startedLab: false };
}

/**
 * The lab guest's disk and definition copied under another name on the
 * shared folder, defined and started on `node` (not a resource yet). The
 * tests' own HA VMs start from here.
 */
export function startGuestCopy(name: string, opts: { autostart?: boolean } = {}): void {
  const lab = readHaLab();
  copyFileSync(
    join(lab.sharedDir, `${lab.guest.name}.qcow2`),
    join(lab.sharedDir, `${name}.qcow2`),
  );
  writeFileSync(
    join(lab.sharedDir, `${name}-src.xml`),
    guestXml(name, `${lab.nodeSharedDir}/${name}.qcow2`),
  );
  haVirsh('hanode1', ['define', `${lab.nodeSharedDir}/${name}-src.xml`]);
  if (opts.autostart) haVirsh('hanode1', ['autostart', name]);
  haVirsh('hanode1', ['start', name]);
}

/** The lab guest's definition under another name and disk. */
function guestXml(name: string, disk: string): string {
  const lab = readHaLab();
  return readFileSync(join(lab.sharedDir, `${lab.guest.name}.xml`), 'utf8')
    .replace(`<name>${lab.guest.name}</name>`, `<name>${name}</name>`)
    .replace(lab.guest.disk, disk);
}

const localDisk = (name: string) => `/var/lib/libvirt/images/${name}.qcow2`;

/**
 * A copy of the lab guest whose disk is on hanode1's own storage, which no
 * other member sees; defined there, not started.
 */
export function defineLocalGuest(name: string): void {
  const lab = readHaLab();
  haExec('hanode1', ['cp', `${lab.nodeSharedDir}/${lab.guest.name}.qcow2`, localDisk(name)]);
  writeFileSync(join(lab.sharedDir, `${name}-src.xml`), guestXml(name, localDisk(name)));
  haVirsh('hanode1', ['define', `${lab.nodeSharedDir}/${name}-src.xml`]);
}

export function dropLocalGuest(name: string): void {
  const lab = readHaLab();
  for (const n of lab.nodes.map((x) => x.name).filter(haNodeIsOn)) {
    haRun(n, ['virsh', '-c', 'qemu:///system', 'destroy', name]);
    haRun(n, ['virsh', '-c', 'qemu:///system', 'undefine', name]);
  }
  haRun('hanode1', ['rm', '-f', localDisk(name)]);
  rmSync(join(lab.sharedDir, `${name}-src.xml`), { force: true });
}

/** Adds the HA lab's nodes (all, or those named) to a backend as hosts, their host keys pinned from lab.json. */
export async function addHaNodes(backend: Backend, names?: string[]): Promise<void> {
  const lab = readHaLab();
  for (const n of lab.nodes.filter((x) => !names || names.includes(x.name)))
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

/**
 * Takes a test's HA VM away on every node that is on: its location
 * constraints, the resource (stopped first: a resource deleted while it runs
 * is an orphan whose stop fails, and fences), the domain, its files.
 */
export function dropGuestCopy(name: string, constraints: string[] = []): void {
  const lab = readHaLab();
  const on = lab.nodes.map((n) => n.name).filter(haNodeIsOn);
  haRun(on[0]!, ['crm_resource', '--resource', name, '--clear']);
  for (const c of constraints) haRun(on[0]!, ['crm', 'configure', 'delete', c]);
  if (haRun(on[0]!, ['crm_resource', '--resource', name, '--locate']).code === 0) {
    haRun(on[0]!, ['crm', 'resource', 'stop', name]);
    haRun(on[0]!, ['crm_resource', '--wait', '--timeout=120']);
    haRun(on[0]!, ['crm', 'configure', 'delete', name]);
  }
  for (const n of on) {
    haRun(n, ['virsh', '-c', 'qemu:///system', 'destroy', name]);
    haRun(n, ['virsh', '-c', 'qemu:///system', 'undefine', name]);
  }
  for (const f of [`${name}.qcow2`, `${name}.xml`, `${name}-src.xml`])
    rmSync(join(lab.sharedDir, f), { force: true });
}

/**
 * Puts a resource on the lab's guest by hand, as the suites that test
 * Pacemaker itself (not Protect with HA) need. The shared folder is a bind
 * mount libvirt cannot tell from a local disk (it would be NFS, GFS2 or Ceph
 * on a real cluster): hence --unsafe; the tiny guest ignores ACPI, so a
 * stop would wait for its timeout: hence force_stop.
 */
export function configureLabResource(
  rsc: string,
  opts: { monitorSeconds?: number; allowMigrate?: boolean; migrateOps?: boolean } = {},
): void {
  const { guest } = readHaLab();
  const ops = [
    ['monitor', `interval=${opts.monitorSeconds ?? 5}s`, 'timeout=30s'],
    ['start', 'timeout=90s'],
    ['stop', 'timeout=90s'],
    ...(opts.migrateOps
      ? [
          ['migrate_to', 'timeout=120s'],
          ['migrate_from', 'timeout=90s'],
        ]
      : []),
  ];
  haExec('hanode1', [
    'crm',
    'configure',
    'primitive',
    rsc,
    'ocf:heartbeat:VirtualDomain',
    'params',
    `config=${guest.config}`,
    'hypervisor=qemu:///system',
    'migration_transport=ssh',
    'migrate_options=--unsafe',
    'force_stop=true',
    ...(opts.allowMigrate === false ? [] : ['meta', 'allow-migrate=true']),
    ...ops.flatMap((op) => ['op', ...op]),
  ]);
}

/** Removes a resource a run left (stopped first: Pacemaker refuses otherwise), with its move constraints. */
export function dropLabResource(rsc: string): void {
  const node = readHaLab()
    .nodes.map((n) => n.name)
    .find(haNodeIsOn)!;
  if (haRun(node, ['crm_resource', '--resource', rsc, '--locate']).code !== 0) return;
  haRun(node, ['crm', 'resource', 'clear', rsc]);
  haExec(node, [
    'crm_resource',
    '--resource',
    rsc,
    '--set-parameter',
    'target-role',
    '--meta',
    '--parameter-value',
    'Stopped',
  ]);
  haExec(node, ['crm_resource', '--wait', '--timeout=60']);
  haExec(node, ['cibadmin', '--delete', '--xml-text', `<primitive id="${rsc}"/>`]);
}

/**
 * A suite's backend with the HA lab's nodes added: brings the cluster up
 * (or reuses it), runs the suite's clean-up before and after it (a run that
 * stopped half-way leaves its VM behind) and its set-up before the backend
 * starts; takes the lab down only if it started it.
 */
export function haBackendSuite(
  suite: string,
  hooks: { canRun: boolean; cleanUp: () => void; setUp: () => void },
): {
  readonly backend: Backend;
  vmNamed: (name: string) => Promise<Vm>;
  haCluster: () => Cluster | undefined;
} {
  let backend: Backend | undefined;
  let home: string | undefined;
  let startedLab = false;
  beforeAll(async () => {
    if (!hooks.canRun) return;
    startedLab = ensureHaCluster().startedLab;
    hooks.cleanUp();
    hooks.setUp();
    home = mkdtempSync(join(tmpdir(), `clusterdeck-${suite}-`));
    backend = await Backend.start(testBackendOptions(home));
    await addHaNodes(backend);
  }, 300_000);
  afterAll(() => {
    if (!hooks.canRun) return;
    backend?.close();
    if (home) rmSync(home, { recursive: true, force: true });
    hooks.cleanUp();
    if (startedLab) haLabCommand(['down']);
  }, 300_000);
  const started = (): Backend => {
    if (!backend) throw new Error(`${suite}: the backend has not started`);
    return backend;
  };
  return {
    get backend() {
      return started();
    },
    vmNamed: (name) =>
      waitFor(
        () =>
          started()
            .store.all('vms')
            .find((v) => v.name === name),
        `${name} in the store`,
        30_000,
      ),
    haCluster: () =>
      started()
        .store.all('clusters')
        .find((c) => c.ha),
  };
}

// The lab side of the scale case (scale-bench.ts): 10 nodes with 100 cheap
// guests each (many-guests.ts), OpenSSH as the administrator's peer, and
// the burst of state changes made on the nodes themselves, all through an
// SSH session of the bench's own per node (not Clusterdeck's backend).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { probeNode } from '../../core/drivers/detect';
import { LibvirtDriver } from '../../core/drivers/libvirt/driver';
import { InventoryStore } from '../../core/inventory/store';
import { SshSession } from '../../core/ssh/session';
import { ms, type LabJson } from './common';
import { defineGuests, undefineGuests } from './many-guests';

export const GUESTS_PER_NODE = 100;

type LabNode = LabJson['nodes'][number];

/** A node's guests are `cd-scale-<n>-001` …: unique across nodes, so the tree's rows tell them apart. */
export const prefixOf = (node: LabNode) => `cd-scale-${node.name.replace(/^node/, '')}`;

export interface ScaleLab {
  nodes: LabNode[];
  /** Every domain on the nodes once the guests are defined (the lab's own guests too). */
  domains: number;
  /** `virsh list --all` over OpenSSH on each node one after another, as an administrator would: ms. */
  opensshListAll(knownHosts: string): number;
  /** Runs `virsh <verb>` on the first `perNode` guests of every node at once; ms until the last returned. */
  burst(verb: 'start' | 'destroy', perNode: number): Promise<number>;
  /** Shuts off any guest still running (`keepSeeded`: not the lab's own) and undefines the bench's. */
  cleanUp(): Promise<void>;
}

// Fixed scripts on sh's stdin; the names arrive as positional parameters.
const COUNT = `virsh -q -c qemu:///system list --all --name | grep -c .`;
const VIRSH_EACH = `verb=$1; shift
for n in "$@"; do virsh -q -c qemu:///system "$verb" "$n" >/dev/null || exit 1; done`;
const STOP_RUNNING = `virsh -q -c qemu:///system list --state-running --name | grep . |
  while read -r n; do case "$n" in lab-*) [ "$1" = keep ] && continue;; esac
    virsh -q -c qemu:///system destroy "$n" >/dev/null; done; true`;

async function sh(session: SshSession, script: string, args: string[] = []): Promise<string> {
  const r = await session.exec(['sh', '-s', '--', ...args], { stdin: script, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`on the node: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/** Opens a session per node and defines the guests (left-overs of a broken run removed first). */
export async function prepareScaleLab(lab: LabJson, nodes: LabNode[]): Promise<ScaleLab> {
  const key = readFileSync(lab.keyPath);
  const sessions = await Promise.all(
    nodes.map((n) =>
      SshSession.open(
        { label: n.name, address: n.host, port: n.port },
        { user: lab.user, privateKey: key },
        async () => true, // the lab's own key; trust is tested in the suites
      ),
    ),
  );
  const each = <T>(f: (s: SshSession, n: LabNode) => Promise<T>) =>
    Promise.all(nodes.map((n, i) => f(sessions[i]!, n)));
  const names = (n: LabNode, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefixOf(n)}-${String(i + 1).padStart(3, '0')}`);
  const cleanUp = async () => {
    await each((s) => sh(s, STOP_RUNNING, ['keep']));
    await each((s, n) => undefineGuests(s, prefixOf(n)));
  };
  try {
    await cleanUp();
    await each((s, n) => defineGuests(s, prefixOf(n), GUESTS_PER_NODE));
  } catch (err) {
    for (const s of sessions) s.close();
    throw err;
  }
  const counts = await each((s) => sh(s, COUNT));
  return {
    nodes,
    domains: counts.reduce((a, c) => a + Number(c.trim()), 0),
    opensshListAll(knownHosts) {
      const t = process.hrtime.bigint();
      for (const n of nodes) {
        const r = spawnSync(
          'ssh',
          [
            ...['-i', lab.keyPath, '-p', String(n.port)],
            ...['-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes'],
            ...['-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'],
            `${lab.user}@${n.host}`,
            'virsh -c qemu:///system list --all',
          ],
          { encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(`ssh ${n.name} failed: ${r.stderr}`);
      }
      return ms(t);
    },
    async burst(verb, perNode) {
      const t = process.hrtime.bigint();
      await each((s, n) => sh(s, VIRSH_EACH, [verb, ...names(n, perNode)]));
      return ms(t);
    },
    async cleanUp() {
      try {
        await cleanUp();
      } finally {
        for (const s of sessions) s.close();
      }
    },
  };
}

/** Shuts off the lab's own running guests (lab-tiny-1, lab-linux), for a lab the bench started. */
export async function stopSeededGuests(lab: LabJson, nodes: LabNode[]): Promise<void> {
  const key = readFileSync(lab.keyPath);
  await Promise.all(
    nodes.map(async (n) => {
      const s = await SshSession.open(
        { label: n.name, address: n.host, port: n.port },
        { user: lab.user, privateKey: key },
        async () => true,
      );
      try {
        await sh(s, STOP_RUNNING, ['all']);
      } finally {
        s.close();
      }
    }),
  );
}

/**
 * The 10 nodes' inventory loads alone, at once, in this process (connect,
 * probe, the libvirt driver's start, as inventory-load.ts measures one):
 * what the tree's time would be with no page, WebSocket or second process;
 * ms until the last finished, and this process's CPU time meanwhile.
 */
export async function loadsAlone(
  lab: LabJson,
  nodes: LabNode[],
): Promise<{ ms: number; cpuMs: number }> {
  const key = readFileSync(lab.keyPath);
  const cpu0 = process.cpuUsage();
  const t = process.hrtime.bigint();
  const loaded = await Promise.all(
    nodes.map(async (n) => {
      const s = await SshSession.open(
        { label: n.name, address: n.host, port: n.port },
        { user: lab.user, privateKey: key },
        async () => true,
      );
      const driver = new LibvirtDriver(
        s,
        n.name,
        new InventoryStore(),
        await probeNode(s),
        () => undefined,
      );
      await driver.start();
      return () => {
        driver.stop();
        s.close();
      };
    }),
  );
  const took = ms(t);
  const cpu = process.cpuUsage(cpu0);
  for (const stop of loaded) stop();
  return { ms: took, cpuMs: (cpu.user + cpu.system) / 1000 };
}

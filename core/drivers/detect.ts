// Which stack a node runs, and the facts every stack shares, in one exec
// at connect time (an exec channel costs ~100 ms, so we make just one).
import type { Stack } from '../../shared/model';
import type { SshSession } from '../ssh/session';
import { parsePveProbe, PVE_PROBE_LINES, type PveProbe } from './proxmox/version';

// A fixed script: nothing from the user is ever part of it.
const PROBE_SCRIPT = [
  'for c in pveversion xe gnt-cluster virsh; do command -v "$c" >/dev/null 2>&1 && echo "has:$c"; done',
  // A Ganeti node in a cluster has its cluster's name in ssconf (every node, master or not).
  'test -s /var/lib/ganeti/ssconf_cluster_name && echo "has:ganeti-cluster"',
  // A running libvirt daemon (monolithic or modular) listens on one of these.
  'test -S /run/libvirt/libvirt-sock -o -S /run/libvirt/virtqemud-sock && echo "has:libvirtd"',
  // Proxmox VE: its version line, and whether /etc/pve (pmxcfs) is mounted.
  ...PVE_PROBE_LINES,
  'echo "hostname:$(hostname)"',
  'echo "uptime:$(cut -d" " -f1 /proc/uptime)"',
  "grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: */cpu:/'",
].join('; ');

export interface NodeProbe {
  stack: Stack;
  /** A Ganeti node whose ssconf names a cluster (false: Ganeti installed, no cluster yet). */
  ganetiCluster?: boolean;
  /** A Proxmox VE node: its version, and whether its cluster file system is mounted. */
  pve?: PveProbe;
  hostname: string;
  cpuModel: string;
  uptimeSeconds: number;
}

export function parseProbe(stdout: string): NodeProbe {
  const has = new Set<string>();
  let hostname = '';
  let cpuModel = '';
  let uptimeSeconds = 0;
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1).trim();
    if (key === 'has') has.add(value);
    else if (key === 'hostname') hostname = value;
    else if (key === 'uptime') uptimeSeconds = Math.floor(Number(value) || 0);
    else if (key === 'cpu') cpuModel = value;
  }
  // Proxmox VE, XCP-ng and Ganeti nodes may also have virsh; their own CLI wins.
  // A Ganeti cluster's node is a Ganeti node. Ganeti's tools without a cluster
  // make a Ganeti node waiting for New Cluster or Add node, unless a libvirt
  // daemon runs there: then it is a libvirt host that merely has the packages.
  const ganeti = has.has('gnt-cluster') && (has.has('ganeti-cluster') || !has.has('libvirtd'));
  const stack: Stack = has.has('pveversion')
    ? 'proxmox'
    : has.has('xe')
      ? 'xcp'
      : ganeti
        ? 'ganeti'
        : has.has('virsh')
          ? 'libvirt'
          : 'unknown';
  return {
    stack,
    ...(stack === 'ganeti' ? { ganetiCluster: has.has('ganeti-cluster') } : {}),
    ...(stack === 'proxmox' ? { pve: parsePveProbe(stdout) } : {}),
    hostname,
    cpuModel,
    uptimeSeconds,
  };
}

/**
 * Through the session's open shell (node-shell.ts): the shell it opens stays
 * for the driver's first quick reads (a libvirt node's memory), so a connect
 * pays sshd's channel start-up once for both.
 */
export async function probeNode(session: SshSession): Promise<NodeProbe> {
  const r = await session.run(['sh', '-c', PROBE_SCRIPT], { timeoutMs: 20_000 });
  return parseProbe(r.stdout);
}

export function unsupportedStackMessage(stack: Stack, label: string): string {
  switch (stack) {
    case 'proxmox':
      return `${label} runs Proxmox VE (pveversion found). Proxmox VE support is coming in a later release of Clusterdeck; manage this node in its web interface for now.`;
    case 'xcp':
      return `${label} runs XCP-ng or XenServer (xe found). XCP-ng support is coming in a later release of Clusterdeck; use XenCenter or Xen Orchestra for now.`;
    case 'ganeti':
      return `${label} runs Ganeti (gnt-cluster found), which this build of Clusterdeck does not manage.`;
    default:
      return `${label} has no virsh: install libvirt (on Debian: apt install libvirt-daemon-system libvirt-clients), then reconnect.`;
  }
}

// New Cluster's "High availability" against a bare HA lab (scripts/lab-ha up
// 3 --bare): the lab nodes added to a backend, and what the nodes say about
// the cluster formed on them (crm_mon, corosync-quorumtool, cibadmin).
import type { Backend } from '../core/backend';
import { haExec, haLabCommand, haLabIsUp, haRun, readHaLab } from './ha-lab';

/** Brings a bare HA lab up where none is; refuses a formed lab (its cluster is not ours to take apart). */
export function ensureBareHaLab(): { startedLab: boolean } {
  if (haLabIsUp()) {
    const lab = readHaLab() as ReturnType<typeof readHaLab> & { bare?: boolean };
    if (!lab.bare)
      throw new Error(
        'An HA lab with a formed cluster is up: these tests need `scripts/lab-ha up 3 --bare`.',
      );
    return { startedLab: false };
  }
  haLabCommand(['up', '3', '--bare']);
  return { startedLab: true };
}

/** Adds an HA lab node to the backend by its address and key, trusting the recorded host key. */
export async function addHaNode(backend: Backend, name: string): Promise<string> {
  const lab = readHaLab();
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

/** What the nodes say about the cluster, each node asked itself. */
export function formedState(node: string): {
  online: number;
  quorate: boolean;
  stonith: string[];
  stonithEnabled: string | undefined;
} {
  const mon = haExec(node, ['crm_mon', '-1', '--output-as=xml']);
  const q = haExec(node, ['corosync-quorumtool', '-s']);
  const cib = haExec(node, ['cibadmin', '--query']);
  return {
    online: [...mon.matchAll(/<node name="[^"]+"[^>]*online="true"/g)].length,
    quorate: /<current_dc [^>]*with_quorum="true"/.test(mon) && /Quorate:\s+Yes/.test(q),
    stonith: [...cib.matchAll(/<primitive id="([^"]+)" class="stonith" type="([^"]+)"/g)].map(
      (m) => `${m[1]}:${m[2]}`,
    ),
    stonithEnabled: /name="stonith-enabled" value="([^"]+)"/.exec(cib)?.[1],
  };
}

/** The node's cluster files and daemons, as the undo check compares them. */
export function bareState(node: string): string {
  return haExec(node, [
    'sh',
    '-c',
    'echo "conf: $(grep -E "^[[:space:]]*cluster_name" /etc/corosync/corosync.conf 2>/dev/null | tr -d "[:space:]")"; ' +
      'echo "authkey: $(ls /etc/corosync/authkey 2>/dev/null)"; echo "backups: $(ls /etc/corosync | grep -c clusterdeck)"; ' +
      'echo "cib: $(ls /var/lib/pacemaker/cib/ | grep -c cib)"; ' +
      'echo "corosync: $(systemctl is-active corosync) $(systemctl is-enabled corosync)"; echo "pacemaker: $(systemctl is-active pacemaker) $(systemctl is-enabled pacemaker)"',
  ]);
}

/** Takes a formed cluster off a bare lab's nodes (a test that failed half-way). */
export function unformBareLab(): void {
  for (const n of readHaLab().nodes)
    haRun(n.name, [
      'sh',
      '-c',
      'systemctl disable --now pacemaker corosync; rm -f /var/lib/pacemaker/cib/cib* /etc/corosync/authkey; ' +
        'if [ -e /etc/corosync/corosync.conf.clusterdeck-before ]; then mv -f /etc/corosync/corosync.conf.clusterdeck-before /etc/corosync/corosync.conf; fi; ' +
        'rm -rf "$HOME"/.ssh/clusterdeck "$HOME"/.ssh/config; true',
    ]);
}

// New Cluster's stack: libvirt (Clusterdeck's SSH trust between the nodes),
// Ganeti (gnt-cluster init) or Proxmox VE (pvecm create), each offered when
// an added node's capabilities allow it: Ganeti and Proxmox VE when a node of
// theirs is in no cluster yet ('cluster' capability).
import type { Host } from '../../../shared/model';
import { hasCapability } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { RadioGroup } from '../../ui/forms';

export type ClusterStack = 'libvirt' | 'ganeti' | 'proxmox';

/** A node that makes clusters with its own stack's tool, in none yet. */
const loneOf = (stack: ClusterStack) => (h: Host) =>
  h.stack === stack && hasCapability(h, 'cluster');
export const isLoneGanetiNode = loneOf('ganeti');
export const isLonePveNode = loneOf('proxmox');
/** A node the libvirt wizard takes: it can be in a cluster, and its stack makes none itself. */
export const isLibvirtClusterNode = (h: Host) =>
  (hasCapability(h, 'cluster') || h.state !== 'connected') &&
  h.stack !== 'ganeti' &&
  h.stack !== 'proxmox';

const LABELS: Record<ClusterStack, string> = {
  libvirt: 'libvirt (SSH trust between the nodes)',
  ganeti: 'Ganeti (gnt-cluster init, gnt-node add)',
  proxmox: 'Proxmox VE (pvecm create, then the other nodes join)',
};

/** The stacks the added hosts allow; libvirt always (its nodes can be added from the wizard). */
export function useOfferedStacks(): ClusterStack[] {
  const hosts = Object.values(useInventory((s) => s.inv).hosts);
  return [
    'libvirt' as const,
    ...(hosts.some(isLoneGanetiNode) ? (['ganeti'] as const) : []),
    ...(hosts.some(isLonePveNode) ? (['proxmox'] as const) : []),
  ];
}

export function StackChoice({
  value,
  onChange,
}: {
  value: ClusterStack;
  onChange: (s: ClusterStack) => void;
}) {
  const offered = useOfferedStacks();
  return (
    <RadioGroup
      legend="Stack"
      value={value}
      onChange={onChange}
      className="space-y-1"
      options={offered.map((s) => ({ value: s, label: LABELS[s] }))}
    />
  );
}

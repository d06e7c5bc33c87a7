// What the tree adds for a cluster whose nodes run Pacemaker (the `ha` facet,
// shared/ha.ts): the cluster's quorum and failures after its connection
// count, each member's HA state after its connection state, and an HA VM's
// resource state after its libvirt state, so a standby or lost node and a
// failed or stopped resource show without opening the General tab.
import type { Cluster } from '../../../shared/cluster';
import { haResourceOfVm, type HaState } from '../../../shared/ha';
import type { Inventory, Vm } from '../../../shared/model';

/** ", HA: quorate, fencing off, 1 failed action" */
export function haClusterSuffix(c: Cluster): string {
  const ha = c.ha;
  if (!ha) return '';
  const parts = [ha.quorate ? 'quorate' : 'no quorum'];
  if (!ha.stonithEnabled) parts.push('fencing off');
  const failed = ha.failedActions.length;
  if (failed) parts.push(`${failed} failed action${failed === 1 ? '' : 's'}`);
  if (ha.problem) parts.push('not read');
  return `, HA: ${parts.join(', ')}`;
}

/** The HA state of the cluster that holds this host, if any. */
function haOfHost(inv: Inventory, hostId: string): HaState | undefined {
  return Object.values(inv.clusters).find((c) => c.ha && c.hostIds.includes(hostId))?.ha;
}

/** ", HA standby" for a member (nothing for a member that is simply online). */
export function haHostSuffix(inv: Inventory, hostId: string): string {
  const node = haOfHost(inv, hostId)?.nodes.find((n) => n.hostId === hostId);
  return node && node.state !== 'online' ? `, HA ${node.state}` : '';
}

/**
 * ", HA Started" for a VM that is a VirtualDomain resource; ", HA Started on
 * hanode2" when Pacemaker runs it on another node than this entry's (the
 * entry a lost node left behind).
 */
export function haVmSuffix(inv: Inventory, vm: Vm): string {
  const ha = haOfHost(inv, vm.hostId);
  const r = haResourceOfVm(ha, vm);
  if (!r) return '';
  const here = ha?.nodes.find((n) => n.hostId === vm.hostId)?.name;
  const elsewhere = r.nodes.length > 0 && !!here && !r.nodes.includes(here);
  const notes = [
    r.failed ? 'failed' : '',
    r.targetStopped ? 'disabled' : '',
    r.managed ? '' : 'unmanaged',
  ];
  const extra = notes.filter(Boolean);
  const where = elsewhere ? ` on ${r.nodes.join(', ')}` : '';
  return `, HA ${r.role}${where}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

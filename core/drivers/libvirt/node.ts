// What the libvirt driver's capability modules share of one node: its SSH
// session, its open virsh, its id in the inventory and the inventory itself.
// The driver (driver.ts) holds the one instance per node and passes it on.
import { ClusterdeckError } from '../../../shared/errors';
import type { InventoryStore } from '../../inventory/store';
import type { SshSession } from '../../ssh/session';
import type { VirshShell } from './virsh-shell';

export interface LibvirtNode {
  readonly session: SshSession;
  readonly hostId: string;
  readonly store: InventoryStore;
  /** The node's name in messages. */
  readonly label: string;
  /** The open virsh, once start() opened it and until stop(). */
  readonly shell: VirshShell | undefined;
  /** Set by stop(): reads under way drop their results. */
  readonly stopped: boolean;
}

/** The open virsh, or the error a disconnected node gives. */
export function openShell(node: LibvirtNode): VirshShell {
  if (!node.shell) throw new ClusterdeckError('disconnected', `${node.label} is not connected.`);
  return node.shell;
}

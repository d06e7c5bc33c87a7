// A tree row and the builders the host and managed-cluster branches share.
import type { Inventory, Vm, VmState } from '../../../shared/model';
import { runningVmJob } from '../../../shared/vm-jobs';
import type { Selection } from '../../state/ui';
import { VM_STATE_WORDS } from '../../ui/format';

export interface TreeRow {
  key: string;
  level: number;
  label: string;
  /** Smaller text after the label (state, usage). */
  detail: string;
  /** Accessible name: label then detail, e.g. "lab-tiny-1 Running". */
  name: string;
  expandable: boolean;
  selection?: Selection;
  tone: 'ok' | 'warn' | 'bad' | 'muted';
  /** A VM's libvirt state, for the filter's "state:running" tokens. */
  vmState?: VmState;
  /** A guest that is a system container (Proxmox VE's LXC), marked "CT" beside its name. */
  container?: boolean;
  /** A VM's tags, shown as chips and matched by the filter's "tag:web" tokens. */
  tags?: readonly string[];
  /** A node of a cluster that places its VMs itself: a VM dropped on it migrates there. */
  dropNode?: string;
  /** The tooltip: the whole name (a long one is cut short on screen), state and tags. */
  title: string;
  /** A node of a cluster its stack manages (Ganeti): its menu offers the node operations. */
  managedNode?: { clusterId: string; node: string };
}

export const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

export function row(r: Omit<TreeRow, 'name' | 'title'>): TreeRow {
  const name = r.detail ? `${r.label} ${r.detail}` : r.label;
  const tags = r.tags?.length ? ` · tags: ${r.tags.join(', ')}` : '';
  return { ...r, name, title: (r.detail ? `${r.label} (${r.detail})` : r.label) + tags };
}

/** A VM's row; `extra` follows the state (a managed cluster's disk template). */
export function vmRow(inv: Inventory, v: Vm, level: number, extra = ''): TreeRow {
  // A migrating VM is "Migrating to node2", not the Paused its incoming copy reports.
  const job = runningVmJob(Object.values(inv.tasks), inv.hosts, v);
  return row({
    key: `vm:${v.id}`,
    level,
    label: v.name,
    // A container says so: its actions and settings are a container's, not a VM's.
    detail:
      (job?.words ?? VM_STATE_WORDS[v.state]) +
      (v.kind === 'container' ? ' · container' : '') +
      extra,
    expandable: false,
    ...(v.kind === 'container' ? { container: true } : {}),
    selection: { kind: 'vm', id: v.id, uuid: v.uuid },
    vmState: v.state,
    ...(v.tags?.length ? { tags: v.tags } : {}),
    tone: job
      ? 'warn'
      : v.state === 'running'
        ? 'ok'
        : v.state === 'paused'
          ? 'warn'
          : v.state === 'crashed'
            ? 'bad'
            : 'muted',
  });
}

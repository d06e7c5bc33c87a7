// Snapshots of Proxmox VE guests: listed from `GET …/snapshot` (a tree by
// parent; the 'current' entry says which one the guest grew from), taken
// (a running VM's with its RAM, `vmstate`, when asked), rolled back and
// deleted as PVE workers followed by UPID. PVE's own refusals (a guest
// under a lock, a template, a used name) end the worker and so the task,
// with PVE's message, the node and the pvesh command. Containers keep no
// RAM; a running guest is stopped by a rollback unless its snapshot kept
// its RAM, and PVE takes no disk-only overlay snapshots.
import type { Snapshot, Vm } from '../../../shared/model';
import type { SnapshotOp, SnapshotRefusals } from '../../../shared/vm';
import { runAsOneStep } from '../../tasks/one-step';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import type { GuestRef } from './settings';
import { runWorker } from './tasks';

interface PveSnapshot {
  name: string;
  parent?: string;
  description?: string;
  snaptime?: number;
  vmstate?: number | boolean;
}

const path = (g: GuestRef) => `/nodes/${g.node}/${g.type}/${g.vmid}/snapshot`;

export async function readGuestSnapshots(api: PveApiClient, g: GuestRef): Promise<Snapshot[]> {
  const list = (await api.get<PveSnapshot[]>(path(g))) ?? [];
  const current = list.find((s) => s.name === 'current')?.parent;
  return list
    .filter((s) => s.name !== 'current')
    .map((s) => ({
      name: s.name,
      parent: s.parent ?? '',
      description: s.description ?? '',
      createdAt: s.snaptime ?? 0,
      state: s.vmstate ? 'running' : 'disks only',
      memory: !!s.vmstate,
      current: s.name === current,
      disks: [],
    }))
    .sort((a, b) => a.createdAt - b.createdAt);
}

/** What Proxmox VE cannot take for this guest now, said before asking. */
export function guestSnapshotRefusals(vm: Vm, g: GuestRef): SnapshotRefusals {
  const out: SnapshotRefusals = {
    'disk-only-quiesce': `Proxmox VE takes no disk-only snapshots in overlay files: its snapshots are its storage's own${g.type === 'qemu' ? ', and it quiesces the guest through its agent itself when the VM has one' : ''}.`,
  };
  if (g.type === 'lxc')
    out.memory = `${vm.name} is a container: Proxmox VE keeps no memory in a container's snapshot, only its volumes.`;
  else if (vm.state !== 'running')
    out.memory = `${vm.name} is not running: there is no memory to keep.`;
  return out;
}

/** The op as one PVE worker, followed to its end as the task's one step. */
export async function runGuestSnapshotOp(
  api: PveApiClient,
  g: GuestRef,
  vm: Vm,
  op: SnapshotOp,
  ctx: TaskContext,
  pollMs?: number,
): Promise<void> {
  const title =
    op.op === 'create'
      ? `Take snapshot ${op.name} of ${vm.name}`
      : op.op === 'revert'
        ? `Roll ${vm.name} back to ${op.name}`
        : `Delete snapshot ${op.name} of ${vm.name}`;
  await runAsOneStep(ctx, title, async () => {
    if (op.op === 'create') {
      const params = {
        snapname: op.name,
        ...(op.description ? { description: op.description } : {}),
        ...(g.type === 'qemu' && op.kind === 'memory' ? { vmstate: 1 } : {}),
      };
      await runWorker(api, path(g), params, ctx, pollMs);
    } else if (op.op === 'revert') {
      if (vm.state === 'running')
        ctx.detail(
          `Proxmox VE stops ${vm.name} for the rollback (it runs again if ${op.name} kept its memory).`,
        );
      await runWorker(api, `${path(g)}/${op.name}/rollback`, {}, ctx, pollMs);
    } else {
      await runWorker(api, `${path(g)}/${op.name}`, {}, ctx, pollMs, [], 'DELETE');
    }
  });
}

// Actions on several selected VMs at once (Start 3 VMs, Migrate 2 VMs): which
// of them the action applies to, which are skipped and why, as pure functions
// of the inventory, so the toolbar, the context menu and the dialog agree.
import type { Inventory, Vm } from '../../../shared/model';
import { hasCapability } from '../../../shared/model';
import { offersAction } from '../../../shared/vm-actions';
import { runningVmJob } from '../../../shared/vm-jobs';
import { useInventory } from '../../state/inventory';
import { useUi, type BulkRequest, type Selection } from '../../state/ui';
import { VM_STATE_WORDS } from '../../ui/format';
import { VM_ACTION_SPECS } from './vmActions';

/** The actions offered on a multi-selection. */
export const BULK_ACTIONS: readonly BulkRequest['action'][] = [
  'start',
  'shutdown',
  'destroy',
  'migrate',
];

export const bulkLabel = (action: BulkRequest['action']): string =>
  action === 'migrate'
    ? 'Migrate'
    : (VM_ACTION_SPECS.find((s) => s.action === action)?.label ?? action);

/** "Start 3 VMs", "Migrate 1 VM". */
export const bulkTitle = (action: BulkRequest['action'], count: number): string =>
  `${bulkLabel(action)} ${count} VM${count === 1 ? '' : 's'}`;

/** The VMs of a multi-selection (tree keys "vm:<id>"), in tree order; none for a single selection. */
export function markedVmIds(marked: readonly string[], inv: Inventory): string[] {
  return marked
    .filter((k) => k.startsWith('vm:'))
    .map((k) => k.slice(3))
    .filter((id) => !!inv.vms[id]);
}

/** The VMs the toolbar acts on: the marked ones, or the selected VM alone. */
export function selectedVmIds(
  selection: Selection,
  marked: readonly string[],
  inv: Inventory,
): string[] {
  if (marked.length > 1) return markedVmIds(marked, inv);
  return selection.kind === 'vm' && inv.vms[selection.id] ? [selection.id] : [];
}

export function useSelectedVmIds(): string[] {
  const selection = useUi((s) => s.selection);
  const marked = useUi((s) => s.marked);
  const inv = useInventory((s) => s.inv);
  return selectedVmIds(selection, marked, inv);
}

export interface BulkPlan {
  run: Vm[];
  skipped: { vm: Vm; reason: string }[];
}

/**
 * Which VMs the action runs on and why the others are skipped. For Migrate,
 * `targetHostId` is the chosen node: VMs already there, or on a node of
 * another cluster, are skipped.
 */
export function planBulk(
  action: BulkRequest['action'],
  vmIds: readonly string[],
  inv: Inventory,
  targetHostId?: string,
): BulkPlan {
  const plan: BulkPlan = { run: [], skipped: [] };
  const tasks = Object.values(inv.tasks);
  const spec = VM_ACTION_SPECS.find((s) => s.action === action);
  for (const id of vmIds) {
    const vm = inv.vms[id];
    if (!vm) continue;
    const skip = (reason: string) => plan.skipped.push({ vm, reason });
    const job = runningVmJob(tasks, inv.hosts, vm)?.words;
    const host = inv.hosts[vm.hostId];
    if (job) skip(`${job}: wait for it to end`);
    else if (host?.state !== 'connected') skip(`its node ${host?.name ?? ''} is not connected`);
    else if (action === 'migrate') {
      const reason = migrateSkip(vm, inv, targetHostId);
      if (reason) skip(reason);
      else plan.run.push(vm);
    } else if (spec && !offersAction(vm, spec.action)) skip(`it has no ${spec.label}`);
    else if (spec && !spec.allowed(vm)) skip(`it is ${VM_STATE_WORDS[vm.state]}`);
    else plan.run.push(vm);
  }
  return plan;
}

function migrateSkip(vm: Vm, inv: Inventory, targetHostId: string | undefined): string | undefined {
  const host = inv.hosts[vm.hostId];
  if (host && hasCapability(host, 'cluster-moves'))
    return 'its cluster places VMs itself: use Migrate… on it alone';
  if (!host || !hasCapability(host, 'migration')) return 'its node cannot migrate VMs';
  if (!targetHostId) return 'no target node chosen';
  const target = inv.hosts[targetHostId];
  if (vm.hostId === targetHostId) return `it is already on ${target?.name ?? 'that node'}`;
  const sameCluster = Object.values(inv.clusters).some(
    (c) => c.hostIds.includes(vm.hostId) && c.hostIds.includes(targetHostId),
  );
  if (!sameCluster)
    return `its node ${host.name} is not in ${target?.name ?? 'the target'}'s cluster`;
  return undefined;
}

/** The nodes a multi-selection can migrate to: connected members of the clusters its VMs' nodes are in. */
export function migrationTargets(vmIds: readonly string[], inv: Inventory): string[] {
  const hostIds = new Set(vmIds.map((id) => inv.vms[id]?.hostId));
  const targets = new Set<string>();
  for (const c of Object.values(inv.clusters)) {
    if (!c.hostIds.some((h) => hostIds.has(h))) continue;
    for (const h of c.hostIds) if (inv.hosts[h]?.state === 'connected') targets.add(h);
  }
  return [...targets].sort((a, b) =>
    (inv.hosts[a]?.name ?? '').localeCompare(inv.hosts[b]?.name ?? ''),
  );
}

/** Whether an action has any VM to act on among these (a toolbar button or menu item is enabled). */
export function bulkOffered(
  action: BulkRequest['action'],
  vmIds: readonly string[],
  inv: Inventory,
): boolean {
  if (action !== 'migrate') return planBulk(action, vmIds, inv).run.length > 0;
  return migrationTargets(vmIds, inv).some(
    (t) => planBulk('migrate', vmIds, inv, t).run.length > 0,
  );
}

export const openBulk = (action: BulkRequest['action'], vmIds: string[]) =>
  useUi.getState().setBulk({ action, vmIds });

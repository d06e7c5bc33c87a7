// Which VM actions make sense in which state, and which need a confirmation:
// shared by the toolbar and the context menu.
import { VM_ACTION_LABELS, offersAction, type VmAction } from '../../../shared/api';
import { hasCapability, type Capability, type Host, type Vm } from '../../../shared/model';
import { runningVmJob } from '../../../shared/vm-jobs';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi, type VmDialog } from '../../state/ui';

export interface ActionSpec {
  action: VmAction;
  label: string;
  allowed: (vm: Vm) => boolean;
  /** A sentence on what is lost, for actions that need confirming. */
  warning?: (vm: Vm) => string;
}

export const VM_ACTION_SPECS: readonly ActionSpec[] = [
  {
    action: 'start',
    label: VM_ACTION_LABELS.start,
    allowed: (vm) => ['shutoff', 'crashed', 'shutdown'].includes(vm.state),
  },
  { action: 'shutdown', label: VM_ACTION_LABELS.shutdown, allowed: (vm) => vm.state === 'running' },
  {
    action: 'destroy',
    label: VM_ACTION_LABELS.destroy,
    allowed: (vm) => ['running', 'paused', 'shutdown', 'blocked', 'pmsuspended'].includes(vm.state),
    warning: (vm) =>
      `${vm.name} stops at once, like pulling the power cord. Anything the guest has not written to disk is lost.`,
  },
  {
    action: 'reboot',
    label: VM_ACTION_LABELS.reboot,
    allowed: (vm) => vm.state === 'running',
    warning: (vm) =>
      `${vm.name} restarts; its users are disconnected and unsaved work in the guest may be lost.`,
  },
  { action: 'suspend', label: VM_ACTION_LABELS.suspend, allowed: (vm) => vm.state === 'running' },
  { action: 'resume', label: VM_ACTION_LABELS.resume, allowed: (vm) => vm.state === 'paused' },
];

/**
 * "Migrating to node2" while a task moves the VM (the backend refuses its
 * lifecycle actions meanwhile); undefined when it is free.
 */
export function useVmJob(vm: Pick<Vm, 'uuid' | 'hostId'> | undefined): string | undefined {
  return useInventory((s) =>
    vm ? runningVmJob(Object.values(s.inv.tasks), s.inv.hosts, vm)?.words : undefined,
  );
}

/** Whether the action is offered: the VM's stack has it, its state allows it and no task holds the VM. */
export const canRun = (spec: ActionSpec, vm: Vm, job: string | undefined) =>
  !job && offersAction(vm, spec.action) && spec.allowed(vm);

/** Runs an action, asking first where the spec says so. Errors land in the Tasks pane. */
export function runVmAction(vm: Vm, spec: ActionSpec, onError: (msg: string) => void): void {
  const go = () => {
    api
      .vmAction({ vmId: vm.id, action: spec.action })
      .catch((err: unknown) => onError(errorMessage(err)));
  };
  if (!spec.warning) {
    go();
    return;
  }
  useUi.getState().askConfirm({
    title: `${spec.label} ${vm.name}?`,
    body: spec.warning(vm),
    confirmLabel: spec.label,
    onConfirm: go,
  });
}

/** The capability of the VM's node each VM dialog needs: hidden where the stack lacks it. */
export const VM_DIALOG_NEEDS: Readonly<Record<VmDialog['kind'], Capability>> = {
  settings: 'vm-edit',
  migrate: 'migration',
  clone: 'vm-clone',
  delete: 'vm-delete',
};

/** Whether the VM's node offers what the dialog needs. */
export const offersDialog = (host: Host | undefined, kind: VmDialog['kind']): boolean =>
  !!host &&
  (hasCapability(host, VM_DIALOG_NEEDS[kind]) ||
    // A cluster that places VMs (Ganeti) edits them in its own settings dialog.
    (kind === 'settings' && hasCapability(host, 'instance-edit')) ||
    // A cluster that places its VMs itself (Ganeti) has its own Migrate VM.
    (kind === 'migrate' && hasCapability(host, 'cluster-moves')));

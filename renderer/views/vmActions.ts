// Which VM actions make sense in which state, and which need a confirmation:
// shared by the toolbar and the context menu.
import type { VmAction } from '../../shared/api';
import type { Vm } from '../../shared/model';
import { getBridge, errorMessage } from '../api/bridge';
import { useUi } from '../state/ui';

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
    label: 'Start',
    allowed: (vm) => ['shutoff', 'crashed', 'shutdown'].includes(vm.state),
  },
  { action: 'shutdown', label: 'Shut down', allowed: (vm) => vm.state === 'running' },
  {
    action: 'destroy',
    label: 'Force off',
    allowed: (vm) => ['running', 'paused', 'shutdown', 'blocked', 'pmsuspended'].includes(vm.state),
    warning: (vm) =>
      `${vm.name} stops at once, like pulling the power cord. Anything the guest has not written to disk is lost.`,
  },
  {
    action: 'reboot',
    label: 'Reboot',
    allowed: (vm) => vm.state === 'running',
    warning: (vm) =>
      `${vm.name} restarts; its users are disconnected and unsaved work in the guest may be lost.`,
  },
  { action: 'suspend', label: 'Pause', allowed: (vm) => vm.state === 'running' },
  { action: 'resume', label: 'Resume', allowed: (vm) => vm.state === 'paused' },
];

/** Runs an action, asking first where the spec says so. Errors land in the Tasks pane. */
export function runVmAction(vm: Vm, spec: ActionSpec, onError: (msg: string) => void): void {
  const go = () => {
    getBridge()
      .call('vmAction', { vmId: vm.id, action: spec.action })
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

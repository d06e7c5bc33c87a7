// The VM lifecycle actions and their names for people, written once: the
// renderer's buttons and the backend's task titles ("Force off db") use these.
export const VM_ACTIONS = ['start', 'shutdown', 'destroy', 'reboot', 'suspend', 'resume'] as const;
export type VmAction = (typeof VM_ACTIONS)[number];

export const VM_ACTION_LABELS: Readonly<Record<VmAction, string>> = {
  start: 'Start',
  shutdown: 'Shut down',
  destroy: 'Force off',
  reboot: 'Reboot',
  suspend: 'Pause',
  resume: 'Resume',
};

/**
 * Whether the guest's stack offers the action for it at all (its state
 * aside): a VM that lists its actions offers only those (a Proxmox VE
 * container has no Pause); one that lists none offers every action.
 */
export function offersAction(vm: { actions?: readonly VmAction[] }, action: VmAction): boolean {
  return !vm.actions || vm.actions.includes(action);
}

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

// What each VM action should bring about, and how long to wait for it.
// `virsh shutdown` and `virsh reboot` return as soon as the guest was asked
// (an ACPI button press); whether the guest obeys shows only later, in the
// node's event stream. A task says Succeeded only once the effect is seen.
import type { VmAction } from '../../../shared/api';
import type { Vm, VmState } from '../../../shared/model';

export interface Effect {
  /** Shown on the task while it waits. */
  waiting: string;
  /** Seen in the inventory: the VM's state (undefined once the VM is gone). */
  reached?: (vm: Vm | undefined) => boolean;
  /** Seen in the event stream instead: the event's name (`event 'reboot' for domain …`). */
  event?: string;
  /** The task's error when the effect was not seen in time. */
  late: (vm: string, node: string, seconds: number) => string;
  /** The action the failed task offers instead. */
  offer?: VmAction;
}

const inState =
  (...states: VmState[]) =>
  (vm: Vm | undefined) =>
    vm !== undefined && states.includes(vm.state);
// A transient domain disappears when it stops.
const off = (vm: Vm | undefined) => vm === undefined || vm.state === 'shutoff';
const notShown = (what: string) => (vm: string, node: string, s: number) =>
  `libvirt on ${node} does not show ${vm} ${what} ${s} s after the command returned.`;

export const EFFECTS: Record<VmAction, Effect> = {
  start: { waiting: 'Starting…', reached: inState('running'), late: notShown('running') },
  resume: { waiting: 'Resuming…', reached: inState('running'), late: notShown('running') },
  suspend: { waiting: 'Pausing…', reached: inState('paused'), late: notShown('paused') },
  destroy: { waiting: 'Turning off…', reached: off, late: notShown('shut off') },
  shutdown: {
    waiting: 'Shutting down…',
    reached: off,
    late: (vm, node, s) =>
      `${vm} on ${node} is still running ${s} s after the shutdown request: the guest did not power off ` +
      '(it may ignore the ACPI power button, or still be stopping). Force off turns it off at once.',
    offer: 'destroy',
  },
  reboot: {
    waiting: 'Rebooting…',
    event: 'reboot',
    late: (vm, node, s) =>
      `${vm} on ${node} did not restart within ${s} s of the reboot request: ` +
      'the guest may ignore the ACPI power button. It is still running.',
  },
};

/** Whether a line from `virsh event --all` is that event for the domain named `name`. */
export function isDomainEvent(line: string, event: string, name: string): boolean {
  return line.startsWith(`event '${event}' for domain '${name}'`);
}

/**
 * Resolves true as soon as `seen()` holds (checked now and at each `wake()`),
 * false once `ms` have passed; rejects with `cancelled()` when the task is cancelled.
 */
export function waitUntil(
  seen: () => boolean,
  ms: number,
  signal: AbortSignal,
  cancelled: () => Error,
): { result: Promise<boolean>; wake: () => void } {
  let wake = () => {};
  const result = new Promise<boolean>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      wake = () => {};
    };
    const onAbort = () => {
      finish();
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      finish();
      resolve(seen());
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    wake = () => {
      if (!seen()) return;
      finish();
      resolve(true);
    };
    if (signal.aborted) onAbort();
    else wake();
  });
  return { result, wake: () => wake() };
}

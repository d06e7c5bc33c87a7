// A Proxmox VE guest's own operations: power actions (through HA for a
// guest HA manages), New VM / New Container (new-guest.ts), Delete and the
// console. Each change is a PVE worker followed by UPID (tasks.ts) as the
// task's one step, the cluster read again after it.
import { VM_ACTION_LABELS, type VmAction } from '../../../shared/api';
import { ClusterdeckError } from '../../../shared/errors';
import type { GuestOptions, GuestSpec } from '../../../shared/guest-create';
import type { Vm } from '../../../shared/model';
import { runAsOneStep } from '../../tasks/one-step';
import type { TaskContext } from '../../tasks/runner';
import type { ConsoleSource, GuestCreation } from '../capabilities';
import type { PveApiClient } from './api-client';
import { guestConsole } from './console';
import { readGuestOptions } from './guest-options';
import type { PveHaOps } from './ha-ops';
import { GUEST_ACTIONS } from './inventory';
import { deleteGuestCall, guestCall, guestLabel, planGuest } from './new-guest';
import { runWorker } from './tasks';

/** The app's VM actions as PVE's status calls (pause and resume: qemu's only, inventory.ts GUEST_ACTIONS). */
const STATUS_CALLS: Record<VmAction, string> = {
  start: 'start',
  shutdown: 'shutdown',
  destroy: 'stop',
  reboot: 'reboot',
  suspend: 'suspend',
  resume: 'resume',
};

export interface PveGuestOpsDeps {
  api: () => PveApiClient;
  guestOf: (vm: Vm) => { node: string; vmid: number; type: 'qemu' | 'lxc' };
  /** The cluster's name (a lone node's own), New VM's choices are read for. */
  clusterName: () => string;
  /** Protect with HA's operations, once HA is read: an HA guest starts and stops through HA. */
  haGuests: () => PveHaOps | undefined;
  /** The node's PVE major version (the console's protocol). */
  major: () => number | undefined;
  load: () => Promise<unknown>;
  taskPollMs?: number;
}

export class PveGuestOps implements GuestCreation {
  constructor(private readonly d: PveGuestOpsDeps) {}

  async vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void> {
    const g = this.d.guestOf(vm);
    if (!GUEST_ACTIONS[g.type].includes(action))
      throw new ClusterdeckError(
        'unsupported',
        `Clusterdeck does not offer ${VM_ACTION_LABELS[action]} for Proxmox VE containers (${vm.name}).`,
      );
    const call = STATUS_CALLS[action];
    // A shutdown waits for the guest as long as the app's setting says, then fails.
    // (A guest HA manages is started and stopped through HA: ha-ops.ts.)
    if (await this.d.haGuests()?.vmAction(vm, action, ctx, waitSeconds)) return;
    const params = action === 'shutdown' ? { timeout: waitSeconds } : {};
    await this.worker(`${VM_ACTION_LABELS[action]} ${vm.name}`, ctx, () =>
      runWorker(
        this.d.api(),
        `/nodes/${g.node}/${g.type}/${g.vmid}/status/${call}`,
        params,
        ctx,
        this.d.taskPollMs,
      ),
    );
  }

  readGuestOptions(): Promise<GuestOptions> {
    return readGuestOptions(this.d.api(), this.d.clusterName());
  }

  planGuest(spec: GuestSpec, options: GuestOptions) {
    return planGuest(spec, options);
  }

  /** One worker task (qmcreate / vzcreate) that also starts the guest when asked. */
  async createGuest(spec: GuestSpec, ctx: TaskContext): Promise<void> {
    const call = guestCall(spec);
    await this.worker(
      `Create ${spec.kind === 'vm' ? 'VM' : 'container'} ${spec.vmid} (${guestLabel(spec)})`,
      ctx,
      () => runWorker(this.d.api(), call.path, call.params, ctx, this.d.taskPollMs, call.hidden),
    );
  }

  /**
   * Delete: PVE removes stopped guests only (it answers "VM is running -
   * destroy failed"); said before anything is asked, with what to do.
   */
  async deleteVm(vm: Vm, ctx: TaskContext): Promise<void> {
    const g = this.d.guestOf(vm);
    if (vm.state !== 'shutoff')
      throw new ClusterdeckError(
        'invalid-input',
        `${vm.name} is ${vm.state === 'unknown' ? 'on an offline node' : vm.state}: Proxmox VE removes only a stopped ${g.type === 'lxc' ? 'container' : 'VM'}. Shut it down (or stop it) first.`,
      );
    const call = deleteGuestCall(g.node, g.type, g.vmid);
    await this.worker(`Delete ${vm.name} (${g.vmid})`, ctx, () =>
      runWorker(this.d.api(), call.path, call.params, ctx, this.d.taskPollMs, [], 'DELETE'),
    );
  }

  /** The guest's VNC console through the API tunnel (console.ts). */
  async openConsole(vm: Vm): Promise<ConsoleSource> {
    return guestConsole(this.d.api(), this.d.guestOf(vm), vm, this.d.major());
  }

  private worker(title: string, ctx: TaskContext, run: () => Promise<unknown>) {
    return runAsOneStep(ctx, title, run, () => this.d.load());
  }
}

// What the Proxmox VE driver does through the HA manager (ha-driver.ts holds
// its state): Protect with HA and Remove HA as the driver's `haGuests`
// (plans of API calls, shown as pvesh commands, run as a task), and Start /
// Shut down / Force off of a guest HA manages: the resource's requested
// state, as PVE's web interface does it, waited for until the guest shows
// in that state. Kept apart from driver.ts, which only hooks it in.
import { ClusterdeckError } from '../../../shared/errors';
import type { VmAction } from '../../../shared/vm-actions';
import type { Vm } from '../../../shared/model';
import type { InventoryStore } from '../../inventory/store';
import type { TaskContext } from '../../tasks/runner';
import type { HaGuests, HaPreference } from '../ha-guests';
import type { PveCall } from './ha';
import type { PveHaFacet } from './ha-driver';

export interface PveHaOpsHost {
  facet: PveHaFacet;
  store: InventoryStore;
  label: string;
  /** The guest's vmid (throws for a VM that is no Proxmox guest). */
  vmidOf: (vm: Vm) => number;
  /** Reads the cluster into the store again (HA included). */
  load: () => Promise<unknown>;
  pollMs?: number;
}

export class PveHaOps implements HaGuests {
  constructor(private readonly h: PveHaOpsHost) {}

  planProtect(vm: Vm, preferred: HaPreference[]) {
    return Promise.resolve(this.plan(vm, preferred));
  }
  protect(vm: Vm, preferred: HaPreference[], ctx: TaskContext) {
    return this.run(this.plan(vm, preferred), ctx);
  }
  planUnprotect(vm: Vm) {
    return Promise.resolve(this.plan(vm));
  }
  unprotect(vm: Vm, ctx: TaskContext) {
    return this.run(this.plan(vm), ctx);
  }

  /** Protect's plan with preferences, Remove's without. */
  private plan(vm: Vm, preferred?: HaPreference[]) {
    const { facet } = this.h;
    const vmid = this.h.vmidOf(vm);
    const plan = preferred ? facet.planProtect(vm, vmid, preferred) : facet.planUnprotect(vm, vmid);
    return { ...plan, steps: facet.view(plan.calls) };
  }

  private async run(plan: ReturnType<PveHaOps['plan']>, ctx: TaskContext): Promise<void> {
    if (plan.problems.length) throw new ClusterdeckError('invalid-state', plan.problems.join(' '));
    try {
      await this.h.facet.run(plan.calls, ctx);
    } finally {
      // The new configuration read at once, not at the poll's next HA turn:
      // load's HA read (beside /cluster/status) takes it along.
      this.h.facet.invalidate();
      await this.h.load().catch(() => undefined);
    }
  }

  /**
   * Start, Shut down or Force off of a guest HA manages, through HA; false
   * for another guest or action (reboot: PVE's own), which the driver runs.
   * Done when the guest shows in that state (the CRM acts within seconds);
   * failed when HA puts the resource in error, or after waitSeconds (at
   * least a minute).
   */
  async vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number) {
    const want =
      action === 'start'
        ? 'started'
        : action === 'shutdown' || action === 'destroy'
          ? 'stopped'
          : undefined;
    const request = want && this.h.facet.requestFor(vm, want);
    if (!want || !request) return false;
    await this.waitFor(vm, want, request, ctx, waitSeconds);
    return true;
  }

  private async waitFor(
    vm: Vm,
    want: 'started' | 'stopped',
    request: PveCall,
    ctx: TaskContext,
    waitSeconds: number,
  ): Promise<void> {
    const { facet, label } = this.h;
    await facet.run([request], ctx);
    const target = want === 'started' ? 'running' : 'shutoff';
    const until = Date.now() + Math.max(60, waitSeconds) * 1000;
    ctx.detail(`Waiting for the HA manager to ${want === 'started' ? 'start' : 'stop'} ${vm.name}`);
    for (;;) {
      if (ctx.signal.aborted)
        throw new ClusterdeckError('cancelled', `${vm.name}: stopped waiting for the HA manager.`);
      await this.h.load();
      const now = this.h.store.get('vms', vm.id);
      if (!now || now.state === target) return;
      const r = facet.resourceOf(vm);
      if (r?.failed)
        throw new ClusterdeckError(
          'command-failed',
          `${label}: the HA manager put ${r.id} in state ${r.role}; see the node's HA log (journalctl -u pve-ha-lrm).`,
        );
      if (Date.now() > until)
        throw new ClusterdeckError(
          'timeout',
          `${label}: ${r?.id ?? vm.name} was requested ${want}, but ${vm.name} is still ${now.state}; the HA manager's log (journalctl -u pve-ha-crm) says why.`,
        );
      await new Promise((res) => setTimeout(res, this.h.pollMs ?? 1000));
    }
  }
}

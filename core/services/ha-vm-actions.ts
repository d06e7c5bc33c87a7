// The VM actions of a VM that is an HA resource go through Pacemaker
// (drivers/pacemaker/vm-ops.ts), never around it: VmService asks here
// first and runs libvirt's action only when this answers nothing. The
// task shows the Pacemaker command, run on a connected member (the VM's
// node when it is), and ends when the cluster state read again shows the
// effect: the resource running on one node, or on none.
import { VM_ACTION_LABELS, type VmAction } from '../../shared/vm-actions';
import { ClusterdeckError } from '../../shared/errors';
import { haResourceOfVm } from '../../shared/ha';
import type { Vm } from '../../shared/model';
import { isResourceId } from '../drivers/pacemaker/commands';
import { haVmActionStep } from '../drivers/pacemaker/vm-ops';
import { taskTarget } from '../tasks/runner';
import { runPlan } from '../wizards/plan';
import type { ServiceContext } from './context';
import type { HaService } from './ha';

export class HaVmActions {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly ha: HaService,
  ) {}

  /** The HA cluster and resource of a VM, when it is one. */
  resourceOf(vm: Vm) {
    const cluster = this.ctx.store
      .all('clusters')
      .find((c) => c.ha && c.hostIds.includes(vm.hostId));
    const r = cluster?.ha ? haResourceOfVm(cluster.ha, vm) : undefined;
    return cluster?.ha && r ? { cluster, ha: cluster.ha, resource: r } : undefined;
  }

  /** Starts the action's task through Pacemaker; undefined when libvirt's own applies. */
  start(vm: Vm, action: VmAction): string | undefined {
    const found = this.resourceOf(vm);
    if (!found) return undefined;
    const { cluster, ha, resource } = found;
    const step = haVmActionStep(resource.id, action);
    if (!step) return undefined;
    if (!isResourceId(resource.id))
      throw new ClusterdeckError(
        'invalid-input',
        `${resource.id} cannot be passed to a command safely.`,
      );
    const hosts = [vm.hostId, ...ha.nodes.map((n) => n.hostId)].flatMap((id) => {
      const h = id ? this.ctx.store.get('hosts', id) : undefined;
      return h?.state === 'connected' ? [h] : [];
    });
    const host = hosts[0];
    if (!host)
      throw new ClusterdeckError(
        'invalid-state',
        `No member of ${cluster.name} is connected here.`,
      );
    if (action === 'reboot' && !resource.nodes.length)
      throw new ClusterdeckError(
        'invalid-state',
        `${resource.id} is not running: start it instead.`,
      );
    const steps = [{ ...step, hostId: host.id, node: host.name }];
    return this.ctx.tasks.start(
      `${VM_ACTION_LABELS[action]} ${vm.name} (Pacemaker)`,
      taskTarget(host.name, vm.name),
      async (task) => {
        await runPlan(task, steps, this.ctx.connection, 'vms');
        await this.ha.monitor.readNow(ha.clusterName);
        const now = this.resourceOf(vm)?.resource;
        const running = now?.nodes ?? [];
        const wantRunning = action === 'start' || action === 'reboot';
        if (wantRunning ? running.length !== 1 : running.length !== 0)
          throw new ClusterdeckError(
            'command-failed',
            `${host.name}: Pacemaker shows ${resource.id} ${running.length ? `on ${running.join(', ')}` : 'stopped'} after the command; see its failed actions in the HA section.`,
          );
      },
    );
  }
}

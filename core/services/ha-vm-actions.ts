// The VM actions of a VM that is an HA resource go through Pacemaker
// (drivers/pacemaker/vm-ops.ts), never around it: VmService asks here
// first and runs libvirt's action only when this answers nothing. The
// task shows the Pacemaker command, run on a connected member (the VM's
// node when it is), and ends when the cluster state read again shows the
// effect: the resource running on one node, or on none.
import { VM_ACTION_LABELS, type VmAction } from '../../shared/vm-actions';
import { ClusterdeckError } from '../../shared/errors';
import { haResourceOfVm } from '../../shared/ha';
import type { Finding } from '../../shared/cluster';
import type { Vm } from '../../shared/model';
import { isResourceId } from '../drivers/pacemaker/commands';
import { haMigrateSteps, haVmActionStep } from '../drivers/pacemaker/vm-ops';
import { taskTarget } from '../tasks/runner';
import { runPlan, type PlannedStep } from '../wizards/plan';
import type { ServiceContext } from './context';
import type { HaService } from './ha';

export class HaVmActions {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly ha: HaService,
  ) {}

  /** The HA cluster and resource of a VM, when it is one. */
  resourceOf(vm: Vm) {
    // Pacemaker's only: a stack whose driver keeps its own HA guests drives them itself.
    const cluster = this.ctx.store
      .all('clusters')
      .find((c) => c.ha?.stack === 'pacemaker' && c.hostIds.includes(vm.hostId));
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

  /** Migrate VM of an HA VM: Pacemaker's move then clear; undefined when it is no resource. */
  planMigrate(
    vms: Vm[],
    targetHostId: string,
  ): { findings: Finding[]; steps: PlannedStep[]; problems: string[] } | undefined {
    const found = vms.map((vm) => this.resourceOf(vm));
    if (!found.some(Boolean)) return undefined;
    const problems: string[] = [];
    if (vms.length !== 1 || !found[0])
      problems.push('Migrate an HA VM on its own: Pacemaker moves it, not libvirt.');
    const f = found[0];
    const target = f?.ha.nodes.find((n) => n.hostId === targetHostId);
    if (f && !target) problems.push(`The target node is not a member of ${f.cluster.name}.`);
    if (f && !f.resource.nodes.length) problems.push(`${f.resource.id} is not running.`);
    if (target && target.state !== 'online')
      problems.push(`${target.name} is ${target.state} in Pacemaker: it takes no VM now.`);
    if (f && target && f.resource.nodes.includes(target.name))
      problems.push(`${f.resource.id} already runs on ${target.name}.`);
    if (f && (!isResourceId(f.resource.id) || (target && !isResourceId(target.name))))
      problems.push(`${f.resource.id} cannot be passed to a command safely.`);
    const host = this.ctx.store.get('hosts', vms[0]!.hostId);
    if (host?.state !== 'connected') problems.push(`${vms[0]!.name}'s node is not connected.`);
    if (problems.length || !f || !target || !host) return { findings: [], steps: [], problems };
    const findings: Finding[] = [
      {
        check: 'Pacemaker moves it',
        level: 'ok',
        detail: `${f.resource.id} runs on ${f.resource.nodes.join(', ')}; ${target.name} is online in ${f.cluster.name}. Pacemaker migrates it live where the resource allows it (allow-migrate), else stops and starts it there.`,
      },
    ];
    const steps = haMigrateSteps(f.resource.id, target.name).map((s) => ({
      ...s,
      hostId: host.id,
      node: host.name,
    }));
    return { findings, steps, problems };
  }

  /** Runs the move; the clear runs whatever the move did, so no constraint stays. */
  startMigrate(vm: Vm, targetHostId: string): string {
    const plan = this.planMigrate([vm], targetHostId);
    const f = this.resourceOf(vm);
    if (!plan || !f || plan.problems.length)
      throw new ClusterdeckError('invalid-state', plan?.problems.join(' ') || 'Not an HA VM.');
    const [move, clear] = plan.steps as [PlannedStep, PlannedStep];
    const target = f.ha.nodes.find((n) => n.hostId === targetHostId)!.name;
    return this.ctx.tasks.start(
      `Migrate ${vm.name} (Pacemaker)`,
      taskTarget(`${move.node} → ${target}`, vm.name),
      async (task) => {
        try {
          await runPlan(task, [move], this.ctx.connection);
        } finally {
          await runPlan(task, [clear], this.ctx.connection, 'vms');
        }
        await this.ha.monitor.readNow(f.ha.clusterName);
        const now = this.resourceOf(vm)?.resource.nodes ?? [];
        if (now.length !== 1 || now[0] !== target)
          throw new ClusterdeckError(
            'command-failed',
            `${move.node}: Pacemaker shows ${f.resource.id} on ${now.join(', ') || 'no node'}, not ${target}.`,
          );
      },
    );
  }
}

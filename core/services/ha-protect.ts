// Protect with HA: a libvirt VM on a node of a Pacemaker cluster becomes a
// VirtualDomain resource (drivers/pacemaker/protect.ts), once every disk is
// shown to be on storage every member sees: the marker-file test Migrate
// VM's disk checks make (storage/shared-storage.ts), from the VM's node to
// each other member; a disk that is not names itself and the member. A
// stack whose driver keeps its own HA guests (Proxmox VE: drivers/ha-guests.ts)
// plans and runs both itself.
import { posix } from 'node:path';
import type { Cluster } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import { haResourceOfVm } from '../../shared/ha';
import type { Vm } from '../../shared/model';
import { isConfigPath, isResourceId } from '../drivers/pacemaker/commands';
import {
  configBeside,
  protectProblems,
  protectSteps,
  unprotectSteps,
} from '../drivers/pacemaker/protect';
import type { HaGuests } from '../drivers/ha-guests';
import { markerSeen } from '../storage/shared-storage';
import { taskTarget } from '../tasks/runner';
import type { PlannedStep } from '../wizards/plan';
import { vmOrThrow, type ServiceContext } from './context';
import type { HaService } from './ha';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, runSteps, type StepsPlan } from './planned-operation';

type ProtectInput = { vmId: string; preferred: { node: string; score: number }[] };
type ProtectPlan = StepsPlan & { cluster?: Cluster; vm: Vm };
type UnprotectInput = { vmId: string };

export class HaProtectService {
  private readonly protect: PlannedOperation<ProtectInput, ProtectPlan>;
  private readonly unprotect: PlannedOperation<UnprotectInput, ProtectPlan>;

  constructor(
    private readonly ctx: ServiceContext,
    ha: HaService,
  ) {
    this.protect = new PlannedOperation(ctx.tasks, {
      plan: (input) => this.plan(input),
      task: (_input, { vm, cluster }) => ({
        title: `Protect ${vm.name} with HA`,
        target: taskTarget(vm.name, cluster?.name ?? ''),
      }),
      run: runSteps(ctx.connection, undefined, async (_task, { cluster }) => {
        if (cluster?.ha) await ha.monitor.readNow(cluster.ha.clusterName);
      }),
    });
    this.unprotect = new PlannedOperation(ctx.tasks, {
      plan: (input) => this.planRemove(input),
      task: (_input, { vm, cluster }) => ({
        title: `Remove HA from ${vm.name}`,
        target: taskTarget(vm.name, cluster?.name ?? ''),
      }),
      run: runSteps(ctx.connection, 'vms', async (_task, { cluster }) => {
        if (cluster?.ha) await ha.monitor.readNow(cluster.ha.clusterName);
      }),
    });
  }

  readonly handlers: HandlersOf<'planProtectHa' | 'protectHa' | 'planRemoveHa' | 'removeHa'> = {
    planProtectHa: async (p) => {
      const own = this.ownHa(p.vmId);
      return own ? own.ha.planProtect(own.vm, p.preferred) : planView(await this.protect.plan(p));
    },
    protectHa: async (p) => {
      const own = this.ownHa(p.vmId);
      if (!own) return this.protect.start(p);
      const { vm, ha } = own;
      const plan = await ha.planProtect(vm, p.preferred);
      if (plan.problems.length)
        throw new ClusterdeckError('invalid-state', plan.problems.join(' '));
      return {
        taskId: this.ctx.tasks.start(
          `Protect ${vm.name} with HA`,
          taskTarget(vm.name, this.clusterName(vm)),
          (ctx) => ha.protect(vm, p.preferred, ctx),
        ),
      };
    },
    planRemoveHa: async (p) => {
      const own = this.ownHa(p.vmId);
      return own ? own.ha.planUnprotect(own.vm) : planView(await this.unprotect.plan(p));
    },
    removeHa: async (p) => {
      const own = this.ownHa(p.vmId);
      if (!own) return this.unprotect.start(p);
      const { vm, ha } = own;
      const plan = await ha.planUnprotect(vm);
      if (plan.problems.length)
        throw new ClusterdeckError('invalid-state', plan.problems.join(' '));
      return {
        taskId: this.ctx.tasks.start(
          `Remove HA from ${vm.name}`,
          taskTarget(vm.name, this.clusterName(vm)),
          (ctx) => ha.unprotect(vm, ctx),
        ),
      };
    },
  };

  /** The VM and its driver's own HA, when its stack has one. */
  private ownHa(vmId: string): { vm: Vm; ha: HaGuests } | undefined {
    const vm = vmOrThrow(this.ctx, vmId);
    const conn = this.ctx.connections.all().find((c) => c.id === vm.hostId);
    let ha: HaGuests | undefined;
    try {
      ha = conn?.getDriver().haGuests;
    } catch {
      // Not connected: the Pacemaker plan below says what stands in the way.
    }
    return ha ? { vm, ha } : undefined;
  }

  private clusterName(vm: Vm): string {
    return this.ctx.store.all('clusters').find((c) => c.hostIds.includes(vm.hostId))?.name ?? '';
  }

  /** Remove HA: on the node Pacemaker runs the VM on (or the VM's node when stopped). */
  private planRemove({ vmId }: UnprotectInput): ProtectPlan {
    const { store } = this.ctx;
    const vm = vmOrThrow(this.ctx, vmId);
    const cluster = store.all('clusters').find((c) => c.ha && c.hostIds.includes(vm.hostId));
    const r = cluster?.ha ? haResourceOfVm(cluster.ha, vm) : undefined;
    if (!cluster || !r?.domain)
      return { vm, steps: [], problems: [`${vm.name} is not protected with HA.`] };
    const problems: string[] = [];
    const where = r.nodes[0];
    const hostId = where ? cluster.ha?.nodes.find((n) => n.name === where)?.hostId : vm.hostId;
    const host = hostId ? store.get('hosts', hostId) : undefined;
    if (host?.state !== 'connected')
      problems.push(
        `${where ?? "The VM's node"} is not connected here: its definition cannot be kept there.`,
      );
    if (r.nodes.length > 1)
      problems.push(`${r.id} runs on ${r.nodes.join(' and ')}: let Pacemaker settle first.`);
    if (!isResourceId(r.id) || !isConfigPath(r.domain.config) || !isResourceId(vm.name))
      problems.push(
        `${r.id} or its definition ${r.domain.config} cannot be passed to a command safely.`,
      );
    const steps: PlannedStep[] =
      host && !problems.length
        ? unprotectSteps({
            id: r.id,
            config: r.domain.config,
            domain: vm.name,
            running: r.nodes.length === 1,
          }).map((s) => ({ ...s, hostId: host.id, node: host.name }))
        : [];
    return { steps, problems, cluster, vm };
  }

  private async plan({ vmId, preferred }: ProtectInput): Promise<ProtectPlan> {
    const { store } = this.ctx;
    const vm = vmOrThrow(this.ctx, vmId);
    const host = store.get('hosts', vm.hostId);
    if (!host) throw new ClusterdeckError('not-found', 'That VM is no longer on its node.');
    const cluster = store.all('clusters').find((c) => c.ha && c.hostIds.includes(vm.hostId));
    const ha = cluster?.ha;
    if (!cluster || !ha)
      return { vm, steps: [], problems: [`${host.name} is in no Pacemaker cluster.`] };
    const problems: string[] = [];
    if (haResourceOfVm(ha, vm)) problems.push(`${vm.name} is already protected with HA.`);
    if (!ha.quorate) problems.push(`${cluster.name} has no quorum: Pacemaker would not start it.`);
    for (const p of preferred)
      if (!ha.nodes.some((n) => n.name === p.node))
        problems.push(`${p.node} is not a node of ${cluster.name}.`);
    const paths = this.diskPaths(vm);
    const others = ha.nodes.filter((n) => n.hostId !== vm.hostId);
    for (const n of others) {
      const other = n.hostId ? store.get('hosts', n.hostId) : undefined;
      if (other?.state !== 'connected') {
        problems.push(
          `${n.name} is not connected here: Clusterdeck cannot check that it sees ${vm.name}'s disks.`,
        );
        continue;
      }
      for (const { target, path } of paths) {
        const dir = posix.dirname(path);
        const seen = path.startsWith('/dev/')
          ? (await this.ctx.connection(other.id).run(['test', '-b', path])).code === 0
          : await markerSeen(
              this.ctx.connection(vm.hostId),
              dir,
              this.ctx.connection(other.id),
              dir,
            );
        if (!seen)
          problems.push(
            `Disk ${target} (${path}) is on storage ${n.name} does not see: put it on shared storage first.`,
          );
      }
    }
    const first = paths.find((p) => !p.path.startsWith('/dev/'));
    if (!first)
      problems.push(`${vm.name} has no disk file on shared storage to keep its definition beside.`);
    const spec = {
      id: vm.name,
      uuid: vm.uuid,
      config: first ? configBeside(first.path, vm.name) : '',
      autostart: vm.autostart,
      preferred,
    };
    if (first) problems.push(...protectProblems(spec));
    const steps: PlannedStep[] = problems.length
      ? []
      : protectSteps(spec).map((s) => ({ ...s, hostId: vm.hostId, node: host.name }));
    return { steps, problems, cluster, vm };
  }

  /** Each disk's file or device on the VM's node (network disks need no check). */
  private diskPaths(vm: Vm): { target: string; path: string }[] {
    const pools = this.ctx.store.all('pools').filter((p) => p.hostId === vm.hostId);
    return vm.disks
      .map((d) => {
        const path = d.source.startsWith('/')
          ? d.source
          : (pools.flatMap((p) => p.volumes).find((v) => v.name === d.source)?.path ?? '');
        return { target: d.target, path };
      })
      .filter((d) => d.path);
  }
}

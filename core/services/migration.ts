// Migration: Migrate VM (plan, TLS check, run) and maintenance mode, which
// moves a node's running VMs to its cluster peers and back.
import { ClusterdeckError } from '../../shared/errors';
import type { Host } from '../../shared/model';
import type { Finding } from '../../shared/cluster';
import { DEFAULT_TRANSPORT, type MigrationSpec } from '../../shared/migration';
import { planEvacuation } from '../migration/maintenance';
import { migrationPreflight, type MigrationWorld, type VmPlan } from '../migration/preflight';
import { migrationSteps, runMigration, type MigrationJob } from '../migration/task';
import { stepView } from '../wizards/plan';
import { vmBusy, vmOrThrow, type ServiceContext } from './context';
import { taskTarget } from '../tasks/runner';
import type { HandlersOf } from './handlers';
import type { HostService } from './hosts';
import type { HaVmActions } from './ha-vm-actions';
import type { HaStandby } from './ha-standby';
import {
  placesItsVms,
  planClusterMaintenance,
  startClusterMaintenance,
} from './cluster-maintenance';
import { PlannedOperation, refuseProblems } from './planned-operation';

interface MigrationPlan {
  findings: Finding[];
  problems: string[];
  job: MigrationJob;
}

/** The findings that stop a migration, as sentences. */
function problemsOf(findings: readonly Finding[]): string[] {
  return findings.filter((f) => f.level === 'problem').map((f) => f.detail);
}

/** What the summary shows of a migration plan: its checks and the commands per VM. */
function migrationView({ findings, problems, job }: MigrationPlan) {
  return {
    findings,
    steps: migrationSteps(job).map((st) =>
      stepView({ hostId: st.plan.vm.hostId, node: st.node, title: st.title, argv: st.argv }),
    ),
    problems,
  };
}

export class MigrationService {
  private readonly migrate: PlannedOperation<MigrationSpec, MigrationPlan & { target: Host }>;
  private readonly maintenance: PlannedOperation<
    { hostId: string; bringBack: boolean },
    MigrationPlan & { host: Host }
  >;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly hosts: HostService,
    /** An HA VM is moved by Pacemaker (ha-vm-actions.ts). */
    private readonly haActions?: HaVmActions,
    /** A node of a Pacemaker cluster goes into standby (ha-standby.ts). */
    private readonly haStandby?: HaStandby,
  ) {
    this.migrate = new PlannedOperation(ctx.tasks, {
      plan: (spec) => this.planMigration(spec),
      task: (_spec, { job, target }) => ({
        title: `Migrate ${job.plans.map((p) => p.vm.name).join(', ')}`,
        // "node1 → node2 / web": where the VMs are now, where they go, which ones.
        target: taskTarget(
          `${[...new Set(job.plans.map((p) => ctx.store.get('hosts', p.vm.hostId)?.name ?? '?'))].join(', ')} → ${target.name}`,
          job.plans.map((p) => p.vm.name).join(', '),
        ),
      }),
      run: (task, { job }) => runMigration(task, job),
    });

    this.maintenance = new PlannedOperation(ctx.tasks, {
      plan: async ({ hostId }) => {
        const host = ctx.store.get('hosts', hostId);
        if (!host) throw new ClusterdeckError('not-found', 'That node is no longer added.');
        if (host.maintenance)
          throw new ClusterdeckError(
            'invalid-state',
            `${host.name} is already in maintenance mode.`,
          );
        return { ...(await this.planMaintenance(hostId)), host };
      },
      task: (_input, { host }) => ({
        title: `Maintenance mode for ${host.name}`,
        target: host.name,
      }),
      run: async (task, { job, host }, { hostId, bringBack }) => {
        if (job.plans.length) await runMigration(task, job);
        await this.hosts.setMaintenance(hostId, {
          since: Date.now(),
          bringBack: bringBack ? job.plans.map((p) => p.vm.uuid) : [],
        });
        task.detail(
          job.plans.length
            ? `${host.name} is in maintenance mode; ${job.plans.length} VM(s) moved.`
            : `${host.name} is in maintenance mode; it ran no VMs.`,
        );
      },
    });
  }

  readonly handlers: HandlersOf<
    | 'planMigration'
    | 'migrationTls'
    | 'migrateVms'
    | 'planMaintenance'
    | 'enterMaintenance'
    | 'exitMaintenance'
  > = {
    planMigration: async (spec) => {
      const ha = this.haActions?.planMigrate(
        spec.vmIds.map((id) => vmOrThrow(this.ctx, id)),
        spec.targetHostId,
      );
      if (ha) return { ...ha, steps: ha.steps.map(stepView) };
      return migrationView(await this.migrate.plan(spec));
    },

    migrationTls: async ({ sourceHostId, targetHostId }) => {
      const host = (id: string): Host =>
        this.ctx.store.get('hosts', id) ?? {
          ...this.ctx.connection(id).config,
          state: 'disconnected',
        };
      return this.ctx
        .connection(sourceHostId)
        .getDriver()
        .tlsReadiness(
          host(sourceHostId),
          host(targetHostId),
          this.ctx.connection(targetHostId).getDriver(),
        );
    },

    migrateVms: async (spec) => {
      const vm = spec.vmIds.length === 1 ? vmOrThrow(this.ctx, spec.vmIds[0]!) : undefined;
      if (vm && this.haActions?.resourceOf(vm))
        return { taskId: this.haActions.startMigrate(vm, spec.targetHostId) };
      return this.migrate.start(spec);
    },

    planMaintenance: async ({ hostId }) => {
      const ha = await this.haStandby?.plan(hostId);
      if (ha) return ha;
      // A stack that places its VMs itself (Ganeti) has its own way: drain and migrate.
      if (placesItsVms(this.ctx, hostId)) return planClusterMaintenance(this.ctx, hostId);
      return migrationView(await this.planMaintenance(hostId));
    },

    enterMaintenance: async (p) => {
      if (this.haStandby?.memberOf(p.hostId)) return { taskId: this.haStandby.enter(p.hostId) };
      if (placesItsVms(this.ctx, p.hostId))
        return startClusterMaintenance(this.ctx, p.hostId, true);
      return this.maintenance.start(p);
    },

    exitMaintenance: async ({ hostId }) => {
      if (this.haStandby?.memberOf(hostId)) return { taskId: this.haStandby.exit(hostId) };
      if (placesItsVms(this.ctx, hostId)) return startClusterMaintenance(this.ctx, hostId, false);
      const host = this.ctx.store.get('hosts', hostId);
      if (!host?.maintenance)
        throw new ClusterdeckError(
          'invalid-state',
          `${host?.name ?? 'That node'} is not in maintenance mode.`,
        );
      const uuids = new Set(host.maintenance.bringBack);
      const vms = this.ctx.store.all('vms').filter((v) => uuids.has(v.uuid) && v.hostId !== hostId);
      const taskId = this.ctx.tasks.start(
        `End maintenance mode of ${host.name}`,
        host.name,
        async (ctx) => {
          // The mark goes first, or the node would refuse its own VMs back.
          await this.hosts.setMaintenance(hostId, undefined);
          if (!vms.length) return;
          const { findings, plans } = await migrationPreflight(
            this.migrationWorld(),
            vms,
            hostId,
            undefined,
            DEFAULT_TRANSPORT,
          );
          refuseProblems(problemsOf(findings), 'command-failed', 'The VMs cannot come back: ');
          await runMigration(ctx, this.migrationJob(plans, true, undefined, DEFAULT_TRANSPORT));
        },
      );
      return { taskId };
    },
  };

  /** What the migration checks read: the inventory and the connections. */
  private migrationWorld(): MigrationWorld {
    return {
      hosts: (id) => this.ctx.store.get('hosts', id),
      conn: (id) => this.ctx.connection(id),
      pools: this.ctx.store.all('pools'),
      networks: this.ctx.store.all('networks'),
      clusters: this.ctx.store.all('clusters'),
      inMaintenance: (id) => !!this.ctx.store.get('hosts', id)?.maintenance,
      busy: (vm) => vmBusy(this.ctx, vm),
    };
  }

  private migrationJob(
    plans: VmPlan[],
    persist: boolean,
    bandwidthMiBs?: number,
    transport: MigrationSpec['transport'] = 'plain',
  ): MigrationJob {
    return {
      plans,
      persist,
      bandwidthMiBs,
      transport,
      conn: (id) => this.ctx.connection(id),
      hostName: (id) => this.ctx.store.get('hosts', id)?.name ?? id,
    };
  }

  /** Migrate VM's checks and the job they allow. */
  private async planMigration(spec: MigrationSpec): Promise<MigrationPlan & { target: Host }> {
    const vms = spec.vmIds.map((id) => vmOrThrow(this.ctx, id));
    const target = this.ctx.store.get('hosts', spec.targetHostId);
    if (!target) throw new ClusterdeckError('not-found', 'The target node is no longer added.');
    const { findings, plans } = await migrationPreflight(
      this.migrationWorld(),
      vms,
      spec.targetHostId,
      spec.copyStorage,
      spec.transport,
    );
    const job = this.migrationJob(plans, spec.persist, spec.bandwidthMiBs, spec.transport);
    return { findings, problems: problemsOf(findings), job, target };
  }

  /** Maintenance mode's moves: every running VM of the node to a cluster peer. */
  private async planMaintenance(hostId: string): Promise<MigrationPlan> {
    const host = this.ctx.store.get('hosts', hostId);
    if (!host) throw new ClusterdeckError('not-found', 'That node is no longer added.');
    const { findings, plans } = await planEvacuation(
      this.migrationWorld(),
      host,
      this.ctx.store.all('vms'),
    );
    return {
      findings,
      problems: problemsOf(findings),
      job: this.migrationJob(plans, true, undefined, DEFAULT_TRANSPORT),
    };
  }
}

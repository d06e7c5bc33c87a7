// Migrate VM and Health on a cluster that places its VMs itself (Ganeti,
// Proxmox VE):
// the ways a VM can move (the driver mirrors its stack's checks), the
// stack's own preflight of the chosen move (a dry run, its refusal shown in
// its own words), the move as a task; and the stack's cluster check as a
// task whose findings the driver writes onto the cluster.
import type { Finding } from '../../shared/cluster';
import type { ClusterMoveSpec } from '../../shared/cluster-moves';
import { ClusterdeckError } from '../../shared/errors';
import type { Vm } from '../../shared/model';
import type { ClusterChecks, ClusterMoves } from '../drivers/capabilities';
import { taskTarget } from '../tasks/runner';
import { stepView, type PlannedStep } from '../wizards/plan';
import { freeVmOrThrow, vmOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { PlannedOperation } from './planned-operation';

interface MovePlan {
  vm: Vm;
  moves: ClusterMoves;
  findings: Finding[];
  problems: string[];
  steps: PlannedStep[];
}

/** The VM's state words while the move runs (tree, General tab, refusals). */
const UNDER_WAY: Record<ClusterMoveSpec['how'], string> = {
  live: 'Migrating to',
  'non-live': 'Migrating to',
  failover: 'Failing over to',
  move: 'Moving to',
  offline: 'Migrating to',
  restart: 'Migrating to',
};

const TITLES: Record<ClusterMoveSpec['how'], string> = {
  live: 'Migrate',
  'non-live': 'Migrate (non-live)',
  failover: 'Fail over',
  move: 'Move',
  offline: 'Migrate (offline)',
  restart: 'Migrate (restart)',
};

/** The stack's own check, where the driver does not name it (Ganeti's dry run). */
const DRY_RUN = { label: "Ganeti's own checks (--dry-run)", stack: 'Ganeti' };

export class ClusterMovesService {
  private readonly move: PlannedOperation<ClusterMoveSpec, MovePlan>;

  constructor(private readonly ctx: ServiceContext) {
    this.move = new PlannedOperation(ctx.tasks, {
      plan: (spec) => this.plan(spec),
      task: (spec, { vm }) => ({
        title: `${TITLES[spec.how]} ${vm.name}`,
        target: taskTarget(
          `${vm.placement?.primary ?? '?'} → ${spec.targetNode ?? 'its secondary'}`,
          vm.name,
        ),
      }),
      run: async (task, { vm, moves }, spec) => {
        task.vmJob({
          kind: 'migration',
          vmUuid: vm.uuid,
          fromHostId: vm.hostId,
          toHostId: vm.hostId,
          words: `${UNDER_WAY[spec.how]} ${spec.targetNode ?? 'its secondary'}`,
        });
        try {
          await moves.runMove(vm, spec, task);
        } finally {
          task.vmJob(undefined);
        }
      },
    });
  }

  private movesOf(vm: Vm): ClusterMoves {
    const moves = this.ctx.connection(vm.hostId).getDriver().clusterMoves;
    if (!moves)
      throw new ClusterdeckError('unsupported', `${vm.name}'s cluster does not place VMs itself.`);
    return moves;
  }

  /** The mirrored checks for the chosen way and node, then the stack's own dry run. */
  private async plan(spec: ClusterMoveSpec): Promise<MovePlan> {
    const vm = freeVmOrThrow(this.ctx, spec.vmId, 'A move');
    const moves = this.movesOf(vm);
    const options = await moves.moveOptions(vm);
    const option = options.find((o) => o.how === spec.how);
    if (!option)
      throw new ClusterdeckError('invalid-input', `${vm.name}'s cluster has no ${spec.how} move.`);
    const findings: Finding[] = [];
    const target = option.targets.find((t) => t.node === spec.targetNode);
    const refused =
      option.refused ??
      (option.fixedTarget || !spec.targetNode
        ? undefined
        : !target
          ? `${spec.targetNode} is not a node ${vm.name} can go to.`
          : target.refused);
    if (!option.fixedTarget && !spec.targetNode)
      findings.push({ check: 'Target node', level: 'problem', detail: 'Choose a target node.' });
    findings.push(
      refused
        ? { check: option.label, level: 'problem', detail: refused }
        : { check: option.label, level: 'ok', detail: `Offered for ${vm.name}.` },
    );
    const checked = await moves.checkMove(vm, spec);
    const own = checked.check ?? DRY_RUN;
    findings.push(
      checked.refusal
        ? { check: own.label, level: 'problem', detail: `${own.stack} refuses: ${checked.refusal}` }
        : {
            check: own.label,
            level: 'ok',
            detail: `Every prerequisite ${own.stack} checks is met.`,
          },
    );
    const problems = findings.filter((f) => f.level === 'problem').map((f) => f.detail);
    const steps = [{ ...checked.step, hostId: vm.hostId, node: checked.node }];
    return { vm, moves, findings, problems, steps };
  }

  private checksOf(clusterId: string): { checks: ClusterChecks; name: string } {
    const cluster = this.ctx.store.get('clusters', clusterId);
    if (!cluster) throw new ClusterdeckError('not-found', 'That cluster is no longer there.');
    for (const id of cluster.hostIds) {
      const host = this.ctx.store.get('hosts', id);
      if (host?.state !== 'connected' || !host.capabilities?.includes('cluster-health')) continue;
      const checks = this.ctx.connection(id).getDriver().clusterChecks;
      if (checks) return { checks, name: cluster.name };
    }
    throw new ClusterdeckError(
      'unsupported',
      `No connected node of ${cluster.name} can check the cluster.`,
    );
  }

  readonly handlers: HandlersOf<
    'clusterMoveOptions' | 'planClusterMove' | 'moveClusterVm' | 'verifyCluster'
  > = {
    clusterMoveOptions: async ({ vmId }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      return { options: await this.movesOf(vm).moveOptions(vm) };
    },
    planClusterMove: async (spec) => {
      const { findings, problems, steps } = await this.move.plan(spec);
      return { findings, problems, steps: steps.map(stepView) };
    },
    moveClusterVm: (spec) => this.move.start(spec),
    verifyCluster: async ({ clusterId }) => {
      const { checks, name } = this.checksOf(clusterId);
      const taskId = this.ctx.tasks.start(`Verify cluster ${name}`, name, (task) =>
        checks.verifyCluster(task),
      );
      return { taskId };
    },
  };
}

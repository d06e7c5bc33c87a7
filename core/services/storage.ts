// Storage: New Storage Pool (plan, scan, create), pool actions and volume
// changes on one node; a cluster's storage, shared pools counted once.
import { ClusterdeckError } from '../../shared/errors';
import { newVolumeProblem, type PoolAction, type PoolSpec } from '../../shared/storage';
import { deleteVolumeProblem, snapshotUsers } from '../../shared/volume-use';
import { quoteArgv } from '../ssh/quote';
import { clusterStorage, filesystemsOf, markerSeen } from '../storage/shared-storage';
import { commandReason, onNode, runPlan, type PlannedStep } from '../wizards/plan';
import { poolOrThrow, type ServiceContext } from './context';
import { taskTarget } from '../tasks/runner';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, runSteps, type StepsPlan } from './planned-operation';

const POOL_ACTION_TITLES: Record<PoolAction, string> = {
  start: 'Start pool',
  stop: 'Stop pool',
  refresh: 'Refresh pool',
  autostart: 'Autostart pool',
  'no-autostart': 'No autostart for pool',
  undefine: 'Remove pool',
  delete: 'Delete pool',
};

type NewPool = { spec: PoolSpec; hostIds: string[] };

/** New Storage Pool's plan: the same pool on every chosen node, and what stands in the way. */
export function planPool(
  ctx: ServiceContext,
  spec: PoolSpec,
  hostIds: readonly string[],
): { steps: PlannedStep[]; problems: string[] } {
  const steps: PlannedStep[] = [];
  const problems: string[] = [];
  // In the order of the tree (by node name), whatever order they were picked in.
  const conns = [...new Set(hostIds)]
    .map((id) => ctx.connection(id))
    .sort((a, b) => a.config.name.localeCompare(b.config.name));
  for (const conn of conns) {
    const hostId = conn.id;
    const node = conn.config.name;
    if (ctx.store.get('hosts', hostId)?.state !== 'connected') {
      problems.push(`${node} is not connected.`);
      continue;
    }
    if (ctx.store.all('pools').some((p) => p.hostId === hostId && p.name === spec.name)) {
      problems.push(`${node} already has a storage pool named ${spec.name}.`);
    }
    steps.push(...onNode(conn, conn.getDriver().createPoolSteps(spec)));
  }
  return { steps, problems };
}

export class StorageService {
  private readonly newPool: PlannedOperation<NewPool, StepsPlan>;

  constructor(private readonly ctx: ServiceContext) {
    this.newPool = new PlannedOperation(ctx.tasks, {
      plan: ({ spec, hostIds }) => planPool(ctx, spec, hostIds),
      task: ({ spec }, { steps }) => ({
        title: `New storage pool ${spec.name}`,
        target: taskTarget([...new Set(steps.map((s) => s.node))].join(', '), spec.name),
      }),
      run: runSteps(ctx.connection, 'pools'),
    });
  }

  readonly handlers: HandlersOf<
    | 'planStoragePool'
    | 'scanPoolSources'
    | 'createStoragePool'
    | 'poolAction'
    | 'volumeAction'
    | 'volumeSnapshotUsers'
    | 'readClusterStorage'
  > = {
    readClusterStorage: ({ clusterId }) => {
      const cluster = this.ctx.store.get('clusters', clusterId);
      if (!cluster) throw new ClusterdeckError('not-found', 'That cluster is no longer there.');
      const hostIds = cluster.hostIds.filter(
        (id) => this.ctx.store.get('hosts', id)?.state === 'connected',
      );
      return clusterStorage(
        hostIds,
        this.ctx.store.all('pools'),
        (a, b) =>
          markerSeen(
            this.ctx.connection(a.hostId),
            a.targetPath,
            this.ctx.connection(b.hostId),
            b.targetPath,
          ),
        (hostId, own) =>
          filesystemsOf(
            this.ctx.connection(hostId),
            own.map((p) => p.targetPath),
          ),
      );
    },

    planStoragePool: async (p) => planView(await this.newPool.plan(p)),

    scanPoolSources: async ({ hostId, request }) => {
      const conn = this.ctx.connection(hostId);
      const driver = conn.getDriver();
      const argv = driver.scanSourcesArgv(request);
      const command = quoteArgv(argv);
      const r = await conn.exec(argv, { timeoutMs: 60_000 });
      // libvirt reports an empty answer from NFS and Gluster servers as an error.
      if (r.code !== 0 && /no storage pools were found on host/.test(r.stderr)) {
        return { command, sources: [] };
      }
      if (r.code !== 0) {
        throw new ClusterdeckError(
          'command-failed',
          `The scan on ${conn.config.name} failed: \`${command}\` said: ${commandReason(r.stderr, r.code)}.`,
        );
      }
      return { command, sources: driver.parseFoundSources(request, r.stdout) };
    },

    createStoragePool: (p) => this.newPool.start(p),

    poolAction: async ({ poolId, action }) => {
      const pool = poolOrThrow(this.ctx, poolId);
      const conn = this.ctx.connection(pool.hostId);
      const steps = onNode(conn, conn.getDriver().poolActionSteps(pool, action));
      const taskId = this.ctx.tasks.start(
        `${POOL_ACTION_TITLES[action]} ${pool.name}`,
        taskTarget(conn.config.name, pool.name),
        (ctx) => runPlan(ctx, steps, this.ctx.connection, 'pools'),
      );
      return { taskId };
    },

    volumeAction: async ({ poolId, volume }) => {
      const pool = poolOrThrow(this.ctx, poolId);
      const conn = this.ctx.connection(pool.hostId);
      if (volume.op !== 'create' && !pool.volumes.some((v) => v.name === volume.name)) {
        throw new ClusterdeckError(
          'not-found',
          `${pool.name} on ${conn.config.name} has no volume ${volume.name}.`,
        );
      }
      const formatProblem =
        volume.op === 'create' ? newVolumeProblem(pool, volume.format) : undefined;
      if (formatProblem) throw new ClusterdeckError('invalid-input', formatProblem);
      const vol = pool.volumes.find((v) => v.name === volume.name);
      const inUse =
        volume.op === 'delete' && vol
          ? deleteVolumeProblem(pool, vol, this.ctx.store.all('vms'), conn.config.name)
          : undefined;
      if (inUse) throw new ClusterdeckError('invalid-state', inUse);
      const steps = onNode(conn, conn.getDriver().volumeSteps(pool, volume));
      const title = steps[0]?.title ?? 'Volume';
      const taskId = this.ctx.tasks.start(title, taskTarget(conn.config.name, pool.name), (ctx) =>
        runPlan(ctx, steps, this.ctx.connection, 'pools'),
      );
      return { taskId };
    },

    volumeSnapshotUsers: async ({ poolId, volume }) => {
      const pool = poolOrThrow(this.ctx, poolId);
      const vol = pool.volumes.find((v) => v.name === volume);
      if (!vol) return { users: [] };
      const driver = this.ctx.connection(pool.hostId).getDriver();
      const withSnapshots = new Set(await driver.vmsWithSnapshots());
      const vms = this.ctx.store
        .all('vms')
        .filter((v) => v.hostId === pool.hostId && withSnapshots.has(v.uuid));
      const kept = await Promise.all(
        vms.map(async (vm) => ({ vm, snapshots: await driver.readSnapshots(vm) })),
      );
      return { users: snapshotUsers(pool, vol, kept) };
    },
  };
}

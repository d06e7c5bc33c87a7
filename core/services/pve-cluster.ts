// New Cluster on Proxmox VE, Remove node, and the cluster's Ceph status.
// The wizard's preflight reads each chosen node through its driver's API
// client (drivers/proxmox/cluster-create.ts) and asks each joining node over
// SSH whether it reaches the first node's API; Create plans again, refuses on
// any problem, and runs the calls as one task whose Undo removes the nodes
// that joined (pvecm delnode from the first node; the cluster PVE made on the
// first node stays: PVE has no call that takes it back, which Undo says).
// The root password of the first node arrives with Create only, goes into the
// join calls (shown as <hidden>) and nowhere else.
import { ClusterdeckError } from '../../shared/errors';
import type {
  CephStatus,
  PveClusterCreate,
  PveClusterSpec,
  PveRemoveNode,
} from '../../shared/pve-cluster';
import type { PlanStepView } from '../../shared/storage';
import type { PveApiClient } from '../drivers/proxmox/api-client';
import { readCephStatus } from '../drivers/proxmox/ceph';
import {
  callView,
  pveClusterCalls,
  pveClusterPreflight,
  reachArgv,
  readNodeFacts,
  removePveNode,
  runPveCluster,
  type PveNodeFacts,
} from '../drivers/proxmox/cluster-create';
import { ProxmoxDriver } from '../drivers/proxmox/driver';
import { taskTarget, type TaskContext } from '../tasks/runner';
import type { ServiceContext } from './context';
import { reconnectAll, stopDriver } from './ganeti-cluster';
import type { HandlersOf } from './handlers';

/** A host's Proxmox API client, or why there is none. */
export function pveClient(ctx: ServiceContext, hostId: string): PveApiClient {
  const host = ctx.store.get('hosts', hostId);
  if (!host) throw new ClusterdeckError('not-found', 'A chosen node is no longer added.');
  const driver = ctx.connection(hostId).getDriver();
  if (!(driver instanceof ProxmoxDriver))
    throw new ClusterdeckError('invalid-input', `${host.name} does not run Proxmox VE.`);
  return driver.client;
}

export class PveClusterService {
  constructor(private readonly ctx: ServiceContext) {}

  readonly handlers: HandlersOf<
    | 'pveClusterPreflight'
    | 'planPveCluster'
    | 'createPveCluster'
    | 'planPveRemoveNode'
    | 'pveRemoveNode'
    | 'cephStatus'
  > = {
    pveClusterPreflight: async (spec) => ({ findings: (await this.preflight(spec)).findings }),
    planPveCluster: async (spec) => this.plan(spec),
    createPveCluster: (spec) => this.create(spec),
    planPveRemoveNode: (spec) => Promise.resolve(this.planRemove(spec)),
    pveRemoveNode: (spec) => Promise.resolve(this.remove(spec)),
    cephStatus: ({ clusterId }) => this.ceph(clusterId),
  };

  private async preflight(spec: PveClusterSpec) {
    const facts = await Promise.all(
      spec.hostIds.map((id) => readNodeFacts(id, pveClient(this.ctx, id))),
    );
    const first = spec.links[spec.hostIds[0] ?? ''];
    const reach: Record<string, boolean> = {};
    if (first)
      await Promise.all(
        spec.hostIds.slice(1).map(async (id) => {
          const r = await this.ctx
            .connection(id)
            .exec(reachArgv(first), { timeoutMs: 15_000 })
            .catch(() => ({ code: 1 }));
          reach[id] = r.code === 0;
        }),
      );
    return { findings: pveClusterPreflight(spec, facts, reach), facts };
  }

  private async plan(spec: PveClusterSpec): Promise<{ steps: PlanStepView[]; problems: string[] }> {
    const { findings, facts } = await this.preflight(spec);
    const problems = findings
      .filter((f) => f.level === 'problem')
      .map((f) => `${f.check}: ${f.detail}`);
    return { steps: problems.length ? [] : pveClusterCalls(spec, facts).map(callView), problems };
  }

  private async create(input: PveClusterCreate): Promise<{ taskId: string }> {
    const { password, ...spec } = input;
    const { findings, facts } = await this.preflight(spec);
    const problems = findings.filter((f) => f.level === 'problem');
    if (problems.length)
      throw new ClusterdeckError(
        'invalid-input',
        problems.map((f) => `${f.check}: ${f.detail}`).join(' '),
      );
    const calls = pveClusterCalls(spec, facts);
    const first = facts[0]!;
    const taskId = this.ctx.tasks.start(
      `New Proxmox VE cluster ${spec.name}`,
      taskTarget(facts.map((f) => f.node).join(', '), spec.name),
      async (task) => {
        const client = (id: string) => pveClient(this.ctx, id);
        let joined: string[] = [];
        try {
          joined = await runPveCluster(calls, client, password, task);
        } catch (err) {
          joined = (err as { joined?: string[] }).joined ?? [];
          throw err;
        } finally {
          this.offerUndo(task, first, facts, joined);
          // A node that joined now answers as a member: its connection starts over.
          await reconnectAll(this.ctx, spec.hostIds);
        }
      },
    );
    return { taskId };
  }

  /** Undo: the nodes that joined are removed from the first node (pvecm delnode). */
  private offerUndo(
    task: TaskContext,
    first: PveNodeFacts,
    facts: readonly PveNodeFacts[],
    joined: readonly string[],
  ): void {
    const shown = joined.map((node) => ({
      hostId: first.hostId,
      node: first.node,
      title: `Remove ${node} from the cluster (pvecm delnode; ${node} keeps its cluster configuration until it is reinstalled or separated)`,
      command: `pvesh delete /cluster/config/nodes/${node}`,
    }));
    task.offerUndo(
      shown,
      async (c) => {
        for (const node of [...joined].reverse())
          await removePveNode(pveClient(this.ctx, first.hostId), node, c);
        await reconnectAll(
          this.ctx,
          facts.map((f) => f.hostId),
        );
      },
      { afterSuccess: true },
    );
  }

  /** A connected member other than the node removed, to run the delete on. */
  private memberFor(spec: PveRemoveNode): string {
    const cluster = this.ctx.store.get('clusters', spec.clusterId);
    if (!cluster) throw new ClusterdeckError('not-found', 'That cluster is no longer shown.');
    const id = cluster.hostIds.find((h) => {
      const host = this.ctx.store.get('hosts', h);
      return host?.state === 'connected' && host.info?.hostname !== spec.node;
    });
    if (!id)
      throw new ClusterdeckError(
        'invalid-state',
        `Connect another node of ${cluster.name} to remove ${spec.node} from it.`,
      );
    return id;
  }

  private planRemove(spec: PveRemoveNode): { steps: PlanStepView[]; problems: string[] } {
    const id = this.memberFor(spec);
    const guests = this.ctx.store.all('vms').filter((v) => v.placement?.primary === spec.node);
    const host = this.ctx.store.get('hosts', id)!;
    return {
      steps: [
        {
          hostId: id,
          node: host.name,
          title: `Remove ${spec.node} from the cluster`,
          command: `pvesh delete /cluster/config/nodes/${spec.node}`,
        },
      ],
      problems: guests.length
        ? [
            `${spec.node} still has ${guests.length} VM(s) or container(s): migrate or remove them first.`,
          ]
        : [],
    };
  }

  private remove(spec: PveRemoveNode): { taskId: string } {
    const id = this.memberFor(spec);
    const taskId = this.ctx.tasks.start(
      `Remove node ${spec.node}`,
      taskTarget(this.ctx.store.get('hosts', id)!.name, spec.node),
      async (task) => {
        task.setSteps([`Remove ${spec.node} from the cluster`]);
        task.stepState(0, 'running');
        try {
          await removePveNode(pveClient(this.ctx, id), spec.node, task);
          task.stepState(0, 'done');
        } catch (err) {
          task.stepState(0, 'failed');
          throw err;
        }
        await this.afterRemoval(spec, id);
      },
    );
    return { taskId };
  }

  /**
   * The removed node's host (if added) leaves the cluster's record and
   * connects again as what it now is; the member that removed it reads the
   * cluster again (its poll reads /cluster/status only now and then).
   */
  private async afterRemoval(spec: PveRemoveNode, memberId: string): Promise<void> {
    const cluster = this.ctx.store.get('clusters', spec.clusterId);
    const gone = cluster?.hostIds.find(
      (h) => h !== memberId && this.ctx.store.get('hosts', h)?.info?.hostname === spec.node,
    );
    if (cluster && gone) {
      stopDriver(this.ctx, gone);
      this.ctx.store.put('clusters', cluster.id, {
        ...cluster,
        hostIds: cluster.hostIds.filter((h) => h !== gone),
      });
      await reconnectAll(this.ctx, [gone]);
    }
    await this.ctx
      .connection(memberId)
      .getDriver()
      .refresh('vms')
      .catch(() => undefined);
  }

  /** Read on demand (the General tab, its Refresh): never in the poll. */
  private async ceph(clusterId: string): Promise<CephStatus> {
    const cluster = this.ctx.store.get('clusters', clusterId);
    if (!cluster) throw new ClusterdeckError('not-found', 'That cluster is no longer shown.');
    const id = cluster.hostIds.find((h) => this.ctx.store.get('hosts', h)?.state === 'connected');
    if (!id) throw new ClusterdeckError('disconnected', `No node of ${cluster.name} is connected.`);
    const host = this.ctx.store.get('hosts', id)!;
    const client = pveClient(this.ctx, id);
    return readCephStatus(client, host.info?.hostname ?? client.node);
  }
}

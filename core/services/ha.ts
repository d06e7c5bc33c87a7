// High availability as the nodes' Pacemaker reports it: the `ha` facet of a
// cluster entity, and Clean up. The monitor (drivers/pacemaker/monitor.ts)
// follows every Corosync cluster the connected libvirt nodes are in; this
// service puts what it reads onto the cluster entity that holds those nodes:
// the libvirt cluster of settings that has any of them, else a cluster
// derived from the nodes themselves (`ha:<corosync name>`, in no settings),
// so a second Clusterdeck that adds the same nodes sees the same cluster
// without an import. The facet is never saved: ClusterService writes the
// settings' clusters, and a put of one without the facet is given it back.
import { isDeepStrictEqual } from 'node:util';
import type { Cluster } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import type { HaState } from '../../shared/ha';
import type { Patch } from '../../shared/model';
import { cleanupStep, isResourceId } from '../drivers/pacemaker/commands';
import { HaMonitor } from '../drivers/pacemaker/monitor';
import { taskTarget } from '../tasks/runner';
import type { PlannedStep } from '../wizards/plan';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, runSteps, type StepsPlan } from './planned-operation';

export const derivedClusterId = (corosyncName: string) => `ha:${corosyncName}`;

type CleanupInput = { clusterId: string; resourceId: string };
type CleanupPlan = StepsPlan & { cluster: Cluster; ha: HaState };

interface Published {
  entityId: string;
  members: string[];
  state: HaState;
}

export class HaService {
  readonly monitor: HaMonitor;
  private readonly published = new Map<string, Published>();
  private readonly cleanup: PlannedOperation<CleanupInput, CleanupPlan>;
  private readonly unsubscribe: () => void;

  constructor(private readonly ctx: ServiceContext) {
    this.monitor = new HaMonitor({
      hosts: () => ctx.store.all('hosts'),
      run: async (hostId, argv) => ctx.connection(hostId).run(argv, { timeoutMs: 15_000 }),
      publish: (name, members, state) => this.publish(name, members, state),
    });
    this.unsubscribe = ctx.store.onPatch((batch) => this.onPatches(batch));
    this.cleanup = new PlannedOperation(ctx.tasks, {
      plan: (input) => this.planCleanup(input),
      task: ({ resourceId }, { cluster }) => ({
        title: `Clean up ${resourceId}`,
        target: taskTarget(resourceId, cluster.name),
      }),
      run: runSteps(ctx.connection, undefined, async (_task, { ha }) => {
        await this.monitor.readNow(ha.clusterName);
      }),
    });
  }

  readonly handlers: HandlersOf<'planHaCleanup' | 'haCleanup'> = {
    planHaCleanup: async (p) => planView(await this.cleanup.plan(p)),
    haCleanup: (p) => this.cleanup.start(p),
  };

  close(): void {
    this.unsubscribe();
    this.monitor.close();
  }

  private onPatches(batch: readonly Patch[]): void {
    let clustersChanged = false;
    for (const p of batch) {
      if (p.collection === 'clusters') clustersChanged = true;
      if (p.collection !== 'hosts') continue;
      if (p.op === 'put' && p.value.state === 'connected' && p.value.stack === 'libvirt')
        this.monitor.hostConnected(p.id);
      else this.monitor.hostGone(p.id);
    }
    // A settings cluster put again, made or removed: the facet goes back where it belongs.
    if (clustersChanged)
      for (const [name, p] of this.published) this.publish(name, p.members, p.state);
  }

  private publish(name: string, members: string[], state: HaState | undefined): void {
    const { store, settings } = this.ctx;
    const prev = this.published.get(name);
    if (!state) {
      if (prev) this.dropFacet(prev.entityId);
      this.published.delete(name);
      return;
    }
    const hostIds = new Set(members);
    for (const n of state.nodes)
      if (n.hostId && store.get('hosts', n.hostId)) hostIds.add(n.hostId);
    const kept = settings.current.clusters.find((c) => c.hostIds.some((id) => hostIds.has(id)));
    const entityId = kept?.id ?? derivedClusterId(name);
    if (prev && prev.entityId !== entityId) this.dropFacet(prev.entityId);
    this.published.set(name, { entityId, members, state });
    if (kept) {
      const base = store.get('clusters', kept.id) ?? kept;
      const ha = { ...state, fromNodes: false };
      if (!isDeepStrictEqual(base.ha, ha)) store.put('clusters', kept.id, { ...base, ha });
      return;
    }
    const ha = { ...state, fromNodes: true };
    store.put('clusters', entityId, { id: entityId, name, hostIds: [...hostIds], ha });
  }

  /** Takes the facet off an entity: a derived cluster goes, a settings cluster stays as saved. */
  private dropFacet(entityId: string): void {
    const saved = this.ctx.settings.current.clusters.find((c) => c.id === entityId);
    if (saved) this.ctx.store.put('clusters', entityId, saved);
    else this.ctx.store.del('clusters', entityId);
  }

  /** Clean up: `crm_resource --cleanup` on a connected member, then the state read again. */
  private planCleanup({ clusterId, resourceId }: CleanupInput): CleanupPlan {
    const cluster = this.ctx.store.get('clusters', clusterId);
    const ha = cluster?.ha;
    if (!cluster || !ha)
      throw new ClusterdeckError('not-found', 'That cluster has no high availability to clean up.');
    const problems: string[] = [];
    if (!isResourceId(resourceId)) problems.push(`"${resourceId}" is not a Pacemaker resource id.`);
    else if (!ha.resources.some((r) => r.id === resourceId))
      problems.push(`${cluster.name} has no resource ${resourceId}.`);
    const host = cluster.hostIds
      .map((id) => this.ctx.store.get('hosts', id))
      .find((h) => h?.state === 'connected' && this.monitor.clusterOf(h.id) === ha.clusterName);
    if (!host) problems.push(`No member node of ${cluster.name} is connected.`);
    const steps: PlannedStep[] =
      host && !problems.length
        ? [{ ...cleanupStep(resourceId), hostId: host.id, node: host.name }]
        : [];
    return { steps, problems, cluster, ha };
  }
}

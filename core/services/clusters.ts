// Clusters: New Cluster's preflight and plan, Remove node and Remove
// cluster. The only writer of the settings' clusters and of the inventory's
// cluster entities.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Cluster, ClusterSpec } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import type { Host } from '../../shared/model';
import type { ClusterFindings, ClusterMember, ClusterMembership } from '../drivers/membership';
import { runPlan } from '../wizards/plan';
import type { ServiceContext } from './context';
import { taskTarget } from '../tasks/runner';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, runSteps, type StepsPlan } from './planned-operation';
import { planPool } from './storage';
import { offerFormUndo, planHaForm, planHaMembership } from './ha-form';
import { recordingUndo } from '../drivers/pacemaker/form';

type UntrustInput = { clusterId: string; hostId?: string };
type UntrustPlan = StepsPlan & { cluster: Cluster };
/** `haJoins`: nodes join a running HA cluster (its Undo is offered only if a step fails). */
type ClusterPlan = StepsPlan & { found: ClusterFindings; haJoins?: boolean };

export class ClusterService {
  private readonly newCluster: PlannedOperation<ClusterSpec, ClusterPlan>;
  private readonly removeNode: PlannedOperation<Required<UntrustInput>, UntrustPlan>;
  private readonly removeWhole: PlannedOperation<UntrustInput, UntrustPlan>;

  constructor(private readonly ctx: ServiceContext) {
    const connection = ctx.connection;
    this.newCluster = new PlannedOperation(ctx.tasks, {
      plan: (spec) => this.planCluster(spec),
      task: (spec) => ({
        title: `New cluster ${spec.name}`,
        target: taskTarget(
          spec.hostIds.map((id) => ctx.store.get('hosts', id)!.name).join(', '),
          spec.name,
        ),
      }),
      run: async (task, { steps: planned, found, haJoins }, spec) => {
        // A formed HA cluster's Undo is offered after success too (ha-form.ts).
        const recorded = spec.ha && !haJoins ? recordingUndo(planned) : undefined;
        const steps = recorded?.steps ?? planned;
        await runPlan(task, steps, connection, spec.sharedPool ? 'pools' : undefined);
        // Recorded only once every node reaches every other one; a re-run updates it.
        const existing = ctx.settings.current.clusters.find((c) => c.name === spec.name);
        const cluster = {
          id: existing?.id ?? randomUUID(),
          name: spec.name,
          hostIds: spec.hostIds,
          ...(found.cpu ? { cpu: found.cpu } : {}),
        };
        await ctx.settings.update((s) => {
          s.clusters = [...s.clusters.filter((c) => c.id !== cluster.id), cluster];
        });
        ctx.store.put('clusters', cluster.id, cluster);
        if (recorded) offerFormUndo(ctx, task, recorded.undo(), cluster.id);
      },
    });

    this.removeNode = new PlannedOperation(ctx.tasks, {
      plan: ({ clusterId, hostId }) => this.planUntrust(clusterId, hostId),
      task: ({ hostId }, { cluster }) => {
        const name = ctx.store.get('hosts', hostId)?.name ?? hostId;
        return {
          title: `Remove ${name} from ${cluster.name}`,
          target: taskTarget(name, cluster.name),
        };
      },
      run: runSteps(connection, undefined, async (_task, { cluster }, { clusterId, hostId }) => {
        // Recorded once the trust is taken back on every node.
        // The HA facet is the nodes' (services/ha.ts), never saved.
        const { ha: _ha, ...saved } = cluster;
        const next = { ...saved, hostIds: cluster.hostIds.filter((id) => id !== hostId) };
        await ctx.settings.update((s) => {
          s.clusters = s.clusters.map((c) => (c.id === clusterId ? next : c));
        });
        ctx.store.put('clusters', clusterId, next);
      }),
    });

    this.removeWhole = new PlannedOperation(ctx.tasks, {
      plan: ({ clusterId }) => this.planUntrust(clusterId),
      task: (_input, { cluster }) => ({
        title: `Remove cluster ${cluster.name}`,
        target: taskTarget(
          cluster.hostIds.map((id) => ctx.store.get('hosts', id)?.name ?? id).join(', '),
          cluster.name,
        ),
      }),
      run: runSteps(connection, undefined, async (_task, _plan, { clusterId }) => {
        await ctx.settings.update((s) => {
          s.clusters = s.clusters.filter((c) => c.id !== clusterId);
        });
        ctx.store.del('clusters', clusterId);
      }),
    });
  }

  /** Shows the saved clusters. */
  load(): void {
    for (const c of this.ctx.settings.current.clusters) this.ctx.store.put('clusters', c.id, c);
  }

  /** A removed host leaves every cluster that still lists it. */
  async forgetHost(hostId: string): Promise<void> {
    const { settings, store } = this.ctx;
    if (settings.current.clusters.some((c) => c.hostIds.includes(hostId))) {
      await settings.update((s) => {
        for (const c of s.clusters) c.hostIds = c.hostIds.filter((id) => id !== hostId);
      });
    }
    for (const c of settings.current.clusters) store.put('clusters', c.id, c);
  }

  readonly handlers: HandlersOf<
    | 'clusterPreflight'
    | 'planCluster'
    | 'createCluster'
    | 'planRemoveClusterNode'
    | 'removeClusterNode'
    | 'planRemoveCluster'
    | 'removeCluster'
  > = {
    clusterPreflight: async ({ hostIds }) => {
      const nodes = hostIds.map((id) => {
        const host = this.ctx.store.get('hosts', id);
        if (!host) throw new ClusterdeckError('not-found', 'A chosen node is no longer added.');
        const networks = this.ctx.store.all('networks').filter((n) => n.hostId === id);
        return { host, conn: this.ctx.connection(id), networks };
      });
      const membership = this.ctx.drivers.membershipFor(nodes.map((n) => n.host));
      if (!membership) {
        const detail = 'The chosen nodes do not run one stack Clusterdeck can make clusters of.';
        return { findings: [{ check: 'One stack', level: 'problem', detail }] };
      }
      return { findings: await membership.preflight(nodes) };
    },

    planCluster: async (spec) => planView(await this.newCluster.plan(spec)),
    createCluster: (spec) => this.newCluster.start(spec),
    planRemoveClusterNode: async (p) => planView(await this.removeNode.plan(p)),
    removeClusterNode: (p) => this.removeNode.start(p),
    planRemoveCluster: async (p) => planView(await this.removeWhole.plan(p)),
    removeCluster: (p) => this.removeWhole.start(p),
  };

  /** New Cluster's plan: trust between every pair of nodes, and what stands in the way. */
  private async planCluster(spec: ClusterSpec): Promise<ClusterPlan> {
    const problems: string[] = [];
    const members: ClusterMember[] = [];
    const found: ClusterFindings = {};
    for (const id of spec.hostIds) {
      const host = this.ctx.store.get('hosts', id);
      if (!host) {
        problems.push('A chosen node is no longer added.');
        continue;
      }
      if (host.state !== 'connected') problems.push(`${host.name} is not connected.`);
      else if (!host.capabilities?.includes('cluster'))
        problems.push(`${host.name} runs no stack Clusterdeck can make clusters of.`);
      const other = this.ctx.settings.current.clusters.find(
        (c) => c.name !== spec.name && c.hostIds.includes(id),
      );
      if (other) problems.push(`${host.name} is already in the cluster ${other.name}.`);
      // Peers accept a node's key from its address only (from= in authorized_keys).
      if (!isIP(host.address))
        problems.push(
          `${host.name} was added by the name ${host.address}; a cluster needs its nodes added by IP address.`,
        );
      const hostKeyLines = await this.ctx.knownHosts.lines(host.address, host.port);
      if (!hostKeyLines.length)
        problems.push(`Clusterdeck has no verified host key for ${host.name}.`);
      members.push({ host, hostKeyLines });
    }
    const membership = this.ctx.drivers.membershipFor(members.map((m) => m.host));
    problems.push(...(membership?.memberClashes(members) ?? []));
    if (!membership && !problems.length)
      problems.push('The chosen nodes do not run one stack Clusterdeck can make clusters of.');
    const steps = membership && !problems.length ? membership.formSteps(members, found) : [];
    if (spec.sharedPool && !problems.length) {
      const pool = planPool(this.ctx, spec.sharedPool, spec.hostIds);
      problems.push(...pool.problems);
      steps.push(...pool.steps);
    }
    let haJoins = false;
    if (spec.ha && !problems.length) {
      const ha = await planHaForm(this.ctx, { ...spec, ha: spec.ha });
      problems.push(...ha.problems);
      steps.push(...ha.steps);
      haJoins = ha.joins;
    }
    return { steps: problems.length ? [] : steps, problems, found, haJoins };
  }

  /**
   * Remove node (hostId) or Remove cluster (no hostId): the steps that take
   * the cluster's SSH trust back on its nodes, and what stands in the way.
   * A node that leaves may be unreachable (its peers still revoke its key);
   * every node that stays, and every node of a cluster being removed, must be
   * connected, or a grant would stay behind.
   */
  private async planUntrust(clusterId: string, hostId?: string): Promise<UntrustPlan> {
    const cluster = this.ctx.store.get('clusters', clusterId);
    if (!cluster) throw new ClusterdeckError('not-found', 'That cluster is no longer there.');
    if (hostId !== undefined && !cluster.hostIds.includes(hostId))
      throw new ClusterdeckError('not-found', 'That node is not in that cluster.');
    const problems: string[] = [];
    const members: ClusterMember[] = [];
    for (const id of cluster.hostIds) {
      const host = this.ctx.store.get('hosts', id);
      if (!host) continue;
      members.push({
        host,
        hostKeyLines: await this.ctx.knownHosts.lines(host.address, host.port),
      });
    }
    const connected = (m: ClusterMember) => m.host.state === 'connected';
    const leaving = members.filter((m) => hostId === undefined || m.host.id === hostId);
    const staying = members.filter((m) => !leaving.includes(m));
    for (const m of hostId === undefined ? members : staying)
      if (!connected(m))
        problems.push(
          `${m.host.name} is not connected: its SSH trust for the cluster cannot be taken back.`,
        );
    if (hostId !== undefined) {
      const vms = this.ctx.store.all('vms').filter((v) => v.hostId === hostId);
      if (vms.length)
        problems.push(
          `${leaving[0]?.host.name ?? 'The node'} still hosts ${vms.map((v) => v.name).join(', ')}: migrate or remove them first.`,
        );
    }
    // A high-availability cluster's membership changes on the nodes first (ha-form.ts).
    const ha = problems.length
      ? undefined
      : await planHaMembership(
          this.ctx,
          members.map((m) => m.host),
          hostId,
        );
    problems.push(...(ha?.problems ?? []));
    const steps = problems.length
      ? []
      : [
          ...(ha?.steps ?? []),
          ...this.membership(members.map((m) => m.host)).leaveSteps(leaving, staying, connected),
        ];
    return { steps, problems, cluster };
  }

  /** How these hosts form a cluster: their one stack's membership. */
  private membership(hosts: readonly Host[]): ClusterMembership {
    const m = this.ctx.drivers.membershipFor(hosts);
    if (!m)
      throw new ClusterdeckError(
        'unsupported',
        `${hosts.map((h) => h.name).join(', ')} do not run one stack that Clusterdeck can make clusters of.`,
      );
    return m;
  }
}

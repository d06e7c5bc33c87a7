// Operations on a Ganeti cluster's nodes, from the tree's menus: drain and
// undrain, offline and online (`gnt-node modify`, a job followed as the
// task), remove (`gnt-node remove`, refused while instances use the node),
// master failover (`gnt-cluster master-failover` on the chosen candidate),
// and Add node (a Ganeti node Clusterdeck has, or a name the master
// resolves). Every command runs from a node Clusterdeck is connected to,
// reaching the master (or the candidate) the way Ganeti reaches its nodes.
import type { Cluster } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import {
  GANETI_NODE_OP_LABELS,
  type GanetiAddNodeSpec,
  type GanetiNodeOpSpec,
} from '../../shared/ganeti-cluster';
import type { PlanStepView } from '../../shared/storage';
import { joinSteps, nodeRemoveArgv, readKeyStep } from '../drivers/ganeti/cluster-steps';
import { checkedName, onMaster, type ClusterState } from '../drivers/ganeti/commands';
import { GanetiDriver } from '../drivers/ganeti/driver';
import { quoteArgv } from '../ssh/quote';
import type { TaskContext } from '../tasks/runner';
import { taskTarget } from '../tasks/runner';
import { runPlan, stepView, type PlannedStep } from '../wizards/plan';
import type { ServiceContext } from './context';
import { readFacts, reconnectAll, stopDriver } from './ganeti-cluster';
import type { HandlersOf } from './handlers';
import { PlannedOperation } from './planned-operation';

interface Via {
  hostId: string;
  label: string;
  driver: GanetiDriver;
  state: ClusterState;
}

interface NodePlan {
  problems: string[];
  cluster: Cluster;
  view: PlanStepView[];
  run: (ctx: TaskContext) => Promise<void>;
}

// Online needs --force: without it gnt-node modify asks whether the node's
// configuration is still current (the confirm dialog says so instead).
const MODIFY: Partial<Record<GanetiNodeOpSpec['op'], string[]>> = {
  drain: ['--drained=yes'],
  undrain: ['--drained=no'],
  offline: ['--offline=yes'],
  online: ['--offline=no', '--force'],
};

export const nodeModifyArgv = (flags: string[], node: string) => [
  'gnt-node',
  'modify',
  '--submit',
  ...flags,
  '--',
  checkedName(node, 'node'),
];

export class GanetiNodeService {
  private readonly nodeOp: PlannedOperation<GanetiNodeOpSpec, NodePlan>;
  private readonly addNode: PlannedOperation<GanetiAddNodeSpec, NodePlan>;

  constructor(private readonly ctx: ServiceContext) {
    const runIt = (task: TaskContext, plan: NodePlan) => plan.run(task);
    this.nodeOp = new PlannedOperation(ctx.tasks, {
      plan: (s) => this.planOp(s),
      task: (s, { cluster }) => ({
        title: `${GANETI_NODE_OP_LABELS[s.op]} ${s.node}`,
        target: taskTarget(s.node, cluster.name),
      }),
      run: runIt,
    });
    this.addNode = new PlannedOperation(ctx.tasks, {
      plan: (s) => this.planAdd(s),
      task: (s, { cluster }) => {
        const name = s.node ?? ctx.store.get('hosts', s.hostId ?? '')?.name ?? '';
        return { title: `Add ${name} to ${cluster.name}`, target: taskTarget(name, cluster.name) };
      },
      run: runIt,
    });
  }

  readonly handlers: HandlersOf<
    'planGanetiNodeOp' | 'ganetiNodeOp' | 'planGanetiAddNode' | 'ganetiAddNode'
  > = {
    planGanetiNodeOp: async (s) => view(await this.nodeOp.plan(s)),
    ganetiNodeOp: (s) => this.nodeOp.start(s),
    planGanetiAddNode: async (s) => view(await this.addNode.plan(s)),
    ganetiAddNode: (s) => this.addNode.start(s),
  };

  private cluster(id: string): Cluster {
    const c = this.ctx.store.get('clusters', id);
    if (!c?.managed || c.managed.stack !== 'ganeti')
      throw new ClusterdeckError('not-found', 'That Ganeti cluster is no longer there.');
    return c;
  }

  /** A connected node of the cluster to run commands from, preferring one that is not `avoid`. */
  private async via(c: Cluster, avoid?: string): Promise<Via> {
    const vias = c.hostIds.flatMap((id) => {
      const h = this.ctx.store.get('hosts', id);
      if (h?.state !== 'connected') return [];
      try {
        const d = this.ctx.connection(id).getDriver();
        return d instanceof GanetiDriver ? [{ hostId: id, label: h.name, driver: d }] : [];
      } catch {
        return [];
      }
    });
    const states = await Promise.all(vias.map((v) => v.driver.readState().catch(() => undefined)));
    const ok = vias.flatMap((v, i) => (states[i] ? [{ ...v, state: states[i] }] : []));
    const pick = ok.find((v) => v.state.self !== avoid) ?? ok[0];
    if (!pick)
      throw new ClusterdeckError(
        'disconnected',
        `No node of ${c.name} is connected: reconnect one to act on the cluster.`,
      );
    return pick;
  }

  /** After a change: every connected member reads the cluster again (a failover moves the master). */
  private async reread(c: Cluster): Promise<void> {
    for (const id of c.hostIds) {
      try {
        const d = this.ctx.connection(id).getDriver();
        if (d instanceof GanetiDriver) {
          await d.readState();
          await d.refresh();
        }
      } catch {
        /* the node dropped: its reconnect reads everything */
      }
    }
  }

  /** The Clusterdeck host that is this cluster node (its host name, full or short). */
  private hostOfNode(c: Cluster, node: string) {
    return c.hostIds
      .map((id) => this.ctx.store.get('hosts', id))
      .find((h) => {
        const hn = h?.info?.hostname;
        return !!hn && (hn === node || node.startsWith(`${hn}.`));
      });
  }

  private async planOp(s: GanetiNodeOpSpec): Promise<NodePlan> {
    const c = this.cluster(s.clusterId);
    const n = c.managed!.nodes.find((x) => x.name === s.node);
    const problems: string[] = [];
    if (!n) problems.push(`${s.node} is not a node of ${c.name}.`);
    const role = n?.role;
    const via = await this.via(c, s.node);
    const flag = MODIFY[s.op];
    const label = GANETI_NODE_OP_LABELS[s.op];
    if (role === 'master' && s.op !== 'undrain' && s.op !== 'online')
      problems.push(
        s.op === 'master-failover'
          ? `${s.node} is the master already.`
          : `${s.node} is the master: fail the master over to another node first.`,
      );
    if (s.op === 'undrain' && role !== 'drained') problems.push(`${s.node} is not drained.`);
    if (s.op === 'online' && role !== 'offline') problems.push(`${s.node} is not offline.`);
    if (s.op === 'drain' && role === 'drained') problems.push(`${s.node} is drained already.`);
    if (s.op === 'offline' && role === 'offline') problems.push(`${s.node} is offline already.`);
    if (s.op === 'master-failover' && role && role !== 'master' && role !== 'candidate')
      problems.push(
        `${s.node} is not a master candidate (it is ${role}): only a candidate can become master.`,
      );
    if (s.op === 'remove') {
      const users = this.ctx.store
        .all('vms')
        .filter(
          (v) =>
            c.hostIds.includes(v.hostId) &&
            (v.placement?.primary === s.node || v.placement?.secondaries.includes(s.node)),
        )
        .map((v) => v.name);
      if (users.length)
        problems.push(
          `${s.node} is used by ${users.join(', ')}: move or remove those instances first.`,
        );
    }

    if (flag) {
      const argv = nodeModifyArgv(flag, s.node);
      return {
        problems,
        cluster: c,
        view: [{ hostId: via.hostId, node: via.label, title: label, command: quoteArgv(argv) }],
        run: async (task) => {
          await via.driver.job(argv, task);
        },
      };
    }
    // Remove runs on the master; master failover on the candidate itself.
    const host = this.hostOfNode(c, s.node);
    const onCandidate = host?.state === 'connected' && s.op === 'master-failover';
    const place = onCandidate
      ? { hostId: host.id, node: host.name }
      : { hostId: via.hostId, node: via.label };
    const argv =
      s.op === 'remove'
        ? onMaster(nodeRemoveArgv(s.node), via.state)
        : onCandidate
          ? ['gnt-cluster', 'master-failover']
          : onMaster(['gnt-cluster', 'master-failover'], { ...via.state, master: s.node });
    const step: PlannedStep = { ...place, title: `${label} ${s.node}`, argv };
    return {
      problems,
      cluster: c,
      view: [stepView(step)],
      run: async (task) => {
        // While the master moves (or a node leaves), the members' change
        // polls may read a half-written cluster and start their connections
        // over under the running command: they stop, and the members
        // connect again afterwards (reading the cluster as it is then).
        const members = c.hostIds.filter(
          (id) => this.ctx.store.get('hosts', id)?.state === 'connected',
        );
        for (const id of members) stopDriver(this.ctx, id);
        try {
          await runPlan(task, [step], this.ctx.connection);
        } finally {
          await reconnectAll(this.ctx, members);
        }
        if (s.op === 'remove' && host) this.release(c, host.id);
      },
    };
  }

  /** A host that left the cluster (connected again as a node without one): out of its record. */
  private release(c: Cluster, hostId: string): void {
    const now = this.ctx.store.get('clusters', c.id);
    if (now)
      this.ctx.store.put('clusters', c.id, {
        ...now,
        hostIds: now.hostIds.filter((h) => h !== hostId),
      });
  }

  private async planAdd(s: GanetiAddNodeSpec): Promise<NodePlan> {
    const c = this.cluster(s.clusterId);
    const via = await this.via(c);
    const problems: string[] = [];
    const master = { hostId: via.hostId, node: via.label };
    const toMaster = (a: string[]) => onMaster(a, via.state);
    let steps: PlannedStep[];
    let joined: string | undefined;
    if (s.hostId) {
      const h = this.ctx.store.get('hosts', s.hostId);
      if (!h) throw new ClusterdeckError('not-found', 'That host is no longer added.');
      if (h.state !== 'connected' || h.stack !== 'ganeti' || !h.capabilities?.includes('cluster'))
        problems.push(`${h.name} is not a connected Ganeti node without a cluster.`);
      const [facts] = problems.length ? [] : await readFacts(this.ctx, [h.id]);
      const fqdn = facts?.f.fqdn ?? h.name;
      if (c.managed!.nodes.some((n) => n.name === fqdn))
        problems.push(`${fqdn} is in ${c.name} already.`);
      let k = '';
      const key = { get: () => k, set: (v: string) => (k = v) };
      steps = [
        readKeyStep(master, toMaster, key),
        ...joinSteps(master, toMaster, { place: { hostId: h.id, node: h.name }, fqdn }, key),
      ];
      joined = h.id;
    } else {
      const fqdn = s.node!;
      if (c.managed!.nodes.some((n) => n.name === fqdn))
        problems.push(`${fqdn} is in ${c.name} already.`);
      steps = joinSteps(master, toMaster, { place: undefined, fqdn }, { get: () => '' });
    }
    return {
      problems,
      cluster: c,
      view: steps.map(stepView),
      run: async (task) => {
        try {
          await runPlan(task, steps, this.ctx.connection);
        } finally {
          if (joined) await reconnectAll(this.ctx, [joined]);
          await this.reread(c);
        }
      },
    };
  }
}

function view(p: NodePlan): { steps: PlanStepView[]; problems: string[] } {
  return { steps: p.problems.length ? [] : p.view, problems: p.problems };
}

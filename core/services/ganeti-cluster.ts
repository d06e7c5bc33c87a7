// New Cluster on Ganeti: the wizard's defaults and preflight read from the
// chosen nodes (Ganeti installed, no cluster yet), and the create task:
// gnt-cluster init on the first node, the others trusting its new root key
// and joining with gnt-node add (drivers/ganeti/cluster-steps.ts). Undo,
// after a failure or once it succeeded, removes the added nodes and
// destroys the cluster it made. The nodes' connections then start over, so
// each is shown as a node of the cluster (or again as a node without one).
import { ClusterdeckError } from '../../shared/errors';
import type { GanetiClusterSpec } from '../../shared/ganeti-cluster';
import { stepView, runPlan } from '../wizards/plan';
import {
  ganetiDefaults,
  ganetiPreflight,
  preflightAsk,
  type FactsOf,
} from '../drivers/ganeti/cluster-init';
import { createSteps, undoAll } from '../drivers/ganeti/cluster-steps';
import { ganetiClusterId } from '../drivers/ganeti/driver';
import {
  NODE_FACTS_SCRIPT,
  nodeFactsArgv,
  parseNodeFacts,
  type FactsAsk,
} from '../drivers/ganeti/node-facts';
import { taskTarget } from '../tasks/runner';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, type StepsPlan } from './planned-operation';

type CreatePlan = StepsPlan & { nodes: FactsOf[] };

/** Each node's facts, asked in parallel; `ask(i, first round)` adds questions per node. */
export async function readFacts(
  ctx: ServiceContext,
  hostIds: readonly string[],
  ask: (i: number) => FactsAsk = () => ({}),
): Promise<FactsOf[]> {
  return Promise.all(
    hostIds.map(async (id, i) => {
      const host = ctx.store.get('hosts', id);
      if (!host) throw new ClusterdeckError('not-found', 'A chosen node is no longer added.');
      const argv = nodeFactsArgv(ask(i));
      const r = await ctx
        .connection(id)
        .exec(argv, { timeoutMs: 60_000, stdin: NODE_FACTS_SCRIPT });
      if (r.code !== 0)
        throw new ClusterdeckError(
          'command-failed',
          `${host.name}: reading its Ganeti facts failed (python3 -): ${r.stderr.trim() || `exit ${r.code}`}`,
        );
      return { hostId: id, label: host.name, f: parseNodeFacts(r.stdout) };
    }),
  );
}

/** Reconnects the hosts (their stack's driver is chosen again), waiting for each. */
export async function reconnectAll(ctx: ServiceContext, hostIds: readonly string[]) {
  await Promise.all(
    hostIds.map((id) =>
      ctx
        .connection(id)
        .connect()
        .catch(() => undefined),
    ),
  );
}

/** Stops a host's driver (its change poll); a reconnect starts a new one. */
export function stopDriver(ctx: ServiceContext, hostId: string): void {
  try {
    ctx.connection(hostId).getDriver().stop();
  } catch {
    /* not connected: nothing polls */
  }
}

export class GanetiClusterService {
  private readonly create: PlannedOperation<GanetiClusterSpec, CreatePlan>;

  constructor(private readonly ctx: ServiceContext) {
    this.create = new PlannedOperation(ctx.tasks, {
      plan: (spec) => this.plan(spec),
      task: (spec, { nodes }) => ({
        title: `New Ganeti cluster ${spec.name}`,
        target: taskTarget(nodes.map((n) => n.label).join(', '), spec.name),
      }),
      run: async (task, { steps }, spec) => {
        const ids = spec.hostIds;
        try {
          await runPlan(task, steps, ctx.connection);
        } finally {
          await reconnectAll(ctx, ids);
        }
        const undo = undoAll(steps);
        task.offerUndo(
          undo.map(stepView),
          async (c) => {
            // The clusters' change polls would see the nodes leave mid-way
            // and start their connections over under the running commands.
            for (const id of ids) stopDriver(ctx, id);
            try {
              await runPlan(c, undo, ctx.connection);
            } finally {
              ctx.store.del('clusters', ganetiClusterId(spec.name));
              await reconnectAll(ctx, ids);
            }
          },
          { afterSuccess: true },
        );
      },
    });
  }

  readonly handlers: HandlersOf<
    'ganetiClusterDefaults' | 'ganetiClusterPreflight' | 'planGanetiCluster' | 'createGanetiCluster'
  > = {
    ganetiClusterDefaults: async ({ hostIds }) =>
      ganetiDefaults(await readFacts(this.ctx, this.checkHosts(hostIds))),
    ganetiClusterPreflight: async (spec) => ({ findings: (await this.preflight(spec)).findings }),
    planGanetiCluster: async (spec) => planView(await this.create.plan(spec)),
    createGanetiCluster: (spec) => this.create.start(spec),
  };

  /** The hosts as chosen: connected Ganeti nodes in no cluster, or a sentence why not. */
  private checkHosts(hostIds: readonly string[]): string[] {
    for (const id of hostIds) {
      const h = this.ctx.store.get('hosts', id);
      if (!h) throw new ClusterdeckError('not-found', 'A chosen node is no longer added.');
      if (h.state !== 'connected')
        throw new ClusterdeckError('invalid-state', `${h.name} is not connected.`);
      if (h.stack !== 'ganeti' || !h.capabilities?.includes('cluster'))
        throw new ClusterdeckError(
          'invalid-input',
          `${h.name} is not a Ganeti node without a cluster (it runs ${h.stack ?? 'no known stack'}${h.stack === 'ganeti' ? ' and is in a cluster already' : ''}).`,
        );
    }
    return [...hostIds];
  }

  /** Two rounds: each node's own facts, then each asked about the others and the cluster IP. */
  private async preflight(spec: GanetiClusterSpec) {
    const ids = this.checkHosts(spec.hostIds);
    const own = await readFacts(this.ctx, ids);
    const nodes = await readFacts(this.ctx, ids, (i) => ({
      ...preflightAsk(spec, own, i),
      ...(i === 0 ? { free: [spec.name] } : {}),
    }));
    const findings = ganetiPreflight(spec, nodes, nodes[0]?.f.free[spec.name]);
    return { findings, nodes };
  }

  private async plan(spec: GanetiClusterSpec): Promise<CreatePlan> {
    const { findings, nodes } = await this.preflight(spec);
    const problems = findings
      .filter((f) => f.level === 'problem')
      .map((f) => `${f.check}: ${f.detail}`);
    const steps = problems.length ? [] : createSteps(spec, nodes);
    return { steps, problems, nodes };
  }
}

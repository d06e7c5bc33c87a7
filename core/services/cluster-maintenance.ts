// Maintenance mode on a node of a cluster that places its VMs itself
// (Ganeti): the stack's own way (drain, then migrate its instances away),
// and back (undrain). The node's state is the stack's (a drained node),
// not a mark Clusterdeck keeps, so another admin's drain shows as well.
// The commands go through another connected node of the cluster (the
// master when it is added): Ganeti takes a drained node's SSH key off the
// other nodes, so the node itself can no longer reach the master.
import type { Finding } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import type { Host } from '../../shared/model';
import type { ClusterMoves } from '../drivers/capabilities';
import { stepView } from '../wizards/plan';
import type { ServiceContext } from './context';
import { refuseProblems } from './planned-operation';

/** Whether the node's stack places VMs itself (its capabilities stay known while it reconnects). */
export function placesItsVms(ctx: ServiceContext, hostId: string): boolean {
  return !!ctx.store.get('hosts', hostId)?.capabilities?.includes('cluster-moves');
}

/** The host's own driver's moves, if it is connected. */
function ownMoves(ctx: ServiceContext, host: Host): ClusterMoves | undefined {
  return host.state === 'connected' ? ctx.connection(host.id).getDriver().clusterMoves : undefined;
}

/**
 * The connected node of the host's cluster to run the commands through: the
 * master (the host itself when it is the master: it needs no SSH hop), else
 * another node, never the host being drained.
 */
function throughOther(
  ctx: ServiceContext,
  host: Host,
): { via: Host; moves: ClusterMoves } | undefined {
  const cluster = ctx.store.all('clusters').find((c) => c.hostIds.includes(host.id));
  const master = cluster?.managed?.master ?? '';
  const usable = (cluster?.hostIds ?? [])
    .map((id) => ctx.store.get('hosts', id))
    .filter(
      (h): h is Host => h?.state === 'connected' && !!h.capabilities?.includes('cluster-moves'),
    );
  const pick = usable.find((h) => isNode(h, master)) ?? usable.find((h) => h.id !== host.id);
  const moves = pick && ctx.connection(pick.id).getDriver().clusterMoves;
  return pick && moves ? { via: pick, moves } : undefined;
}

const isNode = (h: Host, node: string) =>
  !!h.info?.hostname && (h.info.hostname === node || node.startsWith(`${h.info.hostname}.`));

async function prepare(ctx: ServiceContext, hostId: string) {
  const host = ctx.store.get('hosts', hostId);
  if (!host) throw new ClusterdeckError('not-found', 'That node is no longer added.');
  const own = ownMoves(ctx, host);
  const other = throughOther(ctx, host);
  const moves = other?.moves ?? own;
  if (!moves)
    throw new ClusterdeckError(
      'disconnected',
      `${host.name} is not connected, and no other node of its cluster is: Clusterdeck cannot reach the master.`,
    );
  // The cluster's own list names the node (as the tree does); a connected node can say itself.
  const cluster = ctx.store.all('clusters').find((c) => c.hostIds.includes(host.id));
  const listed = cluster?.managed?.nodes.find((n) => isNode(host, n.name))?.name;
  const node = listed ?? (await own?.selfNode());
  if (!node) throw new ClusterdeckError('not-found', `${host.name} is not in its cluster's list.`);
  return { host, node, other, moves };
}

const NO_PATH: Finding = {
  check: 'A way to the master',
  level: 'problem',
  detail:
    'Ganeti takes a drained node’s SSH key off the other nodes, so this node could no longer reach the master, and Clusterdeck reaches the cluster through it alone.',
  fix: 'Add the cluster’s master (or another node of it) as a host too, then enter maintenance mode.',
};

export async function planClusterMaintenance(ctx: ServiceContext, hostId: string, enter = true) {
  const { host, node, other, moves } = await prepare(ctx, hostId);
  const { findings, steps } = await moves.maintenancePlan(node, enter);
  if (!other && !moves.maintenanceFromItself) findings.unshift(NO_PATH);
  const problems = findings.filter((f) => f.level === 'problem').map((f) => f.detail);
  const via = other?.via ?? host;
  return {
    findings,
    problems,
    steps: steps.map((s) => stepView({ ...s, hostId: via.id, node: via.name })),
  };
}

/** Enters (or leaves) maintenance as one task, after the plan is checked again. */
export async function startClusterMaintenance(
  ctx: ServiceContext,
  hostId: string,
  enter: boolean,
): Promise<{ taskId: string }> {
  const { host, node, moves } = await prepare(ctx, hostId);
  if (enter) refuseProblems((await planClusterMaintenance(ctx, hostId)).problems);
  const title = enter
    ? `Maintenance mode for ${host.name}`
    : `End maintenance mode of ${host.name}`;
  return {
    taskId: ctx.tasks.start(title, host.name, (task) => moves.runMaintenance(node, enter, task)),
  };
}

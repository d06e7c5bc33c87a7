// Making a cluster as pve-cluster's API does: create one (`POST
// /cluster/config`, pvecm create), the join information of its nodes
// (`GET /cluster/config/join`), a node joining it (`POST
// /cluster/config/join`, pvecm add) and removing one (`DELETE
// /cluster/config/nodes/{node}`, pvecm delnode). Create and join are worker
// tasks; a join is refused as PVE refuses it (guests on the node, a node in
// a cluster already, a wrong fingerprint or password), the task failing with
// PVE's message. Joining needs the simulator's net of separate nodes
// (Sim.net, scripts/lab-pve up --bare).
import { createHash } from 'node:crypto';
import { flag, PveError, type Ctx, type Handler, type NetNode, type Sim } from './context';
import { seedStandalone, type ClusterState, type SimNode } from './state';

export const NOT_IN_CLUSTER =
  "Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?\n";

function requireCluster(ctx: Ctx): ClusterState & { name: string } {
  const { state } = ctx.sim;
  if (state.name === undefined) throw new PveError(500, NOT_IN_CLUSTER);
  return state as ClusterState & { name: string };
}

const localName = (ctx: Ctx): string => ctx.local ?? ctx.sim.state.nodes[0]!.name;

function netNode(sim: Sim, name: string): NetNode | undefined {
  return sim.net?.nodes.find((n) => n.name === name);
}

/** A node's certificate fingerprint: the net's, or one made from its name where there is no net. */
function fingerprintOf(sim: Sim, name: string): string {
  const known = netNode(sim, name)?.fingerprint;
  if (known) return known;
  const hex = createHash('sha256').update(name).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

/** `link0` as the API takes it (`[address=]<IP>[,priority=<n>]`): the address. */
function linkAddress(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const first = String(v).split(',')[0]!;
  return first.startsWith('address=') ? first.slice('address='.length) : first;
}

function joinInfo(ctx: Ctx): Record<string, unknown> {
  const state = ctx.sim.state;
  if (state.name === undefined)
    throw new PveError(500, 'node is not in a cluster, no join info available!\n');
  const totem = {
    cluster_name: state.name,
    config_version: String(state.version),
    interface: { '0': { linknumber: '0' } },
    ip_version: 'ipv4-6',
    link_mode: 'passive',
    secauth: 'on',
    version: '2',
  };
  const nodelist = state.nodes.map((n) => ({
    name: n.name,
    nodeid: n.nodeid,
    pve_addr: n.ip,
    pve_fp: fingerprintOf(ctx.sim, n.name),
    quorum_votes: 1,
    ring0_addr: n.ip,
  }));
  return {
    nodelist,
    preferred_node: String(ctx.params.node ?? localName(ctx)),
    totem,
    config_digest: createHash('sha1').update(JSON.stringify({ totem, nodelist })).digest('hex'),
  };
}

/** What PVE's assert_joinable finds on the joining node (each a `* …` line). */
function joinErrors(state: ClusterState): string[] {
  const errors: string[] = [];
  if (state.name !== undefined) {
    errors.push("authentication key '/etc/corosync/authkey' already exists");
    errors.push("cluster config '/etc/pve/corosync.conf' already exists");
  }
  if (state.guests.size > 0) errors.push('this host already contains virtual guests');
  return errors;
}

function join(ctx: Ctx): string {
  const local = localName(ctx);
  const me = ctx.sim.state;
  const host = String(ctx.params.hostname);
  const target = ctx.sim.net?.nodes.find((n) => n.ip === host || n.name === host);
  const lines: string[] = [];
  let failure: string | undefined;
  const errors = joinErrors(me);
  if (errors.length && !flag(ctx.params.force)) {
    lines.push('detected the following error(s):', ...errors.map((e) => `* ${e}`));
    failure = 'Check if node may join a cluster failed!';
  } else {
    lines.push(`Establishing API connection with host '${host}'`);
    if (!target) failure = `500 Can't connect to ${host}:8006 (No route to host)`;
    else if (String(ctx.params.fingerprint).toUpperCase() !== target.fingerprint.toUpperCase())
      failure = `500 Can't connect to ${host}:8006 (certificate verify failed)`;
    else if (String(ctx.params.password) !== target.rootPassword)
      failure = '401 authentication failure';
    else if (target.front.sim.state.name === undefined)
      failure = 'node is not in a cluster, no join info available!';
    else if (target.front.sim.state.nodes.some((n) => n.name === local))
      failure = `Node/IP: ${local} is already defined as node name in the cluster configuration`;
    else
      lines.push(
        'Login succeeded.',
        'check cluster join API version',
        'Request addition of this node',
        'Join request OK, finishing setup locally',
        'stopping pve-cluster service',
        `backup old database to '/var/lib/pve-cluster/backup/config-${Math.floor(Date.now() / 1000)}.sql.gz'`,
        'waiting for quorum...OK',
        '(re)generate node files',
        'generate new node certificate',
        'merge authorized SSH keys',
        'generated new node certificate, restart pveproxy and pvedaemon services',
        `successfully added node '${local}' to cluster.`,
      );
  }
  const nodeid = ctx.params.nodeid === undefined ? undefined : Number(ctx.params.nodeid);
  const address = linkAddress(ctx.params.link0);
  return ctx.sim.tasks.start(local, 'clusterjoin', '', ctx.user, {
    lines,
    finish: () => {
      if (failure) throw new Error(failure);
      const cluster = target!.front.sim;
      const mine = me.nodes.find((n) => n.name === local)!;
      const ids = cluster.state.nodes.map((n) => n.nodeid);
      if (nodeid !== undefined && ids.includes(nodeid))
        throw new Error(`Nodeid ${nodeid} is already used by another node`);
      const joined: SimNode = {
        ...mine,
        nodeid: nodeid ?? Math.max(0, ...ids) + 1,
        ip: address ?? mine.ip,
      };
      cluster.state.nodes.push(joined);
      // Its local downloads come with it (its `local` storage is its own).
      cluster.state.volumes.push(...me.volumes.filter((v) => v.node === local));
      cluster.state.version++;
      // From now on this node's pveproxy answers from the cluster's state (pmxcfs's).
      const self = netNode(ctx.sim, local);
      if (self) self.front.sim = cluster;
    },
  });
}

export const clusterConfigRoutes: Record<string, Handler> = {
  'POST /cluster/config': (ctx) => {
    const state = ctx.sim.state;
    if (state.name !== undefined)
      throw new PveError(500, "cluster config '/etc/pve/corosync.conf' already exists\n");
    const name = String(ctx.params.clustername);
    const local = localName(ctx);
    const address = linkAddress(ctx.params.link0);
    return ctx.sim.tasks.start(local, 'clustercreate', name, ctx.user, {
      lines: [
        'Corosync Cluster Engine Authentication key generator.',
        'Gathering 2048 bits for key from /dev/urandom.',
        'Writing corosync key to /etc/corosync/authkey.',
        'Writing corosync config to /etc/pve/corosync.conf',
        'Restart corosync and cluster filesystem',
      ],
      finish: () => {
        if (state.name !== undefined)
          throw new Error("cluster config '/etc/pve/corosync.conf' already exists");
        const node = state.nodes.find((n) => n.name === local)!;
        node.nodeid = ctx.params.nodeid === undefined ? 1 : Number(ctx.params.nodeid);
        if (address) node.ip = address;
        state.name = name;
        state.version = 1;
      },
    });
  },
  'GET /cluster/config/join': joinInfo,
  'POST /cluster/config/join': join,
  'GET /cluster/config/nodes': (ctx) => requireCluster(ctx).nodes.map((n) => ({ node: n.name })),
  'DELETE /cluster/config/nodes/{node}': (ctx) => {
    const state = requireCluster(ctx);
    const name = String(ctx.params.node);
    if (name === localName(ctx)) throw new PveError(500, 'Cannot delete myself from cluster!\n');
    const i = state.nodes.findIndex((n) => n.name === name);
    if (i < 0) throw new PveError(500, `Node/IP: ${name} is not a known host of the cluster.\n`);
    const [gone] = state.nodes.splice(i, 1);
    state.version++;
    // The lab separates the removed node (as the admin guide's "Separate a
    // node without reinstalling" does), so it can join again.
    const self = netNode(ctx.sim, name);
    if (self) self.front.sim = { ...ctx.sim, state: seedStandalone(name, self.ip || gone!.ip) };
    return null;
  },
};

// The HA manager of the simulated cluster (pve-ha-manager): resources
// (`vm:100`, `ct:200`) with their requested state, the node preferences of
// each version (PVE 8: groups, `node:priority` lists; PVE 9: node-affinity
// rules, groups migrated to rules and refused), /cluster/ha/status/current
// as the CRM and the LRMs report it, and the CRM's work: a resource whose
// requested state differs from its guest's starts or stops the guest after
// a short delay, as the LRM's worker task (qmstart, vzstop...), on the node
// its preference names when the guest is stopped there. Node maintenance
// too: `ha-manager crm-command node-maintenance enable|disable NODE` (which
// the real tool writes into /etc/pve/ha/crm_commands, a file, not an API
// call) puts the node's LRM into maintenance mode and the CRM moves its
// started services to other nodes (VMs online, containers by restart), and
// on disable moves back those it moved away.
import { PveError, flag, type Ctx, type Handler, type Sim } from './context';
import { startMigration } from './migrate';
import { findNode, quorate, type ClusterState, type Guest } from './state';

export type HaRequest = 'started' | 'stopped' | 'disabled' | 'ignored';

export interface SimHaResource {
  sid: string;
  type: 'vm' | 'ct';
  vmid: number;
  state: HaRequest;
  group?: string;
  comment?: string;
  maxRestart: number;
  maxRelocate: number;
  /** PVE 9: back to the highest-priority node when it returns (default on). */
  failback?: boolean;
  /** The node the CRM moved it away from for maintenance (it comes back there). */
  maintenanceNode?: string;
}

export interface SimHaGroup {
  group: string;
  /** `pve1:2,pve2:1`, as given. */
  nodes: string;
  restricted: boolean;
  nofailback: boolean;
  comment?: string;
}

export interface SimHaRule {
  rule: string;
  type: 'node-affinity' | 'resource-affinity';
  resources: string;
  nodes?: string;
  strict: boolean;
  affinity?: 'positive' | 'negative';
  disable: boolean;
  comment?: string;
}

export interface SimHa {
  resources: Map<string, SimHaResource>;
  groups: Map<string, SimHaGroup>;
  rules: Map<string, SimHaRule>;
  /** The node whose CRM is master (the first online one when HA was first used). */
  master?: string;
  /** Milliseconds before the CRM acts on a changed request (a real CRM's round is ~10 s). */
  settleMs: number;
  /** Nodes whose LRM is in maintenance mode (crmCommand). */
  maintenance: Set<string>;
  /** Nodes whose LRM has had a service (status/current's `active`, else `idle`). */
  activeLrms: Set<string>;
}

// Kept beside the cluster's state rather than in it, so the HA manager is one file.
const byCluster = new WeakMap<ClusterState, SimHa>();

export function haOf(state: ClusterState): SimHa {
  let ha = byCluster.get(state);
  if (!ha) {
    ha = {
      resources: new Map(),
      groups: new Map(),
      rules: new Map(),
      settleMs: 150,
      maintenance: new Set(),
      activeLrms: new Set(),
    };
    byCluster.set(state, ha);
  }
  return ha;
}

/** PVE's parse_sid: `100` is `vm:100`; the type must match the guest's. */
function parseSid(ctx: Ctx, raw: string): { sid: string; type: 'vm' | 'ct'; guest: Guest } {
  const m = /^(?:(vm|ct):)?(\d+)$/.exec(raw);
  if (!m) throw new PveError(400, `unsupported resource type in '${raw}'\n`);
  const vmid = Number(m[2]);
  const guest = ctx.sim.state.guests.get(vmid);
  const type = (m[1] as 'vm' | 'ct' | undefined) ?? (guest?.kind === 'lxc' ? 'ct' : 'vm');
  const sid = `${type}:${vmid}`;
  if (!guest || (guest.kind === 'lxc') !== (type === 'ct'))
    throw new PveError(500, `${type === 'vm' ? 'VM' : 'CT'} ${vmid} does not exist\n`);
  return { sid, type, guest };
}

/** `pve1:2,pve2` as [name, priority] pairs (no priority: 0). */
export function nodePriorities(list: string): [string, number][] {
  return list
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map((e) => {
      const [name, prio] = e.split(':');
      return [name!, Number(prio ?? 0)];
    });
}

export function checkNodes(ctx: Ctx, list: string): void {
  for (const [name] of nodePriorities(list))
    if (!findNode(ctx.sim.state, name))
      throw new PveError(500, `node '${name}' does not exist in the cluster\n`);
}

const isPve9 = (ctx: Ctx): boolean => ctx.sim.schema.version === 'pve9';

function refuseGroupsOn9(ctx: Ctx): void {
  if (isPve9(ctx))
    throw new PveError(500, 'ha groups have been migrated to rules: use node-affinity rules\n');
}

/** A resource's node preferences: its group's (PVE 8) and its enabled node-affinity rules' (PVE 9). */
function preferences(ha: SimHa, r: SimHaResource): [string, number][] {
  const lists: string[] = [];
  if (r.group) lists.push(ha.groups.get(r.group)?.nodes ?? '');
  for (const rule of ha.rules.values())
    if (rule.type === 'node-affinity' && !rule.disable && rule.resources.split(',').includes(r.sid))
      lists.push(rule.nodes ?? '');
  return lists.flatMap(nodePriorities);
}

/** Where the CRM wants the resource: its preference's highest online node not in maintenance. */
function preferredNode(state: ClusterState, ha: SimHa, r: SimHaResource): string | undefined {
  return preferences(ha, r)
    .filter(([n]) => findNode(state, n)?.online && !ha.maintenance.has(n))
    .sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The CRM's round for one resource: the guest follows its requested state after settleMs. */
export function schedule(ctx: { sim: Sim }, sid: string): void {
  const { state, tasks } = ctx.sim;
  const ha = haOf(state);
  setTimeout(() => {
    const r = ha.resources.get(sid);
    const g = r && state.guests.get(r.vmid);
    if (!r || !g || !quorate(state) || r.state === 'ignored') return;
    const want = r.state === 'started' ? 'running' : 'stopped';
    if (g.status === want) {
      if (want === 'running') relocate(state, ha, r, g, tasks);
      return;
    }
    if (want === 'running') {
      const target = preferredNode(state, ha, r);
      if (target) g.node = target;
    }
    const prefix = g.kind === 'qemu' ? 'qm' : 'vz';
    const verb = want === 'running' ? 'start' : 'stop';
    tasks.start(g.node, `${prefix}${verb}`, String(g.vmid), 'root@pam', {
      lines: [`${verb === 'start' ? 'starting' : 'stopping'} ${sid} (requested by HA)`],
      finish: () => {
        g.status = want;
        if (want === 'running') g.startedAt = Math.floor(Date.now() / 1000);
        else delete g.startedAt;
      },
    });
  }, ha.settleMs).unref();
}

/**
 * A running resource whose preference names a better online node goes there,
 * as the CRM does (unless the group says nofailback or the resource
 * failback=0): a VM live (qmigrate), a container by restart (vzmigrate).
 */
function relocate(
  state: ClusterState,
  ha: SimHa,
  r: SimHaResource,
  g: Guest,
  tasks: Sim['tasks'],
): void {
  if (g.lock) return; // a migration under way (maintenance's, or the API's)
  const group = r.group ? ha.groups.get(r.group) : undefined;
  if (group?.nofailback || r.failback === false) return;
  const target = preferredNode(state, ha, r);
  if (!target || target === g.node) return;
  const prio = (node: string) =>
    Math.max(-1, ...preferences(ha, r).flatMap(([n, p]) => (n === node ? [p] : [])));
  if (prio(target) <= prio(g.node)) return;
  const from = g.node;
  tasks.start(from, g.kind === 'qemu' ? 'qmigrate' : 'vzmigrate', String(g.vmid), 'root@pam', {
    lines: [`starting migration of ${r.sid} to node '${target}' (requested by HA)`],
    finish: () => {
      g.node = target;
    },
  });
}

function resourceView(r: SimHaResource, pve9: boolean): Record<string, unknown> {
  return {
    sid: r.sid,
    type: r.type,
    state: r.state,
    digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
    max_restart: r.maxRestart,
    max_relocate: r.maxRelocate,
    ...(r.group ? { group: r.group } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
    ...(pve9 ? { failback: r.failback === false ? 0 : 1 } : {}),
  };
}

function resourceOf(ctx: Ctx): SimHaResource {
  const { sid } = parseSid(ctx, String(ctx.params.sid));
  const r = haOf(ctx.sim.state).resources.get(sid);
  if (!r) throw new PveError(500, `no such resource '${sid}'\n`);
  return r;
}

function setRequest(ctx: Ctx, r: SimHaResource): void {
  const state = ctx.params.state as HaRequest | 'enabled' | undefined;
  // `enabled` is the old name of `started`, as PVE reads it.
  if (state) r.state = state === 'enabled' ? 'started' : state;
}

/** The service's line of status/current, as the CRM words it. */
function serviceEntry(state: ClusterState, r: SimHaResource): Record<string, unknown> {
  const g = state.guests.get(r.vmid);
  const running = g?.status === 'running';
  const want = r.state === 'started';
  const crm =
    g?.lock === 'migrate'
      ? g.status === 'running' && g.kind === 'qemu'
        ? 'migrate'
        : 'relocate'
      : r.state === 'ignored'
        ? 'ignored'
        : want
          ? running
            ? 'started'
            : 'request_start'
          : running
            ? 'request_stop'
            : r.state === 'disabled'
              ? 'disabled'
              : 'stopped';
  const node = g?.node ?? '';
  return {
    id: `service:${r.sid}`,
    type: 'service',
    sid: r.sid,
    node,
    state: crm,
    crm_state: crm,
    request_state: r.state,
    max_restart: r.maxRestart,
    max_relocate: r.maxRelocate,
    status: `${r.sid} (${node}, ${crm})`,
  };
}

function statusCurrent(ctx: Ctx): unknown[] {
  const { state } = ctx.sim;
  const ha = haOf(state);
  const now = Math.floor(Date.now() / 1000);
  const ok = quorate(state);
  const out: Record<string, unknown>[] = [
    {
      id: 'quorum',
      type: 'quorum',
      node: ctx.local ?? state.nodes[0]!.name,
      quorate: ok ? 1 : 0,
      status: ok ? 'OK' : 'No quorum on node',
    },
  ];
  if (!ha.resources.size && !ha.maintenance.size) return out;
  ha.master ??= state.nodes.find((n) => n.online)?.name;
  const master = ha.master && findNode(state, ha.master)?.online ? ha.master : undefined;
  if (master)
    out.push({
      id: 'master',
      type: 'master',
      node: master,
      status: `${master} (active, ${new Date().toUTCString()})`,
      timestamp: now,
    });
  for (const n of state.nodes) {
    // An LRM that has had a service stays active (PVE's goes idle only after a long quiet spell).
    if ([...ha.resources.values()].some((r) => state.guests.get(r.vmid)?.node === n.name))
      ha.activeLrms.add(n.name);
    const busy = ha.activeLrms.has(n.name);
    const word = !n.online
      ? 'old timestamp - dead?'
      : ha.maintenance.has(n.name)
        ? 'maintenance mode'
        : busy
          ? 'active'
          : 'idle';
    out.push({
      id: `lrm:${n.name}`,
      type: 'lrm',
      node: n.name,
      status: `${n.name} (${word}, ${new Date().toUTCString()})`,
      timestamp: n.online ? now : now - 600,
    });
  }
  for (const r of ha.resources.values()) out.push(serviceEntry(state, r));
  return out;
}

/** Test and lab hook: puts a guest under HA (as `ha-manager add vm:100 --state S`). */
export function haManage(sim: Sim, vmid: number, state: HaRequest = 'started'): void {
  const g = sim.state.guests.get(vmid);
  if (!g) throw new Error(`no guest ${vmid}`);
  const type = g.kind === 'lxc' ? 'ct' : 'vm';
  const sid = `${type}:${vmid}`;
  haOf(sim.state).resources.set(sid, { sid, type, vmid, state, maxRestart: 1, maxRelocate: 1 });
  schedule({ sim }, sid);
}

const CRM_USER = 'root@pam';

/** The node the CRM picks for a service leaving `from`: its preferred one, else online, not in maintenance, first by name. */
function pickNode(sim: Sim, r: SimHaResource, from: string): string | undefined {
  const ha = haOf(sim.state);
  const preferred = preferredNode(sim.state, ha, r);
  if (preferred && preferred !== from) return preferred;
  return sim.state.nodes
    .filter((n) => n.online && n.name !== from && !ha.maintenance.has(n.name))
    .map((n) => n.name)
    .sort()[0];
}

function moveService(sim: Sim, g: Guest, target: string): void {
  if (g.lock) return; // the CRM retries later in PVE; here it leaves it
  const how = g.status !== 'running' ? 'offline' : g.kind === 'qemu' ? 'online' : 'restart';
  startMigration(sim, g, target, how, CRM_USER);
}

/**
 * One line of /etc/pve/ha/crm_commands as the CRM reads it:
 * `enable-node-maintenance NODE` / `disable-node-maintenance NODE`.
 */
export function crmCommand(sim: Sim, line: string): void {
  const m = /^(enable|disable)-node-maintenance ([A-Za-z0-9][A-Za-z0-9.-]*)$/.exec(line.trim());
  if (!m) throw new Error(`unknown crm command '${line.trim()}'`);
  const [, verb, node] = m as unknown as [string, string, string];
  const ha = haOf(sim.state);
  if (!findNode(sim.state, node)) throw new Error(`no such node '${node}'`);
  if (verb === 'enable') {
    ha.maintenance.add(node);
    for (const r of ha.resources.values()) {
      const g = sim.state.guests.get(r.vmid);
      if (!g || g.node !== node || r.state !== 'started') continue;
      const target = pickNode(sim, r, node);
      if (!target) continue;
      r.maintenanceNode = node;
      moveService(sim, g, target);
    }
    return;
  }
  ha.maintenance.delete(node);
  for (const r of ha.resources.values()) {
    if (r.maintenanceNode !== node) continue;
    delete r.maintenanceNode;
    const g = sim.state.guests.get(r.vmid);
    if (g && g.node !== node) moveService(sim, g, node);
  }
}

export const haRoutes: Record<string, Handler> = {
  'GET /cluster/ha/status/current': statusCurrent,
  'GET /cluster/ha/resources': (ctx) => {
    const type = ctx.params.type as string | undefined;
    return [...haOf(ctx.sim.state).resources.values()]
      .filter((r) => !type || r.type === type)
      .map((r) => resourceView(r, isPve9(ctx)));
  },
  'GET /cluster/ha/resources/{sid}': (ctx) => resourceView(resourceOf(ctx), isPve9(ctx)),
  'POST /cluster/ha/resources': (ctx) => {
    const ha = haOf(ctx.sim.state);
    const { sid, type, guest } = parseSid(ctx, String(ctx.params.sid));
    if (ctx.params.type !== undefined && ctx.params.type !== type)
      throw new PveError(400, `types does not match\n`);
    if (ha.resources.has(sid)) throw new PveError(500, `resource ID '${sid}' already defined\n`);
    const group = ctx.params.group as string | undefined;
    if (group !== undefined) {
      refuseGroupsOn9(ctx);
      if (!ha.groups.has(group)) throw new PveError(500, `group '${group}' does not exist\n`);
    }
    const r: SimHaResource = {
      sid,
      type,
      vmid: guest.vmid,
      state: 'started',
      maxRestart: Number(ctx.params.max_restart ?? 1),
      maxRelocate: Number(ctx.params.max_relocate ?? 1),
      ...(group ? { group } : {}),
      ...(ctx.params.comment !== undefined ? { comment: String(ctx.params.comment) } : {}),
      ...(ctx.params.failback !== undefined ? { failback: flag(ctx.params.failback) } : {}),
    };
    setRequest(ctx, r);
    ha.resources.set(sid, r);
    schedule(ctx, sid);
    return null;
  },
  'PUT /cluster/ha/resources/{sid}': (ctx) => {
    const r = resourceOf(ctx);
    const group = ctx.params.group as string | undefined;
    if (group !== undefined) {
      refuseGroupsOn9(ctx);
      if (!haOf(ctx.sim.state).groups.has(group))
        throw new PveError(500, `group '${group}' does not exist\n`);
      r.group = group;
    }
    if (ctx.params.comment !== undefined) r.comment = String(ctx.params.comment);
    setRequest(ctx, r);
    schedule(ctx, r.sid);
    return null;
  },
  'DELETE /cluster/ha/resources/{sid}': (ctx) => {
    const r = resourceOf(ctx);
    const ha = haOf(ctx.sim.state);
    ha.resources.delete(r.sid);
    // PVE 9's purge (default on): the resource leaves its rules; a rule left empty goes.
    if (isPve9(ctx) && ctx.params.purge !== 0 && ctx.params.purge !== '0')
      for (const rule of [...ha.rules.values()]) {
        const rest = rule.resources.split(',').filter((s) => s !== r.sid);
        if (!rest.length) ha.rules.delete(rule.rule);
        else rule.resources = rest.join(',');
      }
    return null;
  },
  'GET /cluster/ha/groups': (ctx) =>
    [...haOf(ctx.sim.state).groups.values()].map((g) => ({
      group: g.group,
      type: 'group',
      nodes: g.nodes,
      restricted: g.restricted ? 1 : 0,
      nofailback: g.nofailback ? 1 : 0,
      digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
      ...(g.comment ? { comment: g.comment } : {}),
    })),
  'POST /cluster/ha/groups': (ctx) => {
    refuseGroupsOn9(ctx);
    const ha = haOf(ctx.sim.state);
    const group = String(ctx.params.group);
    if (ha.groups.has(group)) throw new PveError(500, `group '${group}' already defined\n`);
    const nodes = String(ctx.params.nodes);
    checkNodes(ctx, nodes);
    ha.groups.set(group, {
      group,
      nodes,
      restricted: flag(ctx.params.restricted),
      nofailback: flag(ctx.params.nofailback),
      ...(ctx.params.comment !== undefined ? { comment: String(ctx.params.comment) } : {}),
    });
    return null;
  },
  'DELETE /cluster/ha/groups/{group}': (ctx) => {
    const ha = haOf(ctx.sim.state);
    const group = String(ctx.params.group);
    if (!ha.groups.has(group)) throw new PveError(500, `no such ha group '${group}'\n`);
    const user = [...ha.resources.values()].find((r) => r.group === group);
    if (user) throw new PveError(500, `ha group '${group}' is used by resource '${user.sid}'\n`);
    ha.groups.delete(group);
    return null;
  },
};

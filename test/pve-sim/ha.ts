// PVE's HA stack as far as node maintenance needs it: HA-managed guests
// (services `vm:100`, `ct:200`), their state in /cluster/ha/resources and
// /cluster/ha/status/current, and the CRM's answer to `ha-manager
// crm-command node-maintenance enable|disable NODE` (which the real tool
// writes into /etc/pve/ha/crm_commands, a file, not an API call): the node's
// LRM goes into maintenance mode and the CRM migrates its running services
// to other nodes (VMs online, containers by restart), and on disable moves
// back those it moved away. Kept beside the cluster state, not in it.
import { PveError, type Ctx, type Handler, type Sim } from './context';
import { startMigration } from './migrate';
import type { ClusterState, Guest } from './state';

export interface HaService {
  sid: string;
  /** What the administrator asked for. */
  state: 'started' | 'stopped';
  /** The node the CRM moved it away from for maintenance (it comes back there). */
  maintenanceNode?: string;
}

export interface HaState {
  services: Map<string, HaService>;
  maintenance: Set<string>;
}

const haStates = new WeakMap<ClusterState, HaState>();

export function haOf(state: ClusterState): HaState {
  let ha = haStates.get(state);
  if (!ha) {
    ha = { services: new Map(), maintenance: new Set() };
    haStates.set(state, ha);
  }
  return ha;
}

const sidOf = (g: Guest): string => `${g.kind === 'qemu' ? 'vm' : 'ct'}:${g.vmid}`;

function guestOf(state: ClusterState, sid: string): Guest | undefined {
  const m = /^(vm|ct):(\d+)$/.exec(sid);
  const g = m ? state.guests.get(Number(m[2])) : undefined;
  return g && sidOf(g) === sid ? g : undefined;
}

/** Test and lab hook: puts a guest under HA (as `ha-manager add vm:100`). */
export function haManage(sim: Sim, vmid: number, state: HaService['state'] = 'started'): void {
  const g = sim.state.guests.get(vmid);
  if (!g) throw new Error(`no guest ${vmid}`);
  haOf(sim.state).services.set(sidOf(g), { sid: sidOf(g), state });
}

const CRM_USER = 'root@pam';

/** The node the CRM picks for a service leaving `from`: online, not in maintenance, first by name. */
function pickNode(sim: Sim, from: string): string | undefined {
  const ha = haOf(sim.state);
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
  if (!sim.state.nodes.some((n) => n.name === node)) throw new Error(`no such node '${node}'`);
  if (verb === 'enable') {
    ha.maintenance.add(node);
    for (const s of ha.services.values()) {
      const g = guestOf(sim.state, s.sid);
      if (!g || g.node !== node || s.state !== 'started') continue;
      const target = pickNode(sim, node);
      if (!target) continue;
      s.maintenanceNode = node;
      moveService(sim, g, target);
    }
    return;
  }
  ha.maintenance.delete(node);
  for (const s of ha.services.values()) {
    if (s.maintenanceNode !== node) continue;
    delete s.maintenanceNode;
    const g = guestOf(sim.state, s.sid);
    if (g && g.node !== node) moveService(sim, g, node);
  }
}

const timeText = (t: number) => new Date(t * 1000).toUTCString();

function statusCurrent(ctx: Ctx): Record<string, unknown>[] {
  const { state } = ctx.sim;
  const ha = haOf(state);
  const now = Math.floor(Date.now() / 1000);
  const master = state.nodes.find((n) => n.online)?.name ?? state.nodes[0]!.name;
  const out: Record<string, unknown>[] = [
    { id: 'quorum', type: 'quorum', node: master, status: 'OK', quorate: 1 },
    {
      id: 'master',
      type: 'master',
      node: master,
      status: `${master} (active, ${timeText(now)})`,
      timestamp: now,
    },
  ];
  for (const n of state.nodes) {
    const mode = !n.online
      ? 'old timestamp - dead?'
      : ha.maintenance.has(n.name)
        ? 'maintenance mode'
        : 'active';
    out.push({
      id: `lrm:${n.name}`,
      type: 'lrm',
      node: n.name,
      status: `${n.name} (${mode}, ${timeText(now)})`,
      timestamp: now,
    });
  }
  for (const s of ha.services.values()) {
    const g = guestOf(state, s.sid);
    if (!g) continue;
    const crm =
      g.lock === 'migrate'
        ? g.status === 'running' && g.kind === 'qemu'
          ? 'migrate'
          : 'relocate'
        : s.state === 'started' && g.status === 'running'
          ? 'started'
          : 'stopped';
    out.push({
      id: `service:${s.sid}`,
      type: 'service',
      sid: s.sid,
      node: g.node,
      state: crm,
      crm_state: crm,
      request_state: s.state,
      status: `${s.sid} (${g.node}, ${crm})`,
      max_relocate: 1,
      max_restart: 1,
    });
  }
  return out;
}

/** POST /cluster/ha/resources (`ha-manager add`): a sid `vm:100`, `ct:200` or a bare vmid. */
function addResource(ctx: Ctx): null {
  const sid = String(ctx.params.sid);
  const m = /^(?:(vm|ct):)?(\d+)$/.exec(sid);
  const g = m ? ctx.sim.state.guests.get(Number(m[2])) : undefined;
  if (!m || !g || (m[1] && sidOf(g) !== sid))
    throw new PveError(500, `unable to find ${sid.includes(':') ? sid : `VM ${sid}`}\n`);
  const ha = haOf(ctx.sim.state);
  if (ha.services.has(sidOf(g)))
    throw new PveError(500, `resource ID '${sidOf(g)}' already defined\n`);
  const state = String(ctx.params.state ?? 'started');
  ha.services.set(sidOf(g), {
    sid: sidOf(g),
    state: state === 'stopped' || state === 'disabled' ? 'stopped' : 'started',
  });
  return null;
}

export const haRoutes: Record<string, Handler> = {
  'POST /cluster/ha/resources': addResource,
  'GET /cluster/ha/resources': (ctx) =>
    [...haOf(ctx.sim.state).services.values()]
      .filter((s) => !ctx.params.type || s.sid.startsWith(`${String(ctx.params.type)}:`))
      .map((s) => ({ sid: s.sid, state: s.state, type: s.sid.split(':')[0], digest: '0' })),
  'GET /cluster/ha/status/current': statusCurrent,
};
